package fineflow.activities.benchmark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The exact argv of one benchmark run (docs/upstream-tools.md "genai-perf", "vllm bench serve";
 * the manual run's command lines in docs/manual-procedure.md "Benchmarks"),
 * as a list: the tools are started directly, never through a shell.
 */
public final class BenchmarkArgv {

  static final int RANDOM_SEED = 42;

  private BenchmarkArgv() {
  }

  /**
   * {@code genai-perf profile} for one concurrency level. Lengths are fixed (stddev 0, seeded)
   * and every request generates all its output tokens, as {@code vllm bench serve --ignore-eos}
   * does: {@code ignore_eos} on OpenAI endpoints (vLLM and trtllm-serve read it), the ensemble's
   * {@code min_tokens} input on Triton (genai-perf's own --output-tokens-mean-deterministic sends
   * {@code min_length}, which the ensemble does not declare). genai-perf names its folder
   * ({@link #genaiPerfFolder}) under {@code artifactDir}, so one directory holds the sweep.
   */
  public static List<String> genaiPerf(String url, String model, String tokenizer, String endpointType,
      int concurrency, int inputTokens, int outputTokens, int requests, boolean streaming, Path artifactDir) {
    List<String> argv = new ArrayList<>(List.of("genai-perf", "profile", "-m", model,
        "--endpoint-type", endpointType));
    boolean kserve = endpointType.equals("kserve");
    if (kserve) {
      argv.addAll(List.of("--backend", "tensorrtllm"));
    }
    argv.addAll(List.of(
        "-u", kserve ? withoutScheme(url) : url,
        "--tokenizer", tokenizer,
        "--concurrency", Integer.toString(concurrency),
        "--synthetic-input-tokens-mean", Integer.toString(inputTokens),
        "--synthetic-input-tokens-stddev", "0",
        "--output-tokens-mean", Integer.toString(outputTokens),
        "--output-tokens-stddev", "0",
        "--extra-inputs", kserve ? "min_tokens:" + outputTokens : "ignore_eos:true",
        "--request-count", Integer.toString(requests),
        "--random-seed", Integer.toString(RANDOM_SEED)));
    if (streaming) {
      argv.add("--streaming");
    }
    argv.addAll(List.of("--artifact-dir", artifactDir.toString(),
        "--profile-export-file", "profile_export.json"));
    return argv;
  }

  /** The folder genai-perf would name by default: {@code <model>-<kind>-concurrency<N>}. */
  public static String genaiPerfFolder(String model, String endpointType, int concurrency) {
    String kind = endpointType.equals("kserve") ? "triton-tensorrtllm" : "openai-" + endpointType;
    return model.replace('/', '_') + "-" + kind + "-concurrency" + concurrency;
  }

  /** {@code vllm bench serve} for one concurrency level, saving its JSON result. */
  public static List<String> vllmBench(String url, String model, String tokenizer, String endpointType,
      int concurrency, int inputTokens, int outputTokens, int requests, Path resultDir) {
    boolean chat = endpointType.equals("chat");
    return List.of("vllm", "bench", "serve",
        "--backend", chat ? "openai-chat" : "openai",
        "--base-url", url,
        "--endpoint", chat ? "/v1/chat/completions" : "/v1/completions",
        "--model", model,
        "--tokenizer", tokenizer,
        "--dataset-name", "random",
        "--random-input-len", Integer.toString(inputTokens),
        "--random-output-len", Integer.toString(outputTokens),
        "--ignore-eos",
        "--max-concurrency", Integer.toString(concurrency),
        "--num-prompts", Integer.toString(requests),
        "--request-rate", "inf",
        "--seed", Integer.toString(RANDOM_SEED),
        "--percentile-metrics", "ttft,tpot,itl,e2el",
        "--metric-percentiles", "50,90,95,99",
        "--save-result",
        "--result-dir", resultDir.toString(),
        "--result-filename", vllmFile(concurrency));
  }

  public static String vllmFile(int concurrency) {
    return "vllm-concurrency" + concurrency + ".json";
  }

  private static String withoutScheme(String url) {
    return url.replaceFirst("^[a-z]+://", "").replaceFirst("/$", "");
  }
}
