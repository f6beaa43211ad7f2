package fineflow.workers.engines;

/** A real engine was asked for and is not installed; the message says how to install it. */
public final class EngineMissingException extends RuntimeException {
  public EngineMissingException(String message) {
    super(message);
  }
}
