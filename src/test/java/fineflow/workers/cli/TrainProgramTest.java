package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fineflow.workflows.plan.Plan;
import fineflow.workflows.plan.Planner;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.spec.SpecLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** train.py ships in the jar and accepts every flag the planner gives it. */
class TrainProgramTest {
  private static final Path PROGRAM = Path.of("resources/fineflow/programs/train.py");
  private static final String PROGRAM_IN_POD = "/opt/fineflow-programs/train.py";

  @Test
  void trainerIsOnTheClasspath() throws IOException {
    try (InputStream in = TrainProgramTest.class.getResourceAsStream("/fineflow/programs/train.py")) {
      assertThat(in).isNotNull();
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).startsWith("#!/usr/bin/env python3");
    }
  }

  @Test
  void acceptsEveryFlagAndValueThePlannerGives() throws Exception {
    assumeTrue(python3Available(), "python3 is not on the PATH");
    String help = python("-B", PROGRAM.toString(), "--help");
    for (String config : List.of("elyza-7b-qlora-triton.yaml", "demo.yaml")) {
      Path file = Path.of("configs", config);
      Plan plan = Planner.plan(SpecLoader.load(Files.readString(file), file.toString()));
      List<String> flags = plan.stage(StageName.TRAIN).orElseThrow().argv().stream()
          .filter(arg -> arg.startsWith("--"))
          .toList();
      assertThat(flags).contains("--model", "--train-file", "--output-dir", "--gradient-checkpointing");
      for (String flag : flags) {
        assertThat(help).as("train.py --help lists %s", flag).contains(flag);
      }
      // train.py's own checks accept the planner's values, not only its flag names.
      List<String> argv = plan.stage(StageName.TRAIN).orElseThrow().argv();
      List<String> check = new java.util.ArrayList<>(List.of("-B", "-c",
          "import sys; sys.path.insert(0, 'resources/fineflow/programs'); import train;"
              + " a = train.parse_args(sys.argv[1:]); print('parsed', a.method)"));
      check.addAll(argv.subList(argv.indexOf(PROGRAM_IN_POD) + 1, argv.size()));
      assertThat(python(check.toArray(String[]::new))).startsWith("parsed ");
    }
  }

  private static boolean python3Available() {
    try {
      Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static String python(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("python3"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    return output;
  }
}
