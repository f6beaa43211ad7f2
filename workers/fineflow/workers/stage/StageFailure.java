package fineflow.workers.stage;

import fineflow.workers.ErrorLine;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * A stage program's unexpected error (a bug or an I/O failure), reported as the {@code fineflow}
 * command reports one ({@link ErrorLine}, exit 1): the pod log and the termination message read
 * the same in-process as in the image.
 */
final class StageFailure implements IExecutionExceptionHandler {
  private static final int INTERNAL = 1;

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
    return new ErrorLine(ErrorLine.messageOf(ex), INTERNAL, true).print(ex, cmd, parsed);
  }
}
