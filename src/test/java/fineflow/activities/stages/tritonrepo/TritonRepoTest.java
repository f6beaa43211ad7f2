package fineflow.activities.stages.tritonrepo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.activities.stages.ContentDigest;
import fineflow.activities.stages.StageInputException;
import fineflow.activities.stages.StageOutputException;
import fineflow.workflows.plan.TritonRepoParams;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TritonRepoTest {
  static final Path SKELETON = Path.of("resources/fineflow/dev/triton-skeleton/inflight_batcher_llm");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;
  Path engine;
  Path prefetch;

  @BeforeEach
  void engineAndAdapter() throws IOException {
    engine = writeEngine(dir.resolve("engine"), 16, "float16", null, "float16");
    prefetch = dir.resolve("lora");
    Files.createDirectories(prefetch.resolve("0"));
    Files.write(prefetch.resolve("0/model.lora_config.npy"), new byte[] {1, 2, 3});
    Files.write(prefetch.resolve("0/model.lora_weights.npy"), new byte[] {4, 5, 6});
  }

  @Test
  void fillsEveryPlaceholderOfAFreshCopyAndDescribesIt() throws IOException {
    Path out = dir.resolve("repo");
    TritonRepoResult result = TritonRepo.run(request(16, "TYPE_FP16", out, Map.of("gpu_device_ids", "0")));

    try (Stream<Path> files = Files.walk(out)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".pbtxt")).toList()) {
        assertThat(Files.readString(f)).as(f.toString()).doesNotContain("${");
      }
    }
    String trt = Files.readString(out.resolve("tensorrt_llm/config.pbtxt"));
    assertThat(trt).contains("backend: \"tensorrtllm\"", "max_batch_size: 16", "decoupled: true",
        "preferred_batch_size: [ 16 ]", "max_queue_size: 0", "data_type: TYPE_FP16",
        "string_value: \"" + engine + "\"", "string_value: \"inflight_fused_batching\"",
        "string_value: \"" + prefetch + "\"", "string_value: \"0.9\"", "string_value: \"0\"");
    assertThat(trt).as("unset C++ backend parameters are left out, so the backend uses its default")
        .doesNotContain("medusa_choices", "lora_cache_max_adapter_size")
        .contains("key: \"executor_worker_path\"", "key: \"FORCE_CPU_ONLY_INPUT_TENSORS\"");
    String pre = Files.readString(out.resolve("preprocessing/config.pbtxt"));
    assertThat(pre).as("python models read some keys unconditionally: unset means \"\"")
        .contains("key: \"multimodal_model_path\"\n  value: {\n    string_value: \"\"",
            "count: 1", "key: \"add_special_tokens\"\n  value: {\n    string_value: \"true\"");
    assertThat(Files.readString(out.resolve("ensemble/config.pbtxt"))).contains("max_batch_size: 16");
    assertThat(Files.readString(out.resolve("tensorrt_llm_bls/config.pbtxt")))
        .contains("string_value: \"tensorrt_llm\"", "decoupled: true");
    assertThat(out.resolve("ensemble/1")).isDirectory();
    assertThat(out.resolve("tensorrt_llm_bls/1/model.py")).hasSameTextualContentAs(
        SKELETON.resolve("tensorrt_llm_bls/1/model.py"));
    assertThat(dir.resolve("repo.partial")).doesNotExist();

    JsonNode manifest = JSON.readTree(out.resolve(TritonRepo.MANIFEST_FILE).toFile());
    assertThat(manifest.at("/values/triton_max_batch_size").asText()).isEqualTo("16");
    assertThat(manifest.at("/engine/maxBatchSize").asInt()).isEqualTo(16);
    JsonNode trtModel = manifest.at("/models/3");
    assertThat(trtModel.get("name").asText()).isEqualTo("tensorrt_llm");
    assertThat(trtModel.get("unset").toString()).contains("medusa_choices").doesNotContain("gpu_device_ids");
    assertThat(manifest.get("files").toString()).contains("tensorrt_llm/config.pbtxt");
    String sha = manifest.get("files").findValues("sha256").get(0).asText();
    assertThat(sha).hasSize(64);

    JsonNode msg = JSON.readTree(result.message().toJson());
    assertThat(msg.at("/artifacts/0/name").asText()).isEqualTo("model-repo");
    assertThat(msg.at("/artifacts/0/sha256").asText()).isEqualTo(ContentDigest.of(out).sha256());
    assertThat(msg.at("/info/logitsDatatype").asText()).isEqualTo("TYPE_FP16");
  }

  @Test
  void batchSizeDifferentFromTheEnginesIsRejected() {
    assertThatThrownBy(() -> TritonRepo.run(request(8, "TYPE_FP16", dir.resolve("repo"), Map.of())))
        .isInstanceOf(StageInputException.class)
        .hasMessageContaining("triton_max_batch_size 8 differs from the engine's build_config.max_batch_size 16");
    assertThat(dir.resolve("repo")).doesNotExist();
  }

  @Test
  void logitsDatatypeMustMatchTheEnginesLogitsDtype() throws IOException {
    writeEngine(engine, 16, "float16", "float32", "float16");
    assertThatThrownBy(() -> TritonRepo.run(request(16, "TYPE_FP16", dir.resolve("repo"), Map.of())))
        .isInstanceOf(StageInputException.class)
        .hasMessageContaining("logits dtype float32 (TYPE_FP32)")
        .hasMessageContaining("std::bad_cast");
    TritonRepo.run(request(16, "TYPE_FP32", dir.resolve("repo"), Map.of()));
  }

  @Test
  void autoLogitsDatatypeTakesTheEnginesLogitsDtype() throws IOException {
    writeEngine(engine, 16, "float16", "float32", "float16");
    TritonRepoResult result = TritonRepo.run(request(16, TritonRepoRequest.AUTO, dir.resolve("repo"), Map.of()));
    assertThat(Files.readString(dir.resolve("repo/ensemble/config.pbtxt"))).contains("data_type: TYPE_FP32");
    assertThat(Files.readString(dir.resolve("repo/tensorrt_llm/config.pbtxt")))
        .as("the input features still follow the model dtype").contains("data_type: TYPE_FP16");
    assertThat(result.manifest().values()).containsEntry("logits_datatype", "TYPE_FP32");
  }

  @Test
  void loraPrefetchNeedsAnEngineBuiltWithTheLoraPlugin() throws IOException {
    writeEngine(engine, 16, "float16", null, null);
    assertThatThrownBy(() -> TritonRepo.run(request(16, "TYPE_FP16", dir.resolve("repo"), Map.of())))
        .isInstanceOf(StageInputException.class)
        .hasMessageContaining("built without --lora_plugin");
  }

  @Test
  void loraPrefetchDirMustHoldConvertedWeights() throws IOException {
    Files.delete(prefetch.resolve("0/model.lora_weights.npy"));
    assertThatThrownBy(() -> TritonRepo.run(request(16, "TYPE_FP16", dir.resolve("repo"), Map.of())))
        .isInstanceOf(StageInputException.class)
        .hasMessageContaining("has no non-empty model.lora_weights.npy");
  }

  @Test
  void aPreviousOutputIsReplacedNeverRefilled() throws IOException {
    Path out = dir.resolve("repo");
    TritonRepo.run(request(16, "TYPE_FP16", out, Map.of()));
    writeEngine(engine, 8, "float16", null, "float16");
    TritonRepo.run(request(8, "TYPE_FP16", out, Map.of()));
    assertThat(Files.readString(out.resolve("tensorrt_llm/config.pbtxt")))
        .contains("max_batch_size: 8", "preferred_batch_size: [ 8 ]")
        .doesNotContain("max_batch_size: 16", "[ 16 ]");
  }

  /**
   * Identical runs at the same moment each run triton-repo into the same key's folder on the
   * shared volume (issue 13): every writer succeeds and the folder is one complete repository.
   */
  @Test
  void concurrentWritersOfTheSameOutputAllSucceedWithOneCompleteRepository() throws Exception {
    Path out = dir.resolve("repo");
    int writers = 8;
    java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(writers);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
    try {
      List<java.util.concurrent.Future<TritonRepoResult>> results = new java.util.ArrayList<>();
      for (int i = 0; i < writers; i++) {
        results.add(pool.submit(() -> {
          start.await();
          return TritonRepo.run(request(16, "TYPE_FP16", out, Map.of()));
        }));
      }
      java.util.Set<String> digests = new java.util.HashSet<>();
      for (var r : results) {
        digests.add(r.get().message().artifacts().get(0).sha256());
      }
      assertThat(digests).containsExactly(ContentDigest.of(out).sha256());
    } finally {
      pool.shutdownNow();
    }
    assertThat(out.resolve(TritonRepo.MANIFEST_FILE)).isRegularFile();
    assertThat(Files.readString(out.resolve("tensorrt_llm/config.pbtxt"))).contains("max_batch_size: 16");
    try (Stream<Path> siblings = Files.list(dir)) {
      assertThat(siblings.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("repo.partial"));
    }
  }

  @Test
  void aForeignNonEmptyOutputIsRefused() throws IOException {
    Path out = dir.resolve("repo");
    Files.createDirectories(out.resolve("tensorrt_llm"));
    Files.writeString(out.resolve("tensorrt_llm/config.pbtxt"), "max_batch_size: 4\n");
    assertThatThrownBy(() -> TritonRepo.run(request(16, "TYPE_FP16", out, Map.of())))
        .isInstanceOf(StageInputException.class)
        .hasMessageContaining("refusing to fill a used copy");
    assertThat(Files.readString(out.resolve("tensorrt_llm/config.pbtxt"))).isEqualTo("max_batch_size: 4\n");
  }

  @Test
  void aStructuralPlaceholderWithoutValueFailsTheOutputCheckWithItsLine() throws IOException {
    Path skeleton = dir.resolve("skeleton");
    copy(SKELETON, skeleton);
    Path cfg = skeleton.resolve("postprocessing/config.pbtxt");
    Files.writeString(cfg, Files.readString(cfg).replace("dynamic_batching {}",
        "dynamic_batching {\n  max_queue_delay_microseconds: ${postprocessing_queue_delay}\n}"));
    TritonRepoRequest r = request(skeleton, engine, prefetch, 16, "TYPE_FP16", dir.resolve("repo"), Map.of());
    assertThatThrownBy(() -> TritonRepo.run(r))
        .isInstanceOf(StageOutputException.class)
        .satisfies(e -> assertThat(((StageOutputException) e).problems())
            .singleElement().asString()
            .matches("postprocessing/config\\.pbtxt:\\d+: \\$\\{postprocessing_queue_delay} has no value"));
    assertThat(dir.resolve("repo")).doesNotExist();
    try (Stream<Path> siblings = Files.list(dir)) {
      assertThat(siblings.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("repo.partial"));
    }
  }

  @Test
  void aSkeletonWithoutTheFiveModelsIsBadInput() throws IOException {
    Path skeleton = dir.resolve("skeleton");
    copy(SKELETON, skeleton);
    Files.delete(skeleton.resolve("tensorrt_llm_bls/config.pbtxt"));
    TritonRepoRequest r = request(skeleton, engine, null, 16, "TYPE_FP16", dir.resolve("repo"), Map.of());
    assertThatThrownBy(() -> TritonRepo.run(r)).isInstanceOf(StageInputException.class)
        .hasMessageContaining("missing tensorrt_llm_bls/config.pbtxt");
  }

  @Test
  void setCannotOverrideCheckedValuesNorInjectQuotes() {
    assertThatThrownBy(() -> TritonRepo.run(request(16, "TYPE_FP16", dir.resolve("repo"),
        Map.of("triton_max_batch_size", "64"))))
        .hasMessageContaining("--set triton_max_batch_size: set by its own option");
    assertThatThrownBy(() -> TritonRepo.run(request(16, "TYPE_FP16", dir.resolve("repo"),
        Map.of("gpu_device_ids", "0\" }"))))
        .hasMessageContaining("quotes, backslashes");
  }

  @Test
  void anEngineDirWithoutConfigIsNamed() {
    TritonRepoRequest r = request(SKELETON, dir.resolve("wrong"), null, 16, "TYPE_FP16", dir.resolve("repo"), Map.of());
    assertThatThrownBy(() -> TritonRepo.run(r)).isInstanceOf(StageInputException.class)
        .hasMessageContaining("has no config.json");
  }

  private TritonRepoRequest request(int batch, String logits, Path out, Map<String, String> extra) {
    return request(SKELETON, engine, prefetch, batch, logits, out, extra);
  }

  private TritonRepoRequest request(Path skeleton, Path engineDir, Path prefetchDir, int batch, String logits,
      Path out, Map<String, String> extra) {
    TritonRepoParams params = new TritonRepoParams(skeleton.toString(), engineDir.toString(),
        dir.resolve("tokenizer").toString(), prefetchDir == null ? null : prefetchDir.toString(), batch, true,
        logits, "inflight_fused_batching", 0.9, 0, 1, 1, 1, out.toString());
    return new TritonRepoRequest(params, 0, true, extra);
  }

  /** An engine folder as trtllm-build writes it (config.json + rank0.engine). */
  static Path writeEngine(Path dir, int maxBatch, String dtype, String logitsDtype, String loraPlugin)
      throws IOException {
    Files.createDirectories(dir);
    String pretrained = "{\"architecture\": \"LlamaForCausalLM\", \"dtype\": \"" + dtype + "\""
        + (logitsDtype == null ? "" : ", \"logits_dtype\": \"" + logitsDtype + "\"") + "}";
    String plugin = loraPlugin == null ? "null" : "\"" + loraPlugin + "\"";
    Files.writeString(dir.resolve("config.json"), "{\"version\": \"1.0.0\", \"pretrained_config\": "
        + pretrained + ", \"build_config\": {\"max_batch_size\": " + maxBatch + ", \"max_input_len\": 2048, "
        + "\"max_seq_len\": 4096, \"max_beam_width\": 1, \"plugin_config\": {\"lora_plugin\": " + plugin
        + ", \"gemm_plugin\": \"auto\"}}}", StandardCharsets.UTF_8);
    Files.write(dir.resolve("rank0.engine"), new byte[] {0x7f, 1, 2, 3});
    return dir;
  }

  static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }
}
