package fineflow.workers.client;

/**
 * A request that the run's state rules out: submitting an id that already names a run,
 * resuming, aborting or cancelling a run that has ended. Bad input (exit 2), said in the
 * run's own terms rather than Temporal's ("no such run" for a closed workflow's update).
 */
public final class RunConflict extends RuntimeException {
  public RunConflict(String message) {
    super(message);
  }
}
