package fineflow.workflows.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fineflow.workflows.spec.PipelineSpec;
import org.junit.jupiter.api.Test;

/**
 * Server and benchmark argv of the trtllm-serve and vLLM paths (docs/manual-procedure.md
 * "trtllm-serve", "Benchmarks").
 */
class ServingArgvTest {

  @Test
  void gptOssOnTrtllmServeWithTheSeedLimitsAndOptions() {
    Plan plan = Planner.plan(SeedSpecs.gptOssTrtllmServe());
    Stage rollout = plan.stage(StageName.ROLLOUT).orElseThrow();
    assertThat(rollout.kind()).isEqualTo(StageKind.DEPLOYMENT);
    assertThat(rollout.image()).isEqualTo("nvcr.io/nvidia/tensorrt-llm/release:1.0.0");
    assertThat(rollout.argv()).containsExactly(
        "trtllm-serve", "serve", SeedSpecs.snapshot("openai/gpt-oss-20b"),
        "--host", "0.0.0.0", "--port", "8000", "--backend", "pytorch",
        "--max_batch_size", "256", "--max_seq_len", "32768", "--max_num_tokens", "262144",
        "--kv_cache_free_gpu_memory_fraction", "0.9", "--tp_size", "1", "--trust_remote_code",
        "--extra_llm_api_options", "/etc/fineflow/extra-llm-api-options.yaml");
    assertThat(rollout.files()).containsOnlyKeys("/etc/fineflow/extra-llm-api-options.yaml");
    assertThat(rollout.files().get("/etc/fineflow/extra-llm-api-options.yaml")).isEqualTo(
        "{\"cuda_graph_config\":{\"enable_padding\":true,\"max_batch_size\":256},"
            + "\"enable_attention_dp\":false,\"moe_config\":{\"backend\":\"TRITON\"}}\n");
    assertThat(rollout.usesGpu()).isTrue();
  }

  @Test
  void vllmBaselineServesTheSameModelWithoutTheCandidatesOptions() {
    Plan plan = Planner.plan(SeedSpecs.gptOssTrtllmServe());
    Stage baseline = plan.stage(StageName.BASELINE).orElseThrow();
    assertThat(baseline.image()).isEqualTo("vllm/vllm-openai:v0.11.0");
    assertThat(baseline.argv()).containsExactly(
        "vllm", "serve", SeedSpecs.snapshot("openai/gpt-oss-20b"), "--host", "0.0.0.0", "--port", "8000",
        "--max-num-seqs", "256", "--max-model-len", "32768",
        "--gpu-memory-utilization", "0.9", "--trust-remote-code");
    assertThat(baseline.files()).isEmpty();
  }

  @Test
  void benchmarkComparesCandidateAndBaselineOverChat() {
    Plan plan = Planner.plan(SeedSpecs.gptOssTrtllmServe());
    String rollout = "gpt-oss-20b-rollout-" + plan.stage(StageName.ROLLOUT).orElseThrow().shortKey();
    String baseline = "gpt-oss-20b-baseline-" + plan.stage(StageName.BASELINE).orElseThrow().shortKey();
    Stage bench = plan.stage(StageName.BENCHMARK).orElseThrow();
    BenchmarkParams p = bench.params(BenchmarkParams.class);
    assertThat(p.url()).isEqualTo("http://" + rollout + ":8000");
    assertThat(p.model()).isEqualTo(SeedSpecs.snapshot("openai/gpt-oss-20b"));
    assertThat(p.endpointType()).isEqualTo("chat");
    assertThat(p.baselineUrl()).isEqualTo("http://" + baseline + ":8000");
    assertThat(p.baselineModel()).isEqualTo(SeedSpecs.snapshot("openai/gpt-oss-20b"));
    assertThat(p.concurrency()).containsExactly(1, 2, 4, 8, 16, 32, 64, 128, 256);
    assertThat(bench.consumes()).containsExactly(StageName.ROLLOUT, StageName.BASELINE);
    assertThat(bench.usesGpu()).isFalse();
  }

  @Test
  void vllmCandidateServesTheAdapter() {
    PipelineSpec spec = SeedSpecs.with(SeedSpecs.elyzaQloraTriton(), "serving.backend", "\"vllm\"");
    spec = SeedSpecs.with(spec, "serving.extraOptions",
        "{\"enable-prefix-caching\": true, \"enforce-eager\": false, \"swap-space\": 4}");
    Plan plan = Planner.plan(spec);
    String train = "/workspace/cache/train-" + plan.stage(StageName.TRAIN).orElseThrow().shortKey();
    Stage rollout = plan.stage(StageName.ROLLOUT).orElseThrow();
    assertThat(rollout.argv()).containsExactly(
        "vllm", "serve", SeedSpecs.snapshot(SeedSpecs.ELYZA), "--host", "0.0.0.0", "--port", "8000",
        "--max-num-seqs", "16", "--max-model-len", "4096",
        "--gpu-memory-utilization", "0.9",
        "--enable-lora", "--lora-modules", "adapter=" + train + "/adapter", "--max-lora-rank", "8",
        "--enable-prefix-caching", "--swap-space", "4");
    assertThat(rollout.consumes()).containsExactly(StageName.TRAIN);
    assertThat(rollout.volumes()).contains(
        new VolumeMount(train.substring("/workspace/".length()), train, true));
  }

  @Test
  void trtllmServeCandidateLoadsTheAdapterThroughItsLoraConfig() {
    Plan plan = Planner.plan(
        SeedSpecs.with(SeedSpecs.elyzaQloraTriton(), "serving.backend", "\"trtllm-serve\""));
    String train = "/workspace/cache/train-" + plan.stage(StageName.TRAIN).orElseThrow().shortKey();
    Stage rollout = plan.stage(StageName.ROLLOUT).orElseThrow();
    assertThat(rollout.files().get(ServingEndpoint.EXTRA_OPTIONS_PATH)).isEqualTo(
        "{\"lora_config\":{\"lora_dir\":[\"" + train + "/adapter\"],\"max_lora_rank\":8}}\n");
  }

  @Test
  void tritonCannotBeTheBaseline() {
    PipelineSpec spec = SeedSpecs.with(SeedSpecs.elyzaQloraTriton(), "benchmark.baseline",
        "\"triton\"");
    assertThatThrownBy(() -> Planner.plan(spec)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("benchmark.baseline");
  }

  @Test
  void serviceNamesAreDnsLabels() {
    Stage rollout = Planner.plan(SeedSpecs.elyzaQloraTriton()).stage(StageName.ROLLOUT).orElseThrow();
    String longName = ServingEndpoint.serviceName("9-" + "x".repeat(80) + "_Y", rollout);
    assertThat(longName).hasSizeLessThanOrEqualTo(63).matches("[a-z]([-a-z0-9]*[a-z0-9])?")
        .startsWith("ff-9-xxx").endsWith("-rollout-" + rollout.shortKey());
  }
}
