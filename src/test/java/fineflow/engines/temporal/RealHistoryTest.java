package fineflow.engines.temporal;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.workers.cli.ExitCode;
import fineflow.workers.cli.Cli;
import fineflow.workers.client.RunClient;
import fineflow.workers.client.RunFilter;
import fineflow.workers.client.RunHistory;
import fineflow.workers.client.RunRow;
import fineflow.workers.dev.DevStack;
import fineflow.workers.engines.TemporalDevServer;
import fineflow.workflows.pipeline.PipelineRequest;
import fineflow.workflows.pipeline.RunState;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fineflow history} on the real server: the visibility query on the typed search
 * attributes returns the same rows as the client-side path (what the embedded test server gets)
 * over the same runs, for every kind of filter; a malformed filter is a clear error, exit 2.
 */
@Tag("real-temporal")
class RealHistoryTest {
  @TempDir static Path dir;
  static RealTemporalStack real;
  static TemporalDevServer server;
  static DevStack stack;
  static RunClient runs;
  static PipelineRequest paused;
  static PipelineRequest cancelled;
  static Instant before;

  @BeforeAll
  static void runsInTwoStates() throws Exception {
    real = RealTemporalStack.start(dir);
    server = real.server();
    stack = real.stack();
    runs = new RunClient(stack.connection());
    PipelineSpec spec = SpecLoader.load(Files.readString(Path.of("configs/demo.yaml")), "demo.yaml");
    before = Instant.now().minusSeconds(1);
    paused = runs.submit(spec, null, "fineflow");
    Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
        .until(() -> runs.progress(paused.runId()).runState() == RunState.PAUSED);
    cancelled = runs.submit(spec, null, "fineflow");
    runs.cancel(cancelled.runId());
    Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
        .until(() -> "cancelled".equals(row(cancelled.runId())));
  }

  private static String row(String runId) {
    return new RunHistory(stack.connection()).listInClient(new RunFilter(null, null, null, null)).stream()
        .filter(r -> r.runId().equals(runId)).map(RunRow::state).findFirst().orElse(null);
  }

  @AfterAll
  static void stop() {
    if (real != null) {
      real.close();
    }
  }

  @Test
  void theVisibilityQueryAndTheClientSidePathListTheSameRows() {
    RunHistory history = new RunHistory(stack.connection());
    String model = paused.spec().model().id();
    List<RunFilter> filters = List.of(
        new RunFilter(null, null, null, null),
        new RunFilter(null, "paused", null, null),
        new RunFilter(null, "cancelled", null, null),
        new RunFilter(model, "paused", "engine-build", null),
        new RunFilter("no/such-model", null, null, null),
        new RunFilter(model, null, null, before, Instant.now().plusSeconds(60), null),
        new RunFilter(null, null, null, null, before, null));
    for (RunFilter filter : filters) {
      // Visibility is written asynchronously: the rows of both paths agree once it caught up.
      Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() ->
          assertThat(history.list(filter)).as(filter.query()).isEqualTo(history.listInClient(filter)));
    }
    assertThat(history.list(new RunFilter(null, "paused", null, null))).extracting(RunRow::runId)
        .containsExactly(paused.runId());
    assertThat(history.list(new RunFilter(model, null, null, before))).extracting(RunRow::runId)
        .containsExactlyInAnyOrder(paused.runId(), cancelled.runId());
    assertThat(history.list(new RunFilter(null, null, null, null, null, "FineflowState = 'cancelled'")))
        .extracting(RunRow::runId).containsExactly(cancelled.runId());
  }

  @Test
  void theCommandListsPausedRunsAndAMalformedFilterExitsTwo() {
    Cli ok = fineflow("history", "--state", "paused", "--model", paused.spec().model().id(), "--since", "1h");
    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(ok.out()).contains(paused.runId()).doesNotContain(cancelled.runId());

    Cli where = fineflow("history", "--where", "FineflowState = ");
    assertThat(where.exit()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(where.err()).contains("the server rejected the query");

    Cli state = fineflow("history", "--state", "stuck");
    assertThat(state.exit()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(state.err()).contains("--state: 'stuck' is not a run state");

    Cli range = fineflow("history", "--since", "2026-11-02T00:00:00Z", "--until", "2026-11-01T00:00:00Z");
    assertThat(range.exit()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(range.err()).contains("is after --until");
  }

  static Cli fineflow(String... args) {
    return Cli.onTemporal(server.target(), args);
  }
}
