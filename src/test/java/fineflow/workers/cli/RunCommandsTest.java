package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.workers.dev.EmbeddedTemporal;
import fineflow.workflows.contract.Artifact;
import fineflow.workflows.contract.CleanupResult;
import fineflow.workflows.gate.GateCheck;
import fineflow.workflows.gate.GateVerdict;
import fineflow.workflows.pipeline.AbortRequest;
import fineflow.workflows.pipeline.GateStatus;
import fineflow.workflows.pipeline.PipelineRequest;
import fineflow.workflows.pipeline.PipelineWorkflow;
import fineflow.workflows.pipeline.ResumeRequest;
import fineflow.workflows.pipeline.RunOutcome;
import fineflow.workflows.pipeline.RunProgress;
import fineflow.workflows.pipeline.RunState;
import fineflow.workflows.pipeline.StageState;
import fineflow.workflows.pipeline.StageStatus;
import fineflow.workflows.pipeline.TaskQueue;
import fineflow.workflows.plan.PlanDiff;
import fineflow.workflows.plan.Planner;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecDigest;
import fineflow.workflows.spec.SpecLoader;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Workflow;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report RUN} and {@code chat RUN} against a Temporal server on a port, where a run
 * answers its progress query with a fixed stage table (benchmark results on a local workspace,
 * a rollout whose server is a MockWebServer).
 */
class RunCommandsTest {
  static final String RUN = "demo-0badc0de";
  static final String DIGEST = "5d41402abc4b2a76b9719d911017c592" + "0".repeat(32);
  static final String BENCH_DIR = "/workspace/cache/benchmark-3f2a9c1d7e4b";

  static EmbeddedTemporal temporal;
  static WorkerFactory workers;
  static MockWebServer model;
  static final List<JsonNode> generated = new ArrayList<>();

  /** A run that only answers queries: its table is {@link #progress}. */
  public static final class FixedRun implements PipelineWorkflow {
    static volatile RunProgress progress;

    @Override
    public RunOutcome run(PipelineRequest request) {
      Workflow.await(() -> false);
      return null;
    }

    @Override
    public RunProgress progress() {
      return progress;
    }

    @Override
    public PlanDiff resume(ResumeRequest request) {
      throw new UnsupportedOperationException("a fixed run");
    }

    @Override
    public void validateResume(ResumeRequest request) {
    }

    @Override
    public CleanupResult abort(AbortRequest request) {
      throw new UnsupportedOperationException("a fixed run");
    }

    @Override
    public void validateAbort(AbortRequest request) {
    }
  }

  @BeforeAll
  static void start() throws Exception {
    model = new MockWebServer();
    model.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        if (request.getPath().equals("/v2/models/ensemble/generate_stream")) {
          try {
            generated.add(new ObjectMapper().readTree(request.getBody().readUtf8()));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          return new MockResponse().setHeader("Content-Type", "text/event-stream")
              .setBody("data: {\"text_output\":\"私は太宰治です。\"}\n\n");
        }
        return new MockResponse().setResponseCode(404);
      }
    });
    model.start();
    temporal = EmbeddedTemporal.start(0, Map.of());
    WorkflowClient client = WorkflowClient.newInstance(WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build()));
    workers = WorkerFactory.newInstance(client);
    workers.newWorker(TaskQueue.DEFAULT).registerWorkflowImplementationTypes(FixedRun.class);
    workers.start();
    PipelineSpec spec = SpecLoader.load(Files.readString(Path.of("configs/demo.yaml")), "demo.yaml");
    PipelineWorkflow run = client.newWorkflowStub(PipelineWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(RUN).setTaskQueue(TaskQueue.DEFAULT).build());
    WorkflowClient.start(run::run, new PipelineRequest(RUN, "fineflow", spec, Planner.plan(spec)));
  }

  @AfterAll
  static void stop() throws IOException {
    workers.shutdownNow();
    temporal.close();
    model.shutdown();
  }

  private static StageStatus row(StageName stage, StageState state, long seconds,
      List<Artifact> artifacts, Map<String, String> info, String reason) {
    return row(stage, state, seconds, artifacts, info, reason, false);
  }

  private static StageStatus row(StageName stage, StageState state, long seconds,
      List<Artifact> artifacts, Map<String, String> info, String reason, boolean simulated) {
    Instant start = Instant.parse("2026-11-26T01:00:00Z");
    return new StageStatus(stage, state, new StageStatus.Identity("3f2a9c1d7e4b" + "0".repeat(52), stage.id(), null),
        new StageStatus.Launch(1, start, start.plusSeconds(seconds), RUN + "-" + stage.id() + "-1", null),
        new StageStatus.Result(artifacts, Map.of(), info, simulated, null),
        new StageStatus.Failure(null, reason, null, List.of()), null);
  }

  private static RunProgress progress(String rolloutUrl, StageState benchmark) {
    return progress(rolloutUrl, benchmark, DIGEST, false);
  }

  private static RunProgress progress(String rolloutUrl, StageState benchmark, String digest,
      boolean simulatedBenchmark) {
    GateVerdict verdict = new GateVerdict(false, List.of(
        new GateCheck("TTFT p99 (ms)", 16, 61.2, "<=", 50.0, false, "")));
    return new RunProgress(RUN, "demo", "HuggingFaceTB/SmolLM2-135M-Instruct", "triton", digest, 1,
        RunState.PAUSED, Instant.parse("2026-11-26T01:00:00Z"), null, null, StageName.BENCHMARK, null,
        List.of(
            row(StageName.TRAIN, StageState.SUCCEEDED, 1260, List.of(new Artifact("adapter",
                "/workspace/cache/train-aaa/adapter", "ab".repeat(32), 8_400_000)), Map.of(), null),
            row(StageName.ROLLOUT, StageState.SUCCEEDED, 95, List.of(), Map.of("url", rolloutUrl,
                "backend", "triton", "servedModel", "ensemble", "loraTaskId", "7"), null),
            row(StageName.BENCHMARK, benchmark, 600, List.of(new Artifact("benchmark-summary",
                BENCH_DIR + "/summary.json", "cd".repeat(32), 2048)), Map.of(), "SloNotMet",
                simulatedBenchmark),
            StageStatus.skipped(StageName.BASELINE)),
        new GateStatus(true, verdict, false, null, null), List.of());
  }

  /** The workspace volume as mounted here, with the benchmark's results where the pod wrote them. */
  private static Path workspace(Path tmp) throws IOException, URISyntaxException {
    Path source = Paths.get(RunCommandsTest.class.getResource("/benchmark/genai-perf-triton").toURI());
    Path target = tmp.resolve("ws").resolve(BENCH_DIR.substring("/workspace/".length()));
    try (Stream<Path> files = Files.walk(source)) {
      for (Path f : files.toList()) {
        Path to = target.resolve(source.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
        } else {
          Files.copy(f, to);
        }
      }
    }
    Files.writeString(target.resolve("summary.json"), "{\"tool\":\"genai-perf\"}");
    return tmp.resolve("ws");
  }

  private static int execute(StringWriter out, StringWriter err, String... args) {
    var cl = Main.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void reportOfARunListsItsStagesDigestAndGate(@TempDir Path tmp) throws Exception {
    FixedRun.progress = progress(model.url("/").toString(), StageState.PAUSED);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int code = execute(out, err, "report", RUN, "--temporal", temporal.target(),
        "--workspace", workspace(tmp).toString(), "--out", tmp.resolve("r.html").toString());

    assertThat(code).as(err.toString()).isEqualTo(ExitCode.OK);
    String html = Files.readString(tmp.resolve("r.html"));
    assertThat(html).contains(RUN, DIGEST, "train", "rollout", "benchmark", "1,156.97",
        "/workspace/cache/train-aaa/adapter", "data:image/png;base64,");
    String md = Files.readString(tmp.resolve("r.md"));
    assertThat(md).contains(RUN, DIGEST, "TTFT p99 (ms)", "61.20").doesNotContain("baseline |");
    // The run reports another digest than the spec it was started with: no engine settings
    // rather than settings of a spec the run does not hold.
    assertThat(md).contains("- Engine: -").doesNotContain("Simulated:");
  }

  /** The title's engine settings are the spec's the run holds (read back from its history). */
  @Test
  void reportOfARunIsTitledWithModelRunEngineAndDateAndSaysWhatIsSimulated(@TempDir Path tmp)
      throws Exception {
    PipelineSpec spec = SpecLoader.load(Files.readString(Path.of("configs/demo.yaml")), "demo.yaml");
    FixedRun.progress = progress(model.url("/").toString(), StageState.PAUSED, SpecDigest.of(spec), true);
    StringWriter err = new StringWriter();

    int code = execute(new StringWriter(), err, "report", RUN, "--temporal", temporal.target(),
        "--workspace", workspace(tmp).toString(), "--out", tmp.resolve("r.html").toString());

    assertThat(code).as(err.toString()).isEqualTo(ExitCode.OK);
    String subtitle = "model HuggingFaceTB/SmolLM2-135M-Instruct · run " + RUN + " · engine triton,"
        + " float16, quantization none, max batch 4, LoRA r=8 · benchmarked 2026-11-26 01:10 UTC";
    String md = Files.readString(tmp.resolve("r.md"));
    assertThat(md).startsWith("# Benchmark report: HuggingFaceTB/SmolLM2-135M-Instruct\n\n" + subtitle + "\n\n> **Simulated: the"
        + " results of benchmark come from the embedded dev stack's simulated GPU node");
    assertThat(Files.readString(tmp.resolve("r.html"))).contains("<p class=\"subtitle\">" + subtitle,
        "<p class=\"simulated\" role=\"note\">Simulated:");
  }

  @Test
  void reportOfARunNeedsTheWorkspaceAndAFinishedBenchmark(@TempDir Path tmp) throws Exception {
    FixedRun.progress = progress(model.url("/").toString(), StageState.RUNNING);
    StringWriter err = new StringWriter();

    int running = execute(new StringWriter(), err, "report", RUN, "--temporal", temporal.target(),
        "--workspace", workspace(tmp).toString(), "--out", tmp.resolve("r.html").toString());
    FixedRun.progress = progress(model.url("/").toString(), StageState.SUCCEEDED);
    int elsewhere = execute(new StringWriter(), err, "report", RUN, "--temporal", temporal.target(),
        "--workspace", tmp.resolve("nowhere").toString(), "--out", tmp.resolve("r.html").toString());
    int unknown = execute(new StringWriter(), err, "report", "demo-00000000", "--temporal",
        temporal.target(), "--workspace", tmp.toString());

    assertThat(running).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(elsewhere).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(unknown).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("benchmark stage of run " + RUN + " is running, not finished")
        .contains("is " + tmp.resolve("nowhere") + " the workspace volume?")
        .contains("no run demo-00000000");
  }

  @Test
  void chatWithARunTalksToItsRolloutWithTheAdapter() {
    FixedRun.progress = progress(model.url("/").toString(), StageState.SUCCEEDED);
    generated.clear();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int code = execute(out, err, "chat", RUN, "--temporal", temporal.target(), "--prompt", "こんにちは");

    assertThat(code).as(err.toString()).isEqualTo(ExitCode.OK);
    assertThat(out.toString()).contains("私は太宰治です。");
    assertThat(generated).singleElement().satisfies(body -> {
      assertThat(body.get("lora_task_id").asLong()).isEqualTo(7);
      assertThat(body.get("text_input").asText()).isEqualTo("こんにちは");
    });
  }

  @Test
  void chatWithARunServedOnClusterDnsExplainsThePortForward() {
    FixedRun.progress = progress("http://demo-rollout.fineflow.svc.invalid:8000", StageState.SUCCEEDED);
    StringWriter err = new StringWriter();

    int code = execute(new StringWriter(), err, "chat", RUN, "--temporal", temporal.target(),
        "--prompt", "hi");

    assertThat(code).isEqualTo(ExitCode.UNREACHABLE);
    assertThat(err.toString()).contains("kubectl port-forward svc/demo-rollout 8000");
  }

  @Test
  void runCommandsWithoutTemporalAreUnreachable() {
    StringWriter err = new StringWriter();

    int report = execute(new StringWriter(), err, "report", RUN, "--temporal", "127.0.0.1:1");
    int chat = execute(new StringWriter(), err, "chat", RUN, "--temporal", "127.0.0.1:1");

    assertThat(report).isEqualTo(ExitCode.UNREACHABLE);
    assertThat(chat).isEqualTo(ExitCode.UNREACHABLE);
    assertThat(err.toString()).contains("cannot reach Temporal at 127.0.0.1:1");
  }
}
