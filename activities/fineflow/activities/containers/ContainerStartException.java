package fineflow.activities.containers;

/** A container that could not start on a cluster, with what the runtime would report. */
public final class ContainerStartException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ContainerStartException(String message) {
    super(message);
  }
}
