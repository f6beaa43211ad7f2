package fineflow.workflows.pipeline;

/** Ends a paused run as failed; {@code reason} is kept in the failure message. */
public record AbortRequest(String reason) {
  public AbortRequest {
    reason = reason == null || reason.isBlank() ? "aborted by user" : reason.strip();
  }
}
