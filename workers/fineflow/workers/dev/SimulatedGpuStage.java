package fineflow.workers.dev;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fineflow.workflows.format.Json;
import fineflow.workflows.plan.CheckpointConvertParams;
import fineflow.workflows.plan.EngineBuildParams;
import fineflow.workflows.plan.LoraConvertParams;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.plan.StageParams;
import fineflow.workflows.plan.TrainParams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The dev stack's stand-in for a GPU: writes the files a stage would produce, marked
 * "simulated" in their content, and prints plausible progress. Durations and memory figures
 * are the manual run's (docs/manual-procedure.md "Memory and durations"), divided by the stack's
 * speed factor.
 */
final class SimulatedGpuStage {
  static final String MARK = "simulated";

  private static final ObjectMapper JSON = Json.mapper();

  private final double speed;
  private final Duration fixedDuration;

  /** @param fixedDuration when not null, every simulated stage takes exactly this long */
  SimulatedGpuStage(double speed, Duration fixedDuration) {
    this.speed = speed;
    this.fixedDuration = fixedDuration;
  }

  /**
   * @param args the container's effective argv
   * @param paths the container's mounts, where the simulated tool writes what the real one would
   */
  StageOutcome run(StageName stage, StageArgs args, PodMounts paths) {
    try {
      return switch (stage) {
        case MODEL_FETCH -> SimulatedModelFetch.run(args, paths);
        case TRAIN -> train(args, paths);
        case LORA_CONVERT -> loraConvert(args, paths);
        case CHECKPOINT_CONVERT -> checkpointConvert(args, paths);
        case ENGINE_BUILD -> engineBuild(args, paths);
        default -> throw new IllegalArgumentException("no simulation for stage " + stage);
      };
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private StageOutcome train(StageArgs args, PodMounts paths) throws IOException {
    TrainParams params = args.params(TrainParams.class).orElseThrow(
        () -> new IllegalArgumentException("train.py: error: the following arguments are required: "
            + StageParams.OPTION));
    Path out = paths.local(params.outputDir());
    Path adapter = Files.createDirectories(out.resolve("adapter"));
    boolean qlora = params.quantization() != null;
    ObjectNode config = JSON.createObjectNode().put("peft_type", "LORA");
    if (params.lora() != null) {
      config.put("r", params.lora().r()).put("lora_alpha", params.lora().alpha());
      ArrayNode targets = config.putArray("target_modules");
      params.lora().targets().forEach(targets::add);
    }
    config.put("fineflow", MARK);
    write(adapter.resolve("adapter_config.json"), config.toPrettyString());
    write(adapter.resolve("adapter_model.safetensors"), "simulated adapter weights\n");

    int records = countLines(paths.local(params.trainFile()));
    int batch = params.microBatch() * params.gradAccum();
    int epochs = params.epochs();
    int totalSteps = Math.max(1, epochs * (int) Math.ceil(Math.max(records, 1) / (double) batch));
    List<String> lines = new ArrayList<>();
    lines.add("[simulated] training " + (qlora ? "QLoRA" : "LoRA") + " on the simulated GPU node: "
        + records + " records, " + totalSteps + " optimizer steps");
    int shown = Math.min(totalSteps, 20);
    double loss = 2.4;
    for (int i = 1; i <= shown; i++) {
      int step = (int) Math.round(i * (double) totalSteps / shown);
      loss = loss * 0.93;
      lines.add(JSON.createObjectNode().put("event", "progress").put("step", step)
          .put("totalSteps", totalSteps).put("epoch", round(epochs * step / (double) totalSteps))
          .put("loss", round(loss)).put("simulated", true).toString());
    }
    write(out.resolve("trainer_state.json"), JSON.createObjectNode().put("global_step", totalSteps)
        .put("best_metric", round(loss * 1.05)).put("fineflow", MARK).toPrettyString());
    // Seed: LoRA 19 m 52 s at 15.1–17.0 GB; QLoRA 26 m 52 s at ≈7,577 MB (nvidia-smi).
    Duration real = qlora ? Duration.ofSeconds(26 * 60 + 52) : Duration.ofSeconds(19 * 60 + 52);
    ObjectNode result = result(List.of(artifact("adapter", adapter, paths)));
    result.putObject("metrics").put("peakGpuMemoryBytes", qlora ? 7_577e6 : 15_100e6)
        .put("trainLoss", round(loss)).put("evalLoss", round(loss * 1.05));
    return new StageOutcome(lines, scaled(real), 0, result.toString());
  }

  private StageOutcome loraConvert(StageArgs args, PodMounts paths) throws IOException {
    // Under stage_runner.py the planned parameters; the converter alone (the orchestrator
    // benchmark's floor pod) reads its own -o and --storage-type, as hf_lora_convert.py does.
    LoraConvertParams params = args.params(LoraConvertParams.class).orElse(null);
    Path out = paths.local(params != null ? params.outputDir() + "/" + params.taskId()
        : args.tool().flag("-o").orElseThrow());
    String dtype = params != null ? params.storageType()
        : args.tool().flag("--storage-type").orElse("float16");
    Files.createDirectories(out);
    write(out.resolve("model.lora_config.npy"), "simulated lora config\n");
    write(out.resolve("model.lora_weights.npy"), "simulated lora weights\n");
    ObjectNode result = result(List.of(artifact("lora-" + out.getFileName(), out, paths)));
    // The keys stage_runner.py's lora_post reports.
    ObjectNode info = result.putObject("info").put("dtype", dtype).put("taskId", out.getFileName().toString());
    if (params != null) {
      info.put("loraTargetModules", String.join(",", params.targets()));
    }
    return new StageOutcome(List.of("[simulated] hf_lora_convert.py: adapter → " + out.getFileName()
        + " (" + dtype + ")"), scaled(Duration.ofSeconds(40)), 0, result.toString());
  }

  private StageOutcome checkpointConvert(StageArgs args, PodMounts paths) throws IOException {
    CheckpointConvertParams params = args.params(CheckpointConvertParams.class).orElseThrow();
    Path out = paths.local(params.outputDir());
    Files.createDirectories(out);
    write(out.resolve("config.json"), JSON.createObjectNode().put("fineflow", MARK)
        .put("dtype", params.dtype()).toPrettyString());
    int ranks = params.parallel() == null ? 1 : params.parallel().tpSize() * params.parallel().ppSize();
    for (int rank = 0; rank < ranks; rank++) {
      write(out.resolve("rank" + rank + ".safetensors"), "simulated checkpoint\n");
    }
    ObjectNode result = result(List.of(artifact("checkpoint", out, paths)));
    result.putObject("info").put("dtype", params.dtype());
    return new StageOutcome(List.of("[simulated] " + Path.of(params.script()).getFileName()
        + ": converting on the simulated GPU", "[simulated] wrote " + out.getFileName()),
        scaled(Duration.ofMinutes(6)), 0, result.toString());
  }

  private StageOutcome engineBuild(StageArgs args, PodMounts paths) throws IOException {
    EngineBuildParams params = args.params(EngineBuildParams.class).orElseThrow();
    Path out = paths.local(params.outputDir());
    Files.createDirectories(out);
    ObjectNode build = JSON.createObjectNode()
        .put("max_batch_size", params.maxBatchSize())
        .put("max_input_len", params.maxInputLen())
        .put("max_seq_len", params.maxSeqLen())
        .put("max_beam_width", params.maxBeamWidth())
        .put("max_num_tokens", params.maxNumTokens());
    String loraPlugin = params.lora() == null ? "disable" : params.lora().pluginDtype();
    build.putObject("plugin_config").put("lora_plugin", loraPlugin);
    if (params.lora() != null) {
      ObjectNode lora = build.putObject("lora_config").put("max_lora_rank", params.lora().maxRank());
      params.lora().targetModules().forEach(lora.putArray("lora_target_modules")::add);
    }
    // The checkpoint's dtype carries into the engine; logits stay float32, TensorRT-LLM's default.
    ObjectNode config = JSON.createObjectNode().put("version", MARK);
    config.putObject("pretrained_config").put("dtype", params.dtype()).put("logits_dtype", "float32");
    config.set("build_config", build);
    write(out.resolve("config.json"), config.toPrettyString());
    write(out.resolve("rank0.engine"), "simulated TensorRT engine\n");
    ObjectNode result = result(List.of(artifact("engine", out, paths)));
    // The keys stage_runner.py's engine_post reports.
    ObjectNode info = result.putObject("info").put("dtype", params.dtype())
        .put("lora_plugin", loraPlugin).put("logits_dtype", "float32");
    build.fields().forEachRemaining(e -> {
      if (e.getValue().isValueNode()) {
        info.put(e.getKey(), e.getValue().asText());
      }
    });
    if (params.lora() != null) {
      info.put("max_lora_rank", Integer.toString(params.lora().maxRank()))
          .put("lora_target_modules", String.join(",", params.lora().targetModules()));
    }
    result.putObject("metrics").put("engineFiles", 1.0).put("maxBatchSize", (double) params.maxBatchSize());
    return new StageOutcome(List.of("[simulated] trtllm-build: building the engine on the simulated GPU",
        "[simulated] max_batch_size=" + params.maxBatchSize(),
        "[simulated] engine written to " + out.getFileName()),
        scaled(Duration.ofMinutes(4)), 0, result.toString());
  }

  private ObjectNode result(List<ObjectNode> artifacts) {
    ObjectNode result = JSON.createObjectNode().put("simulated", true);
    ArrayNode list = result.putArray("artifacts");
    artifacts.forEach(list::add);
    return result;
  }

  private static ObjectNode artifact(String name, Path path, PodMounts paths) throws IOException {
    return JSON.createObjectNode().put("name", name).put("path", paths.toPod(path.toString()))
        .put("sha256", digest(path)).put("sizeBytes", size(path));
  }

  private Duration scaled(Duration real) {
    if (fixedDuration != null) {
      return fixedDuration;
    }
    return Duration.ofMillis((long) (real.toMillis() / speed));
  }

  static String digest(Path path) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (Stream<Path> files = Files.walk(path)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        sha.update(path.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
        sha.update(Files.readAllBytes(f));
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static long size(Path path) throws IOException {
    try (Stream<Path> files = Files.walk(path)) {
      long total = 0;
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        total += Files.size(f);
      }
      return total;
    }
  }

  private static int countLines(Path file) throws IOException {
    if (file == null || !Files.isRegularFile(file)) {
      return 0;
    }
    try (Stream<String> lines = Files.lines(file)) {
      return (int) lines.filter(l -> !l.isBlank()).count();
    }
  }

  private static void write(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
