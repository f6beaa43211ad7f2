package fineflow.workers.cli;

import fineflow.workers.ErrorLine;
import fineflow.workers.client.RunConflict;
import fineflow.workers.client.TemporalConnection;
import fineflow.workers.dev.PortTaken;
import fineflow.workflows.spec.SpecException;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * One clear line on stderr for an error, with the exit code of its kind; the stack trace only
 * with --verbose.
 */
final class ErrorHandler implements IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
    int code = ExitCode.INTERNAL;
    String message = ErrorLine.messageOf(ex);
    if (ex instanceof TemporalConnection.Unreachable) {
      code = ExitCode.UNREACHABLE;
    } else if (ex instanceof WorkflowNotFoundException nf) {
      code = ExitCode.BAD_INPUT;
      message = "no such run: " + nf.getExecution().getWorkflowId();
    } else if (ex instanceof WorkflowUpdateException update) {
      code = ExitCode.BAD_INPUT;
      message = "rejected: " + rootMessage(update);
    } else if (ex instanceof PortTaken) {
      code = ExitCode.PORT_TAKEN;
    } else if (ex instanceof RunConflict) {
      code = ExitCode.BAD_INPUT;
    } else if (ex instanceof SpecException spec) {
      // A spec named by an option (resume --spec): its problems, like validate prints them.
      code = ExitCode.BAD_INPUT;
      message = spec.getMessage();
    } else if (ex instanceof io.fabric8.kubernetes.client.KubernetesClientException) {
      code = ExitCode.UNREACHABLE;
    }
    return new ErrorLine(message, code, code == ExitCode.INTERNAL).print(ex, cmd, parsed);
  }

  /** The validator's own message, without Temporal's wrapping. */
  static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof ApplicationFailure af) {
      return af.getOriginalMessage();
    }
    return c.getMessage() == null ? c.toString() : c.getMessage();
  }
}
