package fineflow.workflows.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fineflow.workflows.spec.ArchitectureSpec;
import fineflow.workflows.spec.BenchmarkSpec;
import fineflow.workflows.spec.ClusterSpec;
import fineflow.workflows.spec.DatasetSpec;
import fineflow.workflows.spec.EngineLoraSpec;
import fineflow.workflows.spec.EngineSpec;
import fineflow.workflows.spec.LoraSpec;
import fineflow.workflows.spec.Metadata;
import fineflow.workflows.spec.ModelSpec;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.QuantizationSpec;
import fineflow.workflows.spec.ServingBackend;
import fineflow.workflows.spec.ServingSpec;
import fineflow.workflows.spec.TrainingMethod;
import fineflow.workflows.spec.TrainingSpec;
import java.util.List;
import java.util.Map;

/**
 * The manual run's two pipelines (docs/manual-procedure.md) as spec records, and a way to change
 * one field.
 */
final class SeedSpecs {
  static final String ELYZA = "elyza/ELYZA-japanese-Llama-2-7b-instruct";
  private static final ObjectMapper JSON = new ObjectMapper();

  private SeedSpecs() {
  }

  /** The old workflow: QLoRA → int4 AWQ engine with int8 KV cache → Triton, batch 16. */
  static PipelineSpec elyzaQloraTriton() {
    return new PipelineSpec(null, null,
        new Metadata("elyza-dazai", null, null),
        new ModelSpec(ELYZA, "main", ArchitectureSpec.llama2_7b(), null, "hf-token", null),
        new DatasetSpec("data/dazai.json", null, null, "あなたは太宰治です。", null, 0.2, 42L, null),
        new TrainingSpec(true, TrainingMethod.QLORA,
            new LoraSpec(4, 8, 0.1, LoraSpec.LLAMA_ALL_LINEAR, "none"),
            new QuantizationSpec(4, "nf4", true, "bfloat16"),
            3, 1, 32, 5e-5, "cosine", 5, null, true, null, 512, 25, 25, 1, null),
        new EngineSpec("float16", "int4_awq", true, 256, true, "paged", 16, 2048, 4096, null, 1,
            new EngineLoraSpec(8, null, 0L), 1, 1, null, null),
        new ServingSpec(ServingBackend.TRITON, 1, null, true, 0.9, null, null, null, null, null,
            null),
        new BenchmarkSpec(true, null, List.of(1, 4, 8, 16, 32, 64), 512, 256, null, true, null,
            null),
        ClusterSpec.defaults());
  }

  /** The new workflow: gpt-oss-20b on trtllm-serve, no fine-tuning, sized for batch 256. */
  static PipelineSpec gptOssTrtllmServe() {
    return new PipelineSpec(null, null,
        new Metadata("gpt-oss-20b", null, null),
        new ModelSpec("openai/gpt-oss-20b", null, null, null, null, true),
        null, null,
        new EngineSpec(null, null, null, null, null, null, 256, 512, 32768, 262144, null, null,
            null, null, null, null),
        new ServingSpec(ServingBackend.TRTLLM_SERVE, null, null, null, 0.9, null, null, null,
            Map.of("enable_attention_dp", false,
                "cuda_graph_config", Map.of("max_batch_size", 256, "enable_padding", true),
                "moe_config", Map.of("backend", "TRITON")),
            null, null),
        new BenchmarkSpec(true, null, List.of(1, 2, 4, 8, 16, 32, 64, 128, 256), 512, 256, null,
            true, ServingBackend.VLLM, null),
        ClusterSpec.defaults());
  }

  /** A copy of {@code spec} with the field at a dotted path set to a JSON value. */
  /** Where later stages read a Hub model: model-fetch's snapshot, sha resolved at run time. */
  static String snapshot(String id) {
    return "/workspace/hf-cache/hub/models--" + id.replace("/", "--") + "/snapshots/" + ModelFetch.SHA;
  }

  static PipelineSpec with(PipelineSpec spec, String path, String jsonValue) {
    try {
      ObjectNode root = JSON.valueToTree(spec);
      String[] parts = path.split("\\.");
      ObjectNode node = root;
      for (int i = 0; i < parts.length - 1; i++) {
        JsonNode child = node.get(parts[i]);
        node = child instanceof ObjectNode o ? o : node.putObject(parts[i]);
      }
      node.set(parts[parts.length - 1], JSON.readTree(jsonValue));
      return JSON.treeToValue(root, PipelineSpec.class);
    } catch (Exception e) {
      throw new IllegalArgumentException(path + "=" + jsonValue, e);
    }
  }
}
