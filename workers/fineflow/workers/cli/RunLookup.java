package fineflow.workers.cli;

import fineflow.workers.client.CurrentSpec;
import fineflow.workers.client.RunClient;
import fineflow.workers.client.TemporalConnection;
import fineflow.workflows.pipeline.RunId;
import fineflow.workflows.pipeline.RunProgress;
import fineflow.workflows.spec.PipelineSpec;
import io.temporal.client.WorkflowNotFoundException;

/**
 * Finds a run by id through Temporal for the commands that take {@code RUN} ({@code report},
 * {@code chat}); a failure carries the exit code and one line for the user.
 */
final class RunLookup {
  private final TemporalOptions temporal;

  RunLookup(TemporalOptions temporal) {
    this.temporal = temporal;
  }

  /** True when {@code text} has the shape of a run id (it may still name no run). */
  static boolean isRunId(String text) {
    try {
      RunId.requireValid(text);
      return true;
    } catch (IllegalArgumentException notARunId) {
      return false;
    }
  }

  RunProgress progress(String runId) {
    return lookup(runId, false).progress();
  }

  /** The run's progress and its current spec (null when it cannot be read back from history). */
  Found withSpec(String runId) {
    return lookup(runId, true);
  }

  /** What a lookup found. */
  record Found(RunProgress progress, PipelineSpec spec) {
  }

  private Found lookup(String runId, boolean spec) {
    TemporalConnection connection;
    try {
      connection = TemporalConnection.open(temporal.target(), temporal.namespace());
    } catch (TemporalConnection.Unreachable e) {
      throw new Failed(ExitCode.UNREACHABLE, e.getMessage());
    }
    try (connection) {
      RunClient runs = new RunClient(connection);
      RunProgress progress = runs.progress(runId);
      return new Found(progress, !spec ? null : CurrentSpec.of(progress, runs.history(runId),
          runs.workflowClient().getOptions().getDataConverter()).orElse(null));
    } catch (WorkflowNotFoundException e) {
      throw new Failed(ExitCode.BAD_INPUT, "no run " + runId + " in Temporal namespace "
          + temporal.namespace() + " at " + connection.target());
    }
  }

  /** Why a run could not be looked up, with the exit code to end with. */
  static final class Failed extends RuntimeException {
    final int exitCode;

    Failed(int exitCode, String message) {
      super(message);
      this.exitCode = exitCode;
    }
  }
}
