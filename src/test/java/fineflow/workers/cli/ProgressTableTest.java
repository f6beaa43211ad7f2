package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.workflows.pipeline.GateStatus;
import fineflow.workflows.pipeline.RunProgress;
import fineflow.workflows.pipeline.RunState;
import fineflow.workflows.pipeline.StageState;
import fineflow.workflows.pipeline.StageStatus;
import fineflow.workflows.plan.StageName;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code status} prints for a running stage: its progress read out, not the pod's JSON. */
class ProgressTableTest {
  static final Instant START = Instant.parse("2026-11-26T01:00:00Z");

  static RunProgress running(StageName stage, String line) {
    StageStatus row = new StageStatus(stage, StageState.RUNNING, new StageStatus.Identity("ab".repeat(32), stage.id(), null),
        new StageStatus.Launch(1, START, null, "demo-1-" + stage.id() + "-1", "demo-1-" + stage.id() + "-1-pod"),
        null, null, null).withProgress(null, line);
    return new RunProgress("demo-1", "demo", "m", "triton", "cd".repeat(32), 1, RunState.RUNNING, START, null,
        stage, null, null, List.of(row), new GateStatus(false, null, false, null, null), List.of());
  }

  @Test
  void aTrainingStepIsShownAsStepEpochAndLoss() {
    String out = ProgressTable.render(running(StageName.TRAIN,
        "{\"event\":\"progress\",\"step\":4,\"totalSteps\":4,\"epoch\":1.0,\"loss\":1.795,\"simulated\":true}"));

    assertThat(out).contains("step 4/4, epoch 1.0, loss 1.795").doesNotContain("{", "\"event\"");
  }

  @Test
  void theTrainersFullLineKeepsWhatMattersAndDropsNulls() {
    String line = "{\"event\": \"progress\", \"step\": 30, \"totalSteps\": 120, \"epoch\": 0.7462686567164178,"
        + " \"loss\": 1.9123456, \"eval_loss\": null, \"lr\": 0.0002, \"tokens_per_s\": 5123.4,"
        + " \"gpu_mem_bytes\": 16106127360}";

    assertThat(ProgressTable.render(running(StageName.TRAIN, line)))
        .contains("step 30/120, epoch 0.75, loss 1.912").doesNotContain("eval", "null", "{");
    assertThat(ProgressLine.parse(line.replace("null", "2.05")).text())
        .isEqualTo("step 30/120, epoch 0.75, loss 1.912, eval loss 2.05");
  }

  @Test
  void aBenchmarkStepNamesItsTargetAndConcurrency() {
    String out = ProgressTable.render(running(StageName.BENCHMARK,
        "{\"event\":\"progress\",\"step\":1,\"totalSteps\":4,\"target\":\"baseline\",\"concurrency\":4}"));

    assertThat(out).contains("step 1/4, baseline at concurrency 4");
  }

  @Test
  void aLineThatIsNotJsonIsShownAsPrinted() {
    assertThat(ProgressTable.render(running(StageName.ENGINE_BUILD, "[TensorRT-LLM] building layer 12 of 30")))
        .contains("[TensorRT-LLM] building layer 12 of 30");
    assertThat(ProgressLine.parse("{not json").text()).isEqualTo("{not json");
    assertThat(ProgressLine.parse(null).text()).isEmpty();
    assertThat(ProgressLine.parse("{\"step\":2,\"totalSteps\":8,\"loss\":0.5}").extra()).isEqualTo("loss 0.5");
  }
}
