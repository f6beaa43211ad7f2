package fineflow.activities.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fineflow.workflows.plan.BenchmarkParams;
import fineflow.workflows.spec.BenchmarkTool;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchmarkArgvTest {

  @Test
  void genaiPerfAgainstTritonKserve() {
    List<String> argv = BenchmarkArgv.genaiPerf("http://elyza-3f2a9c1d7e4b.fineflow.svc:8001", "ensemble",
        "elyza/ELYZA-japanese-Llama-2-7b-instruct", "kserve", 16, 512, 256, 160, true,
        Path.of("/workspace/cache/benchmark-abc"));

    assertThat(argv).containsExactly("genai-perf", "profile", "-m", "ensemble", "--endpoint-type", "kserve",
        "--backend", "tensorrtllm", "-u", "elyza-3f2a9c1d7e4b.fineflow.svc:8001",
        "--tokenizer", "elyza/ELYZA-japanese-Llama-2-7b-instruct", "--concurrency", "16",
        "--synthetic-input-tokens-mean", "512", "--synthetic-input-tokens-stddev", "0",
        "--output-tokens-mean", "256", "--output-tokens-stddev", "0",
        "--extra-inputs", "min_tokens:256", "--request-count", "160",
        "--random-seed", "42", "--streaming",
        // The parent: genai-perf appends ensemble-triton-tensorrtllm-concurrency16 itself.
        "--artifact-dir", "/workspace/cache/benchmark-abc",
        "--profile-export-file", "profile_export.json");
  }

  @Test
  void genaiPerfAgainstAnOpenAiChatServerWithoutStreaming() {
    List<String> argv = BenchmarkArgv.genaiPerf("http://gpt-oss.fineflow.svc:8000", "openai/gpt-oss-20b",
        "openai/gpt-oss-20b", "chat", 256, 512, 256, 2560, false, Path.of("/out/x"));

    assertThat(argv).containsSubsequence("--endpoint-type", "chat", "-u", "http://gpt-oss.fineflow.svc:8000")
        .containsSubsequence("--extra-inputs", "ignore_eos:true")
        .doesNotContain("--backend", "--streaming");
    assertThat(BenchmarkArgv.genaiPerfFolder("openai/gpt-oss-20b", "chat", 256))
        .isEqualTo("openai_gpt-oss-20b-openai-chat-concurrency256");
    assertThat(BenchmarkArgv.genaiPerfFolder("ensemble", "kserve", 1))
        .isEqualTo("ensemble-triton-tensorrtllm-concurrency1");
  }

  @Test
  void vllmBenchServe() {
    List<String> argv = BenchmarkArgv.vllmBench("http://elyza-vllm.fineflow.svc:8000",
        "elyza/ELYZA-japanese-Llama-2-7b-instruct", "elyza/ELYZA-japanese-Llama-2-7b-instruct", "completions",
        16, 512, 256, 160, Path.of("/out/baseline"));

    assertThat(argv).containsExactly("vllm", "bench", "serve", "--backend", "openai",
        "--base-url", "http://elyza-vllm.fineflow.svc:8000", "--endpoint", "/v1/completions",
        "--model", "elyza/ELYZA-japanese-Llama-2-7b-instruct",
        "--tokenizer", "elyza/ELYZA-japanese-Llama-2-7b-instruct", "--dataset-name", "random",
        "--random-input-len", "512", "--random-output-len", "256", "--ignore-eos",
        "--max-concurrency", "16", "--num-prompts", "160", "--request-rate", "inf", "--seed", "42",
        "--percentile-metrics", "ttft,tpot,itl,e2el", "--metric-percentiles", "50,90,95,99",
        "--save-result", "--result-dir", "/out/baseline", "--result-filename", "vllm-concurrency16.json");
    assertThat(BenchmarkArgv.vllmBench("u", "m", "t", "chat", 1, 1, 1, 1, Path.of("d")))
        .containsSubsequence("--backend", "openai-chat", "--endpoint", "/v1/chat/completions");
  }

  static BenchmarkOptions options(BenchmarkTool tool, String endpoint, boolean streaming, String baselineUrl) {
    return new BenchmarkOptions(new BenchmarkParams(tool == BenchmarkTool.GENAI_PERF ? "genai-perf" : "vllm-bench",
        "u", "m", "t", List.of(1, 4), 512, 256, List.of(32, 40), streaming, endpoint,
        baselineUrl, baselineUrl == null ? null : "b", "out"), null, null, null);
  }

  @Test
  void optionsRejectCombinationsThatCannotMeasure() {
    assertThatThrownBy(() -> options(BenchmarkTool.VLLM_BENCH, "kserve", true, null))
        .hasMessageContaining("OpenAI API only");
    assertThatThrownBy(() -> options(BenchmarkTool.VLLM_BENCH, "chat", false, null))
        .hasMessageContaining("always streams");
    assertThatThrownBy(() -> options(BenchmarkTool.GENAI_PERF, "kserve", false, "http://b"))
        .hasMessageContaining("--baseline-tool genai-perf");
    assertThatThrownBy(() -> options(BenchmarkTool.GENAI_PERF, "grpc", true, null))
        .hasMessageContaining("endpointType");
    BenchmarkOptions ok = options(BenchmarkTool.GENAI_PERF, "kserve", true, "http://b");
    assertThat(ok.baselineEndpointType()).isEqualTo("completions");
    assertThat(ok.requestsAt(1)).isEqualTo(32);
    assertThat(ok.requestsAt(4)).isEqualTo(40);
    BenchmarkOptions perLevel = new BenchmarkOptions(new BenchmarkParams("genai-perf", "u", "m", "t", List.of(1, 4),
        512, 256, List.of(38, 40), true, "kserve", null, null, "out"), null, null, null);
    assertThat(perLevel.requestsAt(1)).isEqualTo(38);
    assertThat(perLevel.requestsAt(4)).isEqualTo(40);
    assertThatThrownBy(() -> new BenchmarkOptions(new BenchmarkParams("genai-perf", "u", "m", "t", List.of(1, 4, 8),
        512, 256, List.of(38, 40), true, "kserve", null, null, "out"), null, null, null))
        .hasMessageContaining("one count per concurrency level (3)");
  }
}
