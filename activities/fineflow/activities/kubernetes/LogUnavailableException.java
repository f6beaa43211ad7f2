package fineflow.activities.kubernetes;

/** A pod's log cannot be read: the container has not started, or the API served no log. */
public final class LogUnavailableException extends RuntimeException {
  public LogUnavailableException(String message) {
    super(message);
  }

  public LogUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
