package fineflow.activities.stages.tritonrepo;

import com.fasterxml.jackson.databind.JsonNode;
import fineflow.activities.stages.StageInputException;
import fineflow.workflows.format.Json;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The build settings of a TensorRT-LLM engine, read from {@code <engine_dir>/config.json}
 * ({@code pretrained_config} + {@code build_config}, as trtllm-build writes it).
 *
 * @param logitsDtype {@code pretrained_config.logits_dtype} when the checkpoint sets it, else the
 *     model dtype: what the engine's logits tensors are, so what Triton's logits_datatype must be
 * @param loraPlugin {@code build_config.plugin_config.lora_plugin}; null when built without LoRA
 */
public record EngineConfig(int maxBatchSize, int maxBeamWidth, int maxInputLen, int maxSeqLen,
                           String dtype, String logitsDtype, String loraPlugin, int engineFiles) {

  public static EngineConfig read(Path engineDir) {
    Path file = engineDir.resolve("config.json");
    if (!Files.isRegularFile(file)) {
      throw new StageInputException("engine_dir " + engineDir + " has no config.json: not an engine "
          + "built by trtllm-build (a wrong engine_dir only shows as an unreadable Triton start-up log)");
    }
    JsonNode root;
    try {
      root = Json.mapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new StageInputException(file + ": not readable JSON: " + e.getMessage());
    }
    JsonNode build = root.path("build_config");
    JsonNode pretrained = root.path("pretrained_config");
    if (!build.isObject() || !pretrained.isObject()) {
      throw new StageInputException(file + ": expected build_config and pretrained_config objects "
          + "(engine config of trtllm-build)");
    }
    String dtype = requiredText(file, pretrained, "pretrained_config.dtype", "dtype");
    String logits = pretrained.path("logits_dtype").isTextual()
        ? pretrained.get("logits_dtype").asText() : dtype;
    JsonNode lora = build.path("plugin_config").path("lora_plugin");
    String loraPlugin = lora.isTextual() && !lora.asText().equals("disable") ? lora.asText() : null;
    return new EngineConfig(
        requiredInt(file, build, "build_config.max_batch_size", "max_batch_size"),
        build.path("max_beam_width").asInt(1),
        build.path("max_input_len").asInt(0),
        build.path("max_seq_len").asInt(0),
        dtype, logits, loraPlugin, countEngines(engineDir));
  }

  private static int countEngines(Path engineDir) {
    int n = 0;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(engineDir, "rank*.engine")) {
      for (Path p : ds) {
        if (Files.size(p) > 0) {
          n++;
        }
      }
    } catch (IOException e) {
      throw new StageInputException("cannot list " + engineDir + ": " + e.getMessage());
    }
    if (n == 0) {
      throw new StageInputException("engine_dir " + engineDir + " has no non-empty rank*.engine file");
    }
    return n;
  }

  private static int requiredInt(Path file, JsonNode node, String path, String field) {
    JsonNode v = node.path(field);
    if (!v.canConvertToInt()) {
      throw new StageInputException(file + ": missing or non-integer " + path);
    }
    return v.asInt();
  }

  private static String requiredText(Path file, JsonNode node, String path, String field) {
    JsonNode v = node.path(field);
    if (!v.isTextual()) {
      throw new StageInputException(file + ": missing " + path);
    }
    return v.asText();
  }
}
