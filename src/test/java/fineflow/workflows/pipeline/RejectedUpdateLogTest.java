package fineflow.workflows.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import fineflow.workflows.contract.FailureType;
import fineflow.workflows.plan.Plan;
import fineflow.workflows.plan.Planner;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.spec.PipelineSpec;
import io.temporal.client.WorkflowUpdateException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A rejected resume or abort is an answer to the user, not a failure of the run: the worker logs
 * it in one line, with no stack trace and nothing that reads "Workflow execution failure".
 */
class RejectedUpdateLogTest {
  private PipelineTestEnv temporal;
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  @BeforeEach
  void start() {
    temporal = new PipelineTestEnv();
    temporal.cluster.secrets.put(TestPlans.HF_SECRET, "hf_token_of_the_test");
    log.start();
    root.addAppender(log);
  }

  @AfterEach
  void stop() {
    root.detachAppender(log);
    temporal.close();
  }

  private List<ILoggingEvent> about(String runId) {
    return log.list.stream().filter(e -> e.getFormattedMessage().contains(runId)).toList();
  }

  @Test
  void aResumeOfARunThatIsNotPausedLogsOneLine() {
    PipelineSpec spec = TestPlans.spec("dazai");
    temporal.cluster.runtimes.put(StageName.DATASET_PREP, Duration.ofHours(2));
    PipelineWorkflow run = temporal.start(new PipelineRequest("dazai-00000021", "ml", spec,
        TestPlans.plan(spec, "v1")));
    temporal.sleep(Duration.ofMinutes(1));

    assertThatThrownBy(() -> run.resume(ResumeRequest.assignments(List.of("engine.maxBatchSize=8"))))
        .isInstanceOf(WorkflowUpdateException.class).rootCause().hasMessageContaining("not paused");
    assertThatThrownBy(() -> run.abort(new AbortRequest("not now")))
        .isInstanceOf(WorkflowUpdateException.class).rootCause().hasMessageContaining("not paused");

    assertThat(about("dazai-00000021")).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
        "run dazai-00000021: resume rejected: cannot resume run dazai-00000021: it is running, not paused",
        "run dazai-00000021: abort rejected: cannot abort run dazai-00000021: it is running, not paused");
    assertThat(log.list).allSatisfy(e -> {
      assertThat(e.getThrowableProxy()).as(e.getFormattedMessage()).isNull();
      assertThat(e.getFormattedMessage()).doesNotContain("Workflow execution failure");
    });
  }

  @Test
  void aResumeWithABadPatchLogsOneLineNamingEveryProblem() {
    PipelineSpec spec = TestPlans.spec("dazai");
    Plan plan = Planner.plan(spec);
    temporal.cluster.failingKeys.put(TestPlans.pinned(plan).stage(StageName.ENGINE_BUILD).orElseThrow().cacheKey(),
        FailureType.OUT_OF_MEMORY);
    PipelineWorkflow run = temporal.start(new PipelineRequest("dazai-00000022", "ml", spec, plan));
    temporal.sleep(Duration.ofHours(2));
    assertThat(run.progress().runState()).isEqualTo(RunState.PAUSED);
    log.list.clear();

    assertThatThrownBy(() -> run.resume(ResumeRequest.assignments(
        List.of("engine.maxBatchSize=0", "serving.kvCacheFreeGpuMemFraction=2"))))
        .isInstanceOf(WorkflowUpdateException.class);

    assertThat(about("dazai-00000022")).singleElement().satisfies(e -> {
      assertThat(e.getFormattedMessage()).startsWith("run dazai-00000022: resume rejected: the patched spec is")
          .contains("engine.maxBatchSize", "serving.kvCacheFreeGpuMemFraction").doesNotContain("\n");
      assertThat(e.getThrowableProxy()).isNull();
    });
    assertThat(log.list).noneSatisfy(e -> assertThat(e.getThrowableProxy()).isNotNull());
  }
}
