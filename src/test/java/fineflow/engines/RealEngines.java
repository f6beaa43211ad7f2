package fineflow.engines;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fineflow.workers.engines.EngineBinaries;
import java.nio.file.Path;

/**
 * The gate in front of every test that needs a real engine: on CI ({@code CI=true}) a missing
 * engine fails the test, because CI installs them and a silent skip would hide a broken
 * install; on a developer's machine it skips with the install hint.
 */
public final class RealEngines {
  private RealEngines() {
  }

  public static boolean onCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** The named engine's binary, or fail (CI) / skip (elsewhere). */
  public static Path require(String name) {
    EngineBinaries engines = EngineBinaries.fromEnvironment();
    if (engines.find(name).isEmpty()) {
      String message = name + " is not installed under " + engines.bin() + " (" + EngineBinaries.INSTALL_HINT + ")";
      if (onCi()) {
        fail("CI=true and " + message);
      }
      assumeTrue(false, message);
    }
    return engines.require(name);
  }
}
