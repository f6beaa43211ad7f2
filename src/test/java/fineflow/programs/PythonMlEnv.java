package fineflow.programs;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fineflow.engines.RealEngines;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The virtual environment with the pinned ML stack (torch, transformers, peft) that
 * scripts/install-python-env makes at {@code ${FINEFLOW_PYTHON_ENV:-$HOME/.fineflow/python-env}}.
 * Like the real engines: on CI ({@code CI=true}) a missing environment fails the test, elsewhere
 * it skips with the install hint.
 */
public final class PythonMlEnv {
  static final String INSTALL_HINT = "run scripts/install-python-env";

  private PythonMlEnv() {
  }

  static Path home() {
    String configured = System.getenv("FINEFLOW_PYTHON_ENV");
    return configured != null && !configured.isBlank()
        ? Path.of(configured)
        : Path.of(System.getProperty("user.home"), ".fineflow", "python-env");
  }

  /** The environment's python, or fail (CI) / skip (elsewhere). */
  public static Path requirePython() {
    Path python = home().resolve("bin").resolve("python");
    if (!Files.isExecutable(python)) {
      String message = "no Python ML environment at " + home() + " (" + INSTALL_HINT + ")";
      if (RealEngines.onCi()) {
        fail("CI=true and " + message);
      }
      assumeTrue(false, message);
    }
    return python;
  }
}
