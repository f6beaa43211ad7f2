package fineflow.programs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the Python tests of the programs shipped in resources/fineflow/programs, so {@code mvn verify}
 * covers them, with the Python ML environment: the programs use what their images have (numpy in the
 * TensorRT-LLM image for stage_runner.py, transformers in the trainer image for train.py).
 */
class PythonProgramsTest {

  @Test
  void pythonUnitTestsPass() throws Exception {
    String python = PythonMlEnv.requirePython().toString();
    Process p = new ProcessBuilder(List.of(python, "-B", "-m", "unittest", "discover", "-s", "src/test/python"))
        .redirectErrorStream(true)
        .start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).contains("OK");
  }
}
