package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import fineflow.activities.kubernetes.FineflowLabels;
import fineflow.activities.rollout.RolloutObjects;
import fineflow.workers.client.RunClient;
import fineflow.workers.dev.DevOptions;
import fineflow.workers.dev.DevStack;
import fineflow.workflows.pipeline.RunProgress;
import fineflow.workflows.pipeline.RunState;
import fineflow.workflows.pipeline.StageState;
import fineflow.workflows.pipeline.StageStatus;
import fineflow.workflows.plan.StageName;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 item 2, as a user meets it: ten submits of one spec at the same moment (distinct run
 * ids, the same keys) share the baseline and rollout servers, and all ten complete: each run's
 * baseline stage saw its server ready (or reused a recorded one) and its benchmark has the
 * baseline's numbers at every level, none is left paused, the baseline goes with its last user,
 * and one promoted server stays, with a user label for every run that rolled it out.
 */
class ConcurrentIdenticalRunsTest {
  static final int RUNS = 10;
  @TempDir static Path dir;
  static DevStack stack;

  @BeforeAll
  static void startStack() {
    stack = DevStack.start(new DevOptions(0, 0, dir.resolve("workspace"), 1000, Duration.ofMillis(100),
        null, 0, "fineflow", null));
  }

  @AfterAll
  static void stopStack() {
    stack.close();
  }

  @Test
  void tenIdenticalSubmitsAtOnceAllSucceedOnSharedServers() throws Exception {
    List<String> ids = IntStream.range(0, RUNS).mapToObj(i -> String.format("demo-c0ffee%02d", i)).toList();
    ExecutorService submitters = Executors.newFixedThreadPool(RUNS);
    try {
      List<CompletableFuture<Cli>> submits = ids.stream().map(id -> CompletableFuture.supplyAsync(
          () -> Cli.onTemporal(stack.endpoints().temporal(), "submit", "configs/demo.yaml", "--run-id", id),
          submitters)).toList();
      for (CompletableFuture<Cli> submit : submits) {
        Cli done = submit.get();
        assertThat(done.exit()).as(done.err()).isZero();
      }
    } finally {
      submitters.shutdownNow();
    }

    RunClient runs = new RunClient(stack.connection());
    await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
        assertThat(ids).allSatisfy(id -> assertThat(runs.progress(id).runState())
            .as(() -> id + " at " + where(runs.progress(id))).isIn(RunState.SUCCEEDED, RunState.PAUSED,
                RunState.FAILED)));
    List<RunProgress> done = ids.stream().map(runs::progress).toList();
    assertThat(done).allSatisfy(p -> assertThat(p.runState()).as(() -> p.runId() + " paused at "
        + p.pausedStage() + ": " + p.stages().stream().filter(s -> s.failure().message() != null)
            .map(s -> s.stage() + ": " + s.failure().message()).toList()).isEqualTo(RunState.SUCCEEDED));
    assertThat(done).allSatisfy(p -> {
      assertThat(stage(p, StageName.BASELINE).state()).isIn(StageState.SUCCEEDED, StageState.CACHED);
      assertThat(stage(p, StageName.BENCHMARK).state()).isIn(StageState.SUCCEEDED, StageState.CACHED);
      // Numbers for both servers at both levels: the benchmark measured (or reused a
      // measurement of) the baseline.
      String summary = stage(p, StageName.BENCHMARK).result().artifacts().stream()
          .filter(a -> a.name().equals("benchmark-summary")).findFirst().orElseThrow().path();
      JsonNode results = read(summary);
      assertThat(results.get("candidate")).hasSize(2);
      assertThat(results.get("baseline")).hasSize(2);
    });

    var k8s = stack.kubernetesClient();
    String ns = stack.options().namespace();
    // The baseline went with its last user; the promoted rollout stays, with every run that
    // launched it (a cached rollout joined nothing) as its user.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(k8s.apps().deployments().inNamespace(ns)
        .withLabel(RolloutObjects.LABEL_TRACK, RolloutObjects.TRACK_BASELINE).list().getItems()).isEmpty());
    List<Deployment> stable = k8s.apps().deployments().inNamespace(ns)
        .withLabel(RolloutObjects.LABEL_TRACK, RolloutObjects.TRACK_STABLE).list().getItems();
    assertThat(stable).hasSize(1);
    Set<String> launchedRollout = done.stream()
        .filter(p -> stage(p, StageName.ROLLOUT).state() == StageState.SUCCEEDED)
        .map(p -> FineflowLabels.userLabel(FineflowLabels.runValue(p.runId()))).collect(Collectors.toSet());
    assertThat(launchedRollout).isNotEmpty();
    Map<String, String> labels = stable.get(0).getMetadata().getLabels();
    assertThat(labels.keySet().stream().filter(k -> k.startsWith(FineflowLabels.USER_PREFIX))
        .collect(Collectors.toSet())).isEqualTo(launchedRollout);
    assertThat(k8s.apps().deployments().inNamespace(ns)
        .withLabel(RolloutObjects.LABEL_TRACK, RolloutObjects.TRACK_CANDIDATE).list().getItems()).isEmpty();
  }

  /** The stage a run is at and what its row says, for a run that does not finish. */
  private static String where(RunProgress p) {
    return p.stages().stream().filter(s -> s.state() != StageState.SUCCEEDED && s.state() != StageState.CACHED
        && s.state() != StageState.SKIPPED).findFirst()
        .map(s -> s.stage() + " " + s.state() + " (" + s.progress() + ", " + s.failure().message() + ")").orElse("-");
  }

  private static JsonNode read(String podPath) {
    try {
      return OperatorFlowTest.JSON.readTree(stack.options().workspace()
          .resolve(podPath.replaceFirst("^/workspace/", "")).toFile());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static StageStatus stage(RunProgress p, StageName name) {
    return p.stage(name).orElseThrow();
  }
}
