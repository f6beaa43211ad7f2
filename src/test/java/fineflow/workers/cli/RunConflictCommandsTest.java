package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.workers.dev.EmbeddedTemporal;
import fineflow.workflows.contract.CleanupResult;
import fineflow.workflows.pipeline.AbortRequest;
import fineflow.workflows.pipeline.PipelineRequest;
import fineflow.workflows.pipeline.PipelineWorkflow;
import fineflow.workflows.pipeline.ResumeRequest;
import fineflow.workflows.pipeline.RunOptions;
import fineflow.workflows.pipeline.RunOutcome;
import fineflow.workflows.pipeline.RunProgress;
import fineflow.workflows.pipeline.RunSearchAttributes;
import fineflow.workflows.pipeline.TaskQueue;
import fineflow.workflows.plan.PlanDiff;
import fineflow.workflows.plan.Planner;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecLoader;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Workflow;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the run commands say when the run's state rules the request out: a finished run is
 * not "no such run", an existing id is not a raw Temporal exception, a malformed id is not an
 * internal error. Each is bad input, exit 2, in one line.
 */
class RunConflictCommandsTest {
  static final String FINISHED = "demo-f1n15hed";
  static final String WAITING = "demo-0pen0pen";

  static EmbeddedTemporal temporal;
  static WorkerFactory workers;

  /** Ends at once unless its id says it waits; answers no update. */
  public static final class ShortRun implements PipelineWorkflow {
    @Override
    public RunOutcome run(PipelineRequest request) {
      if (request.runId().equals(WAITING)) {
        Workflow.await(() -> false);
      }
      return null;
    }

    @Override
    public RunProgress progress() {
      return null;
    }

    @Override
    public PlanDiff resume(ResumeRequest request) {
      throw new UnsupportedOperationException("not resumable");
    }

    @Override
    public void validateResume(ResumeRequest request) {
    }

    @Override
    public CleanupResult abort(AbortRequest request) {
      throw new UnsupportedOperationException("not abortable");
    }

    @Override
    public void validateAbort(AbortRequest request) {
    }
  }

  @BeforeAll
  static void start() throws Exception {
    temporal = EmbeddedTemporal.start(0, RunSearchAttributes.ALL);
    WorkflowClient client = WorkflowClient.newInstance(WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build()));
    workers = WorkerFactory.newInstance(client);
    workers.newWorker(TaskQueue.DEFAULT).registerWorkflowImplementationTypes(ShortRun.class);
    workers.start();
    PipelineSpec spec = SpecLoader.load(Files.readString(Path.of("configs/demo.yaml")), "demo.yaml");
    for (String id : new String[] {FINISHED, WAITING}) {
      PipelineRequest request = new PipelineRequest(id, "fineflow", spec, Planner.plan(spec));
      PipelineWorkflow run = client.newWorkflowStub(PipelineWorkflow.class, RunOptions.of(request, TaskQueue.DEFAULT));
      WorkflowClient.start(run::run, request);
    }
    WorkflowStub.fromTyped(client.newWorkflowStub(PipelineWorkflow.class, FINISHED)).getResult(Void.class);
  }

  @AfterAll
  static void stop() {
    workers.shutdownNow();
    temporal.close();
  }

  private static int execute(StringWriter err, String... args) {
    var cl = Main.commandLine();
    cl.setOut(new PrintWriter(new StringWriter()));
    cl.setErr(new PrintWriter(err));
    String[] withTemporal = new String[args.length + 2];
    System.arraycopy(args, 0, withTemporal, 0, args.length);
    withTemporal[args.length] = "--temporal";
    withTemporal[args.length + 1] = temporal.target();
    return cl.execute(withTemporal);
  }

  @Test
  void submittingAnExistingRunIdSaysSoWithItsState() {
    StringWriter finished = new StringWriter();
    StringWriter waiting = new StringWriter();

    int again = execute(finished, "submit", "configs/demo.yaml", "--run-id", FINISHED);
    int live = execute(waiting, "submit", "configs/demo.yaml", "--run-id", WAITING);

    assertThat(again).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(finished.toString()).contains("run " + FINISHED + " already exists (has already succeeded)")
        .doesNotContain("workflowId=").doesNotContain("--verbose");
    assertThat(live).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(waiting.toString()).contains("run " + WAITING + " already exists (state running)");
  }

  @Test
  void malformedRunIdsAreRejectedBeforeAnythingStarts() {
    StringWriter err = new StringWriter();

    int bad = execute(err, "submit", "configs/demo.yaml", "--run-id", "Bad_ID!");
    int tooLong = execute(err, "submit", "configs/demo.yaml", "--run-id", "a".repeat(300));

    assertThat(bad).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(tooLong).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("--run-id: run id 'Bad_ID!' must be lower-case letters")
        .doesNotContain("internal error").doesNotContain("--verbose");
  }

  @Test
  void resumeAbortAndCancelOfAFinishedRunSayItHasEnded() {
    StringWriter resume = new StringWriter();
    StringWriter abort = new StringWriter();
    StringWriter cancel = new StringWriter();

    int resumed = execute(resume, "resume", FINISHED, "--set", "engine.maxBatchSize=8");
    int aborted = execute(abort, "abort", FINISHED, "--reason", "done with it");
    int cancelled = execute(cancel, "cancel", FINISHED);

    assertThat(resumed).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(resume.toString()).contains("run " + FINISHED + " has already succeeded: only a running or paused run can be resumed")
        .doesNotContain("no such run");
    assertThat(aborted).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(abort.toString()).contains("has already succeeded: only a running or paused run can be aborted");
    assertThat(cancelled).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(cancel.toString()).contains("has already succeeded: only a running or paused run can be cancelled");
  }

  @Test
  void anUnknownRunIsStillNoSuchRun() {
    StringWriter err = new StringWriter();

    int code = execute(err, "cancel", "demo-n0n0n0n0");

    assertThat(code).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("no such run: demo-n0n0n0n0");
  }

  @Test
  void anEmptyAbortReasonIsRefused() {
    StringWriter err = new StringWriter();

    int code = execute(err, "abort", WAITING, "--reason", " ");

    assertThat(code).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("--reason must say why");
  }

  @Test
  void resumeWithAMissingOrJunkSpecFileIsBadInput(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    Path junk = tmp.resolve("junk.yaml");
    Files.write(junk, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, 3});
    StringWriter err = new StringWriter();

    int missing = execute(err, "resume", WAITING, "--spec", tmp.resolve("nope.yaml").toString());
    int binary = execute(err, "resume", WAITING, "--spec", junk.toString());

    assertThat(missing).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(binary).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("nope.yaml: no such file").contains("not UTF-8 text")
        .doesNotContain("--verbose");
  }
}
