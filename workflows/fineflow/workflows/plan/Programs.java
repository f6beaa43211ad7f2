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
  /**
   * fineflow's wrapper around the NVIDIA tools: checks a tool's inputs before it runs and its
   * outputs after, against the stage's parameters, then writes the termination message. It turns
   * the manual run's start-up crashes at serving time ({@code map::at}, {@code std::bad_cast}:
   * docs/manual-procedure.md "Pitfalls") into a clear exit 2 of the stage that causes them.
   */
  public static final String STAGE_RUNNER = path("stage_runner.py");

  private Programs() {
  }

  /** A program's path in the pod. */
  public static String path(String file) {
    return DIR + "/" + file;
  }
}
