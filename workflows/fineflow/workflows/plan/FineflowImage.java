package fineflow.workflows.plan;

import fineflow.workflows.spec.ClusterSpec;
import fineflow.workflows.spec.PipelineSpec;

/**
 * The image of fineflow itself, which runs the data-moving stages ({@code fineflow stage …});
 * its registry and tag are the spec's {@code cluster.imageRegistry} and {@code cluster.imageTag}
 * ({@link ClusterSpec#ownImage}), like the trainer and benchmark images'.
 */
public final class FineflowImage {
  /** With the default registry and tag. */
  public static final String DEFAULT = ClusterSpec.defaults().ownImage(ClusterSpec.FINEFLOW_IMAGE);

  private FineflowImage() {
  }

  static String of(PipelineSpec spec) {
    return spec.cluster().ownImage(ClusterSpec.FINEFLOW_IMAGE);
  }
}
