package fineflow.workers.cli;

/** Stable exit codes, listed in {@code fineflow --help}. */
public final class ExitCode {
  public static final int OK = 0;
  public static final int INTERNAL = 1;
  public static final int BAD_INPUT = 2;
  public static final int DOES_NOT_FIT = 3;
  public static final int RUN_FAILED = 4;
  public static final int PAUSED = 5;
  public static final int UNREACHABLE = 6;
  /** {@code dev}: a port it was asked to listen on is in use (the same 6: nothing to connect to). */
  public static final int PORT_TAKEN = 6;
  /** The worker's search attributes are missing on the cluster and it may not register them. */
  public static final int SEARCH_ATTRIBUTES_MISSING = 7;

  private ExitCode() {
  }
}
