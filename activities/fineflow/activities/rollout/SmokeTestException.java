package fineflow.activities.rollout;

/** The candidate server answered wrongly (or not at all) after it reported ready. */
public final class SmokeTestException extends RuntimeException {
  public SmokeTestException(String message) {
    super(message);
  }

  public SmokeTestException(String message, Throwable cause) {
    super(message, cause);
  }
}
