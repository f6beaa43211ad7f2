package fineflow.engines.kubernetes;

import static fineflow.engines.kubernetes.RealStack.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import fineflow.activities.kubernetes.FineflowLabels;
import fineflow.activities.rollout.RolloutObjects;
import fineflow.workers.dev.DevOptions;
import fineflow.workers.dev.EngineChoice;
import fineflow.workflows.pipeline.ResumeRequest;
import fineflow.workflows.pipeline.RunOutcome;
import fineflow.workflows.pipeline.RunProgress;
import fineflow.workflows.pipeline.RunState;
import fineflow.workflows.pipeline.StageState;
import fineflow.workflows.pipeline.StageStatus;
import fineflow.workflows.plan.PlanDiff;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.contract.FailureType;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, items 6, 3 and 4: the three user flows end to end on the real Temporal server and a
 * real Kubernetes control plane (the real Job, ReplicaSet, Deployment, TTL and garbage-collection
 * controllers, the real scheduler, RBAC exactly k8s/role.yaml), with fineflow's node agent as the
 * GPU node. What ran is counted from the API server, not from fineflow's own record.
 *
 * <p>One stack for the class, so the flows run in order: the stack's injected failure
 * ({@code --fail-stage engine-build}, once) belongs to the first run.
 */
@Tag("real-kubernetes")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealClusterFlowTest {
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(6);

  @TempDir
  static Path dir;
  static RealStack real;

  @BeforeAll
  static void startStack() {
    // Speed 2: the model servers' readiness probes wait 5 s, long enough to cancel a rollout
    // before it is ready; simulated GPU stages take 2 s each.
    real = RealStack.start(new DevOptions(0, 0, dir.resolve("workspace"), 2, Duration.ofSeconds(2),
        "engine-build", 1, NS, null, EngineChoice.real, 2), true);
  }

  @AfterAll
  static void stopStack() {
    if (real != null) {
      real.close();
    }
  }

  /** Flow 2: a failed engine build pauses the run; the resume re-runs it without training again. */
  @Test
  @Order(1)
  void aFailedEngineBuildPausesTheRunAndTheResumeDoesNotTrainAgain() {
    String run = real.submit(RealStack.demo());
    try {
      pausedAndResumed(run);
    } finally {
      real.finish(run);
    }
  }

  private static void pausedAndResumed(String run) {
    RunProgress paused = real.awaitState(run, RunState.PAUSED, RUN_TIMEOUT);

    assertThat(paused.pausedStage()).isEqualTo(StageName.ENGINE_BUILD);
    StageStatus build = paused.stage(StageName.ENGINE_BUILD).orElseThrow();
    assertThat(build.failure().reason()).isEqualTo(FailureType.STAGE_FAILED.type());
    assertThat(build.failure().logTail()).as("the log tail, through the API server from the node")
        .anySatisfy(l -> assertThat(l).contains("failure injected"));
    // backoffLimit 0: the failed pod failed the Job, and the Job controller made no second pod.
    // The run pauses on the container's exit code; the controller's Failed condition can follow
    // it by a moment (its sync runs after the pod's status update).
    await().atMost(30, TimeUnit.SECONDS).untilAsserted(() -> assertThat(real.jobs(run, StageName.ENGINE_BUILD))
        .singleElement().satisfies(j -> assertThat(j.getStatus().getConditions())
            .anySatisfy(c -> assertThat(c.getReason()).isEqualTo("BackoffLimitExceeded"))));
    List<Job> builds = real.jobs(run, StageName.ENGINE_BUILD);
    assertThat(real.admin.pods().inNamespace(NS).withLabel("job-name", builds.get(0).getMetadata().getName())
        .list().getItems()).hasSize(1);

    PlanDiff diff = real.runs.resume(run, ResumeRequest.assignments(List.of("engine.maxBatchSize=8")));
    assertThat(diff.kept()).contains(StageName.TRAIN);
    assertThat(diff.toRun()).contains(StageName.ENGINE_BUILD);
    RunOutcome outcome = outcome(run);

    assertThat(outcome.stages()).filteredOn(s -> s.state() != StageState.SKIPPED)
        .allSatisfy(s -> assertThat(s.state()).as(s.stage().id()).isEqualTo(StageState.SUCCEEDED));
    assertThat(real.jobs(run, StageName.TRAIN)).as("training Jobs on the API server").hasSize(1);
    assertThat(real.jobs(run, StageName.ENGINE_BUILD)).as("engine builds: the failed one and the re-run")
        .hasSize(2);
  }

  /**
   * Flow 1: submit → success. Every stage's Job ran once on the node; fineflow's own stages ran for
   * real, GPU stages and servers say simulated; with ttlSecondsAfterFinished 5 the TTL controller
   * deletes the finished Jobs (and the garbage collector their pods) once their results are read.
   */
  @Test
  @Order(2)
  void aSubmittedRunSucceedsAndItsFinishedJobsExpire() {
    String run = real.submit(RealStack.demo("seed: 42", "seed: 7", "  gpuMemoryGib: 80",
        "  gpuMemoryGib: 80\n  ttlSecondsAfterFinished: 5"));
    try {
      succeededAndExpired(run);
    } finally {
      real.finish(run);
    }
  }

  private static void succeededAndExpired(String run) {
    RunOutcome outcome = outcome(run);

    assertThat(outcome.stages()).filteredOn(s -> s.state() != StageState.SKIPPED)
        .extracting(StageStatus::stage).containsExactly(StageName.MODEL_FETCH, StageName.DATASET_PREP, StageName.TRAIN,
            StageName.LORA_CONVERT, StageName.CHECKPOINT_CONVERT, StageName.ENGINE_BUILD,
            StageName.TRITON_REPO, StageName.ROLLOUT, StageName.BASELINE, StageName.BENCHMARK);
    // The checkpoint conversion does not depend on the seed: the first run's result is reused.
    assertThat(outcome.stages()).filteredOn(s -> s.state() != StageState.SKIPPED)
        .allSatisfy(s -> assertThat(s.state()).as(s.stage().id()).isIn(StageState.SUCCEEDED, StageState.CACHED));
    assertThat(stage(outcome, StageName.TRAIN).state()).isEqualTo(StageState.SUCCEEDED);
    assertThat(stage(outcome, StageName.DATASET_PREP).result().simulated()).isFalse();
    assertThat(stage(outcome, StageName.TRITON_REPO).result().simulated()).isFalse();
    assertThat(stage(outcome, StageName.TRAIN).result().simulated()).isTrue();
    assertThat(stage(outcome, StageName.ROLLOUT).result().simulated()).as("served by the node's simulated server").isTrue();
    // Issue 13, item 3: only the promoted server stays up (a shared server is found by its
    // users' labels, not the run label); the baseline was released when the benchmark ended.
    List<Deployment> serving = real.admin.apps().deployments().inNamespace(NS)
        .withLabel(FineflowLabels.userLabel(FineflowLabels.runValue(run)), "true").list().getItems();
    assertThat(serving).singleElement().satisfies(d -> {
      assertThat(d.getMetadata().getLabels()).doesNotContainEntry(RolloutObjects.LABEL_TRACK, RolloutObjects.TRACK_BASELINE);
      assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(1);
    });
    String promoted = serving.get(0).getMetadata().getLabels().get(RolloutObjects.LABEL_REVISION);
    // The stage Jobs go after 5 s; then no pod that holds a GPU is left but the promoted server's.
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      assertThat(real.admin.batch().v1().jobs().inNamespace(NS)
          .withLabel(FineflowLabels.RUN, FineflowLabels.runValue(run)).list().getItems()).as("expired Jobs").isEmpty();
      assertThat(real.admin.pods().inNamespace(NS).withLabel(FineflowLabels.RUN, FineflowLabels.runValue(run))
          .list().getItems()).as("pods left").allSatisfy(p -> assertThat(p.getMetadata().getOwnerReferences())
              .singleElement().satisfies(o -> assertThat(o.getKind()).isEqualTo("ReplicaSet")));
      assertThat(real.admin.pods().inNamespace(NS).list().getItems().stream().filter(RealClusterFlowTest::holdsGpu))
          .as("pods holding a GPU").isNotEmpty().allSatisfy(p -> assertThat(p.getMetadata().getLabels())
              .containsEntry(RolloutObjects.LABEL_REVISION, promoted));
    });
  }

  /** A pod that is not finished and asks for an {@code nvidia.com/gpu}. */
  private static boolean holdsGpu(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return !"Succeeded".equals(phase) && !"Failed".equals(phase) && pod.getSpec().getContainers().stream()
        .anyMatch(c -> c.getResources() != null && c.getResources().getLimits() != null
            && c.getResources().getLimits().containsKey("nvidia.com/gpu"));
  }

  /**
   * Flow 3: cancel during the rollout. Cleanup deletes the run's objects with foreground
   * propagation; the garbage collector deletes what they own (ReplicaSets, pods) and the node
   * finishes its pods' deletion: nothing of the run is left on the API server.
   */
  @Test
  @Order(3)
  void aCancelledRunLeavesNoJobPodDeploymentOrService() {
    String run = real.submit(RealStack.demo("seed: 42", "seed: 11"));
    try {
      cancelledDuringTheRollout(run);
    } finally {
      real.finish(run);
    }
  }

  private static void cancelledDuringTheRollout(String run) {
    String label = FineflowLabels.runValue(run);
    // The candidate server's pod runs and is not ready yet (its readiness probe waits).
    await().atMost(RUN_TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() ->
        real.admin.apps().deployments().inNamespace(NS).withLabel(FineflowLabels.userLabel(label), "true").list().getItems().stream()
            .anyMatch(d -> real.admin.pods().inNamespace(NS)
                .withLabel(RolloutObjects.LABEL_REVISION, d.getMetadata().getLabels().get(RolloutObjects.LABEL_REVISION))
                .list().getItems().stream().anyMatch(p -> "Running".equals(p.getStatus().getPhase()))));
    real.rememberRevisions(run);
    assertThat(real.objectsOf(run)).as("what the run had when it was cancelled")
        .anySatisfy(o -> assertThat(o.getKind()).isEqualTo("Job"))
        .anySatisfy(o -> assertThat(o.getKind()).isEqualTo("Deployment"))
        .anySatisfy(o -> assertThat(o.getKind()).isEqualTo("ReplicaSet"))
        .anySatisfy(o -> assertThat(o.getKind()).isEqualTo("Service"))
        .anySatisfy(o -> assertThat(o.getKind()).isEqualTo("Pod"));

    real.runs.cancel(run);

    await().atMost(Duration.ofMinutes(2)).until(() -> real.runs.status(run)
        == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
        assertThat(real.objectsOf(run)).as(RealStack.describe(real.objectsOf(run))).isEmpty());
  }

  /**
   * Scheduling for real: another tenant's pod holds both GPUs, so the run's first GPU stage stays
   * Pending; past cluster.unschedulableTimeoutSeconds the run pauses with the scheduler's message.
   */
  @Test
  @Order(4)
  void aGpuStageThatCannotBeScheduledPausesTheRunWithTheSchedulersMessage() {
    real.admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("other-team").endMetadata()
        .build()).create();
    // restartPolicy Always: a program this node cannot start is restarted (CrashLoopBackOff), and
    // the pod keeps its GPUs, as a long-running job of another team would.
    Pod theirs = new PodBuilder()
        .withNewMetadata().withName("their-training").endMetadata()
        .withNewSpec().withRestartPolicy("Always")
          .addNewContainer().withName("train").withImage("registry.example/other-team/trainer:1")
            .withNewResources().addToLimits("nvidia.com/gpu", new Quantity("2")).endResources()
          .endContainer()
        .endSpec().build();
    // The ServiceAccount controller creates the namespace's default account a moment later.
    Pod blocker = await().atMost(Duration.ofMinutes(1)).ignoreExceptions()
        .until(() -> real.admin.pods().inNamespace("other-team").resource(theirs).create(), p -> p != null);
    try {
      await().atMost(Duration.ofMinutes(1)).until(() -> real.admin.pods().inNamespace("other-team")
          .withName("their-training").get().getSpec().getNodeName() != null);
      String run = real.submit(RealStack.demo("seed: 42", "seed: 13", "  gpuMemoryGib: 80",
          "  gpuMemoryGib: 80\n  unschedulableTimeoutSeconds: 15"));
      try {
        pausedUnschedulable(run);
      } finally {
        real.finish(run);
      }
    } finally {
      real.admin.pods().inNamespace("other-team").resource(blocker).withGracePeriod(0).delete();
    }
  }

  private static void pausedUnschedulable(String run) {
    RunProgress paused = real.awaitState(run, RunState.PAUSED, RUN_TIMEOUT);

    assertThat(paused.pausedStage()).isEqualTo(StageName.TRAIN);
    StageStatus train = paused.stage(StageName.TRAIN).orElseThrow();
    assertThat(train.failure().reason()).isEqualTo(FailureType.UNSCHEDULABLE.type());
    assertThat(train.failure().message()).as("the scheduler's own words")
        .contains("could not be scheduled").contains("Insufficient nvidia.com/gpu");
    assertThat(train.failure().hint()).contains("unschedulableTimeoutSeconds");
  }

  /**
   * activeDeadlineSeconds for a whole run: train's timeout of 1 s (its simulated work takes 2 s)
   * makes the Job controller stop it; the run pauses with DeadlineExceeded and a hint naming the
   * spec field; the resume that raises it re-runs train only, and nothing before it.
   */
  @Test
  @Order(5)
  void aStagePastItsTimeoutPausesTheRunAndTheResumeWithARaisedTimeoutRunsIt() {
    String run = real.submit(RealStack.demo("seed: 42", "seed: 17", "  gpuMemoryGib: 80",
        "  gpuMemoryGib: 80\n  stageTimeoutSeconds: {train: 1}"));
    try {
      RunProgress paused = real.awaitState(run, RunState.PAUSED, RUN_TIMEOUT);
      assertThat(paused.pausedStage()).isEqualTo(StageName.TRAIN);
      StageStatus train = paused.stage(StageName.TRAIN).orElseThrow();
      assertThat(train.failure().message()).contains("DeadlineExceeded").contains("timeout of 1 s");
      assertThat(train.failure().hint()).contains("--set cluster.stageTimeoutSeconds.train=");
      assertThat(real.jobs(run, StageName.TRAIN)).singleElement().satisfies(j -> assertThat(j.getStatus().getConditions())
          .anySatisfy(c -> assertThat(c.getReason()).isEqualTo("DeadlineExceeded")));

      PlanDiff diff = real.runs.resume(run, ResumeRequest.assignments(List.of("cluster.stageTimeoutSeconds.train=600")));

      assertThat(diff.toRun()).contains(StageName.TRAIN).doesNotContain(StageName.DATASET_PREP);
      await().atMost(RUN_TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> real.runs.progress(run)
          .stage(StageName.TRAIN).map(s -> s.state() == StageState.SUCCEEDED).orElse(false));
      assertThat(real.jobs(run, StageName.TRAIN)).as("the stopped train Job and the re-run").hasSize(2)
          .anySatisfy(j -> assertThat(j.getSpec().getActiveDeadlineSeconds()).isEqualTo(600L));
    } finally {
      real.finish(run);
    }
  }

  private static RunOutcome outcome(String run) {
    try {
      return real.runs.untyped(run).getResult(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS, RunOutcome.class);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("run " + run + " did not finish: " + real.runs.progress(run), e);
    }
  }

  private static StageStatus stage(RunOutcome outcome, StageName name) {
    return outcome.stages().stream().filter(s -> s.stage() == name).findFirst().orElseThrow();
  }
}
