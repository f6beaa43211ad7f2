package fineflow.programs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the Python tests of the programs shipped in resources/fineflow/programs (stdlib only), so
 * {@code mvn verify} covers them; skipped where no python3 is on PATH.
 */
class PythonProgramsTest {

  @Test
  void pythonUnitTestsPass() throws Exception {
    assumeTrue(pythonAvailable(), "python3 is not on PATH");
    Process p = new ProcessBuilder(List.of("python3", "-m", "unittest", "discover", "-s", "src/test/python"))
        .redirectErrorStream(true)
        .start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).contains("OK");
  }

  private static boolean pythonAvailable() {
    try {
      Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
