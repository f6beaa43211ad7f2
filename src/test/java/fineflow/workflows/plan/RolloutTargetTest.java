package fineflow.workflows.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.ServingBackend;
import fineflow.workflows.spec.SpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    RolloutTarget t = RolloutTarget.of(plan.stage(StageName.ROLLOUT).orElseThrow());

    assertThat(t.backend()).isEqualTo(ServingBackend.TRITON);
    assertThat(t.app()).isEqualTo("elyza-7b-qlora-triton");
    assertThat(t.servedModel()).isEqualTo("ensemble");
    assertThat(t.loraTaskId()).isNotNull();
    RolloutParams params = plan.stage(StageName.ROLLOUT).orElseThrow().params(RolloutParams.class);
    PipelineSpec spec = SpecLoader.load(Files.readString(Path.of("configs", "elyza-7b-qlora-triton.yaml")), "spec");
    assertThat(params.servedMaxBatchSize()).isEqualTo(spec.engine().maxBatchSize());
    assertThat(plan.stage(StageName.ROLLOUT).orElseThrow().argv())
        .contains("--backend-config=tensorrtllm,default-max-batch-size=" + params.servedMaxBatchSize());
    RolloutTarget baseline = RolloutTarget.of(plan.stage(StageName.BASELINE).orElseThrow());
    assertThat(baseline.backend()).isEqualTo(ServingBackend.VLLM);
    assertThat(baseline.hasAdapter()).isFalse();
    assertThat(baseline.gated()).isFalse();
  }

  @Test
  void trtllmServeRolloutNamesTheAdapterAndItsPathWhenTraining() throws Exception {
    Stage rollout = plan("gpt-oss-20b-trtllm-serve.yaml").stage(StageName.ROLLOUT).orElseThrow();

    RolloutTarget t = RolloutTarget.of(rollout);

    assertThat(t.backend()).isEqualTo(ServingBackend.TRTLLM_SERVE);
    assertThat(t.servedModel()).isEqualTo(rollout.argv().get(2));
    assertThat(t.adapterName() == null).isEqualTo(t.adapterPath() == null);
    assertThat(rollout.files()).containsKey(ServingEndpoint.EXTRA_OPTIONS_PATH);
  }

  @Test
  void theTargetTravelsTypedInTheParametersNotInTheServersEnv() throws Exception {
    Stage rollout = plan("elyza-7b-qlora-triton.yaml").stage(StageName.ROLLOUT).orElseThrow();

    assertThat(rollout.params(RolloutParams.class).target()).isEqualTo(RolloutTarget.of(rollout));
    assertThat(rollout.env()).doesNotContainKeys(RolloutTarget.PREFIX + "BACKEND", RolloutTarget.PREFIX + "APP");
    RolloutParams params = rollout.params(RolloutParams.class);
    assertThat(rollout.argv()).isEqualTo(params.server().argv());
    // The server's settings are typed; its argv is rendered from them, and the canonical JSON
    // (what the cache key hashes) reads back to the same record.
    PipelineSpec spec = SpecLoader.load(Files.readString(Path.of("configs", "elyza-7b-qlora-triton.yaml")), "spec");
    assertThat(params.server()).isInstanceOfSatisfying(TritonServerCommand.class, t -> {
      assertThat(t.maxBatchSize()).isEqualTo(spec.engine().maxBatchSize());
      assertThat(t.worldSize()).isEqualTo(spec.engine().worldSize());
      assertThat(rollout.volumes()).extracting(VolumeMount::mountPath).contains(t.modelRepository());
    });
    assertThat(StageParams.fromJson(params.json(), RolloutParams.class)).isEqualTo(params);
  }

  /** A stage planned before stage parameters carried its target in its env: still read. */
  @Test
  void aStagePlannedBeforeParametersIsReadFromItsEnvAndErrorsNameTheKey() {
    RolloutTarget t = new RolloutTarget(ServingBackend.VLLM, "elyza", "m", "adapter", null, null, true, 2, null);
    Stage recorded = new Stage(StageName.ROLLOUT, StageKind.DEPLOYMENT, "img", List.of("vllm", "serve", "m"),
        Map.of("FINEFLOW_ROLLOUT_BACKEND", "vllm", "FINEFLOW_ROLLOUT_APP", "elyza",
            "FINEFLOW_ROLLOUT_SERVED_MODEL", "m", "FINEFLOW_ROLLOUT_ADAPTER_NAME", "adapter",
            "FINEFLOW_ROLLOUT_GATED", "true", "FINEFLOW_ROLLOUT_REPLICAS", "2"),
        List.of(), Resources.cpuOnly("1", "1Gi"), List.of(), 60, 60, List.of(), List.of(), "k".repeat(64), "s");

    assertThat(RolloutTarget.of(recorded)).isEqualTo(t);
    assertThat(t.smokePrompt()).isEqualTo(RolloutTarget.DEFAULT_SMOKE_PROMPT);
    assertThatThrownBy(() -> RolloutTarget.fromEnv(Map.of())).hasMessageContaining("FINEFLOW_ROLLOUT_BACKEND");
    assertThatThrownBy(() -> RolloutTarget.fromEnv(Map.of("FINEFLOW_ROLLOUT_BACKEND", "vllm",
        "FINEFLOW_ROLLOUT_APP", "Elyza", "FINEFLOW_ROLLOUT_SERVED_MODEL", "m"))).hasMessageContaining("DNS label");
    assertThatThrownBy(() -> new RolloutTarget(ServingBackend.TRTLLM_SERVE, "x", "m", "adapter", null, null,
        false, 1, null)).hasMessageContaining("adapterPath");
  }
}
