package fineflow.workflows.plan;

/**
 * fineflow's Python programs ({@code resources/fineflow/programs/}) as stage pods see them: the
 * {@value #CONFIG_MAP} ConfigMap, mounted read-only at {@value #DIR}. No image fineflow plans
 * keeps files there, so the mount hides nothing (mounted at {@code /opt/fineflow} it hid the
 * fineflow and benchmark images' {@code /opt/fineflow/fineflow.jar}).
 */
public final class Programs {
  public static final String DIR = "/opt/fineflow-programs";
  public static final String CONFIG_MAP = "fineflow-programs";

  private Programs() {
  }

  /** A program's path in the pod. */
  public static String path(String file) {
    return DIR + "/" + file;
  }
}
