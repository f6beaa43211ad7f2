package fineflow.workers.worker;

/** How the worker waits for a running stage (see docs/performance.md for the measurements). */
public enum AwaitMode {
  /** A shared informer completes the await activity when the stage's object changes. */
  async,
  /** The await activity fails "still running" and Temporal retries it at the stage's interval. */
  poll
}
