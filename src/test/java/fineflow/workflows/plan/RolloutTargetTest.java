package fineflow.workflows.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.ServingBackend;
import fineflow.workflows.spec.SpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The planner's deployment stages carry what the rollout executor needs. */
class RolloutTargetTest {

  static Plan plan(String config) throws Exception {
    PipelineSpec spec = SpecLoader.load(Files.readString(Path.of("configs", config)), config);
    return Planner.plan(spec);
  }

  @Test
  void tritonRolloutCarriesBatchSizeTaskIdAndGate() throws Exception {
    Plan plan = plan("elyza-7b-qlora-triton.yaml");

    RolloutTarget t = RolloutTarget.fromEnv(plan.stage(StageName.ROLLOUT).orElseThrow().env());

    assertThat(t.backend()).isEqualTo(ServingBackend.TRITON);
    assertThat(t.app()).isEqualTo("elyza-7b-qlora-triton");
    assertThat(t.servedModel()).isEqualTo("ensemble");
    assertThat(t.loraTaskId()).isNotNull();
    assertThat(plan.stage(StageName.ROLLOUT).orElseThrow().argv())
        .contains("--backend-config=tensorrtllm,default-max-batch-size=" + t.maxBatchSize());
    RolloutTarget baseline = RolloutTarget.fromEnv(plan.stage(StageName.BASELINE).orElseThrow().env());
    assertThat(baseline.backend()).isEqualTo(ServingBackend.VLLM);
    assertThat(baseline.hasAdapter()).isFalse();
    assertThat(baseline.gated()).isFalse();
  }

  @Test
  void trtllmServeRolloutNamesTheAdapterAndItsPathWhenTraining() throws Exception {
    Stage rollout = plan("gpt-oss-20b-trtllm-serve.yaml").stage(StageName.ROLLOUT).orElseThrow();

    RolloutTarget t = RolloutTarget.fromEnv(rollout.env());

    assertThat(t.backend()).isEqualTo(ServingBackend.TRTLLM_SERVE);
    assertThat(t.servedModel()).isEqualTo(rollout.argv().get(2));
    assertThat(t.adapterName() == null).isEqualTo(t.adapterPath() == null);
    assertThat(rollout.files()).containsKey(ServingEndpoint.EXTRA_OPTIONS_PATH);
  }

  @Test
  void envRoundTripAndErrors() {
    RolloutTarget t = new RolloutTarget(ServingBackend.VLLM, "elyza", "m", "adapter", null, null, null, true, 2, null);

    assertThat(RolloutTarget.fromEnv(t.toEnv())).isEqualTo(t);
    assertThat(t.smokePrompt()).isEqualTo(RolloutTarget.DEFAULT_SMOKE_PROMPT);
    assertThatThrownBy(() -> RolloutTarget.fromEnv(Map.of())).hasMessageContaining("FINEFLOW_ROLLOUT_BACKEND");
    assertThatThrownBy(() -> RolloutTarget.fromEnv(Map.of("FINEFLOW_ROLLOUT_BACKEND", "vllm",
        "FINEFLOW_ROLLOUT_APP", "Elyza", "FINEFLOW_ROLLOUT_SERVED_MODEL", "m"))).hasMessageContaining("DNS label");
    assertThatThrownBy(() -> new RolloutTarget(ServingBackend.TRTLLM_SERVE, "x", "m", "adapter", null, null, null,
        false, 1, null)).hasMessageContaining("adapterPath");
  }
}
