package fineflow.activities.stages.tritonrepo;

import fineflow.activities.stages.StageInputException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The values of the skeleton's {@code ${…}} placeholders (docs/upstream-tools.md "Triton model
 * repository"), after checking the request against the engine it serves. Fixed choices:
 * <ul>
 *   <li>{@code triton_backend = tensorrtllm} (the C++ backend, as in the manual run);
 *   <li>{@code max_beam_width}, and the encoder-feature / prompt-table data types, come from the
 *       engine's own build config, so they cannot disagree with it;
 *   <li>{@code skip_special_tokens = true}, {@code accumulate_tokens = false} (the python models'
 *       defaults, written out so the served config shows them);
 *   <li>{@code tensorrt_llm_model_name = tensorrt_llm}, the BLS model's target in this repository.
 * </ul>
 * Every other placeholder is unset unless given with {@code --set}; {@link PbtxtFill} decides what
 * unset means per backend.
 */
final class PlaceholderValues {
  private static final Pattern NAME = Pattern.compile("\\w+");
  private static final Pattern TASK_ID = Pattern.compile("\\d+");

  private PlaceholderValues() {
  }

  static Map<String, String> of(TritonRepoRequest r, EngineConfig engine) {
    List<String> problems = new ArrayList<>();
    if (r.params().maxBatchSize() != engine.maxBatchSize()) {
      problems.add("triton_max_batch_size " + r.params().maxBatchSize() + " differs from the engine's "
          + "build_config.max_batch_size " + engine.maxBatchSize() + " (" + r.engineDir() + ")");
    }
    String engineLogits = TritonDataType.ofDtype(engine.logitsDtype()).map(TritonDataType::triton)
        .orElse(null);
    String logits = r.params().logitsDatatype().equals(TritonRepoRequest.AUTO) && engineLogits != null
        ? engineLogits : r.params().logitsDatatype();
    if (!logits.equals(engineLogits)) {
      problems.add("logits_datatype " + logits + " does not match the engine's logits dtype "
          + engine.logitsDtype() + (engineLogits == null ? "" : " (" + engineLogits + ")")
          + ": Triton would fail with std::bad_cast");
    }
    TritonDataType engineType = TritonDataType.ofDtype(engine.dtype()).orElse(null);
    if (engineType == null) {
      problems.add("engine dtype " + engine.dtype() + " has no Triton data type (float16, bfloat16, float32)");
    }
    if (r.loraPrefetchDir() != null) {
      problems.addAll(loraProblems(r.loraPrefetchDir(), engine));
    }
    Map<String, String> v = new LinkedHashMap<>();
    v.put("triton_backend", "tensorrtllm");
    v.put("triton_max_batch_size", Integer.toString(r.params().maxBatchSize()));
    v.put("decoupled_mode", Boolean.toString(r.params().decoupled()));
    v.put("engine_dir", r.engineDir().toString());
    v.put("tokenizer_dir", r.tokenizerDir().toString());
    v.put("max_queue_delay_microseconds", Integer.toString(r.params().maxQueueDelayMicroseconds()));
    v.put("max_queue_size", Integer.toString(r.maxQueueSize()));
    v.put("batching_strategy", r.params().batchingStrategy());
    v.put("logits_datatype", logits);
    if (engineType != null) {
      v.put("encoder_input_features_data_type", engineType.triton());
      v.put("prompt_embedding_table_data_type", engineType.triton());
    }
    v.put("max_beam_width", Integer.toString(engine.maxBeamWidth()));
    v.put("kv_cache_free_gpu_mem_fraction", Double.toString(r.params().kvCacheFreeGpuMemFraction()));
    if (r.loraPrefetchDir() != null) {
      v.put("lora_prefetch_dir", r.loraPrefetchDir().toString());
    }
    v.put("preprocessing_instance_count", Integer.toString(r.params().preprocessingInstances()));
    v.put("postprocessing_instance_count", Integer.toString(r.params().postprocessingInstances()));
    v.put("bls_instance_count", Integer.toString(r.params().blsInstances()));
    v.put("add_special_tokens", Boolean.toString(r.addSpecialTokens()));
    v.put("skip_special_tokens", "true");
    v.put("accumulate_tokens", "false");
    v.put("tensorrt_llm_model_name", "tensorrt_llm");
    r.extraValues().forEach((name, value) -> {
      if (!NAME.matcher(name).matches()) {
        problems.add("--set " + name + ": not a placeholder name");
      } else if (v.containsKey(name)) {
        problems.add("--set " + name + ": set by its own option or by the engine, not by --set");
      } else {
        v.put(name, value);
      }
    });
    v.forEach((name, value) -> {
      if (value.contains("\"") || value.contains("\\") || value.contains("\n") || value.contains("${")) {
        problems.add(name + " = " + value + ": quotes, backslashes, newlines and ${ are not allowed "
            + "in a config.pbtxt value");
      }
    });
    if (!problems.isEmpty()) {
      throw new StageInputException("the Triton repository would not match its engine: "
          + String.join("; ", problems), problems);
    }
    return Collections.unmodifiableMap(v);
  }

  /** The adapter must be loadable: engine built with the LoRA plugin, converted weights present. */
  private static List<String> loraProblems(Path prefetch, EngineConfig engine) {
    List<String> problems = new ArrayList<>();
    if (engine.loraPlugin() == null) {
      problems.add("lora_prefetch_dir is set but the engine was built without --lora_plugin: "
          + "the adapter would never load");
    }
    if (!Files.isDirectory(prefetch)) {
      problems.add("lora_prefetch_dir " + prefetch + " does not exist");
      return problems;
    }
    int tasks = 0;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(prefetch)) {
      for (Path task : ds) {
        if (!Files.isDirectory(task) || !TASK_ID.matcher(task.getFileName().toString()).matches()) {
          continue;
        }
        tasks++;
        for (String file : List.of("model.lora_config.npy", "model.lora_weights.npy")) {
          Path npy = task.resolve(file);
          if (!Files.isRegularFile(npy) || Files.size(npy) == 0) {
            problems.add(task + " has no non-empty " + file);
          }
        }
      }
    } catch (IOException e) {
      problems.add("cannot list " + prefetch + ": " + e.getMessage());
    }
    if (tasks == 0 && Files.isDirectory(prefetch)) {
      problems.add("lora_prefetch_dir " + prefetch + " has no <task id>/ folder of converted weights");
    }
    return problems;
  }
}
