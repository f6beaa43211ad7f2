package fineflow.workflows.plan;

/** The image of fineflow itself, which runs the data-moving stages ({@code fineflow stage …}). */
public final class FineflowImage {
  public static final String DEFAULT = "ghcr.io/fineflow/fineflow:0.1.0";

  private FineflowImage() {
  }
}
