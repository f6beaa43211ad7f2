package fineflow.workflows.plan;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.workflows.spec.EngineSpec;
import fineflow.workflows.spec.PipelineSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The parameter records of the stages stage_runner.py wraps render the NVIDIA tool's argv exactly
 * as the planner does today (issue 17: only the wrapper's part changes), and read back as written.
 */
class WrappedToolParamsTest {
  private final PipelineSpec spec = SeedSpecs.elyzaQloraTriton();
  private final Plan plan = Planner.plan(spec);

  private static List<String> tool(List<String> argv) {
    return argv.subList(argv.indexOf("--") + 1, argv.size());
  }

  @Test
  void engineBuildParamsRenderTodaysTrtllmBuildArgv() {
    EngineSpec e = spec.engine();
    Stage planned = plan.stage(StageName.ENGINE_BUILD).orElseThrow();
    EngineBuildParams params = new EngineBuildParams(plan.stage(StageName.CHECKPOINT_CONVERT)
        .orElseThrow().produces().get(0).path(), planned.produces().get(0).path(), e.dtype(),
        e.maxBatchSize(), e.maxInputLen(), e.maxSeqLen(), e.maxNumTokens(), e.maxBeamWidth(),
        e.kvCacheType(), new EngineBuildParams.Lora(e.dtype(), e.lora().maxRank(),
            EngineBuild.loraTargets(spec)));
    assertThat(tool(params.argv())).isEqualTo(tool(planned.argv()));
    assertThat(params.argv().subList(0, 4)).containsExactly("python3",
        "/opt/fineflow-programs/stage_runner.py", "--params", params.json());
    assertThat(StageParams.fromJson(params.json(), EngineBuildParams.class)).isEqualTo(params);
    assertThat(params.json()).contains("\"stage\":\"engine-build\"", "\"maxBatchSize\":"
        + e.maxBatchSize(), "\"maxRank\":" + e.lora().maxRank());
  }

  @Test
  void loraConvertParamsRenderTodaysConverterArgv() {
    EngineSpec e = spec.engine();
    Stage planned = plan.stage(StageName.LORA_CONVERT).orElseThrow();
    String adapter = plan.stage(StageName.TRAIN).orElseThrow().produces().get(0).path();
    List<String> today = tool(planned.argv());
    LoraConvertParams params = new LoraConvertParams(today.get(today.indexOf("-i") + 1),
        planned.produces().get(0).path(), e.lora().taskId(), e.loraStorageType(),
        e.lora().maxRank(), EngineBuild.loraTargets(spec));
    assertThat(tool(params.argv())).isEqualTo(today);
    assertThat(params.adapterDir()).startsWith(adapter.substring(0, adapter.lastIndexOf('/')));
    assertThat(StageParams.fromJson(params.json(), LoraConvertParams.class)).isEqualTo(params);
  }
}
