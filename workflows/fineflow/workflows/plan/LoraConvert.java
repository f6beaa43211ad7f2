package fineflow.workflows.plan;

import static fineflow.workflows.plan.CacheKey.OUT;

import fineflow.workflows.spec.EngineSpec;
import fineflow.workflows.spec.PipelineSpec;
import java.util.List;
import java.util.Map;

/**
 * lora-convert: the PEFT adapter → Triton's LoRA prefetch format ({@code hf_lora_convert.py}),
 * into {@code <prefetch dir>/<task id>}. Only the Triton backend reads that format; vLLM and
 * trtllm-serve load the PEFT adapter as it is.
 */
final class LoraConvert {
  static final String CONVERTER = "/app/examples/hf_lora_convert.py";

  private LoraConvert() {
  }

  static StageDraft draft(PipelineSpec spec, Upstream up) {
    EngineSpec engine = spec.engine();
    String adapter = up.out(StageName.TRAIN) + "/" + Train.ADAPTER_DIR;
    List<String> targets = EngineBuild.loraTargets(spec);
    long taskId = engine.lora().taskId();
    LoraConvertParams params = new LoraConvertParams(adapter, OUT, taskId,
        engine.loraStorageType(), engine.lora().maxRank(), targets);
    return new StageDraft(StageName.LORA_CONVERT, StageKind.JOB, engine.image(), params,
        Map.of("PYTHONUNBUFFERED", "1"), List.of(), Resources.cpuOnly("2", "8Gi"),
        List.of(Workspace.readOnly(up.out(StageName.TRAIN)).orElseThrow(),
            StageDraft.outputMount()),
        1_800, 60, List.of(StageName.TRAIN),
        List.of(new ArtifactRef("lora-prefetch", OUT),
            new ArtifactRef("lora-weights", OUT + "/" + taskId)),
        "Convert the adapter to Triton LoRA task " + taskId + " ("
            + engine.loraStorageType() + ", " + targets.size() + " modules)",
        Map.of());
  }
}
