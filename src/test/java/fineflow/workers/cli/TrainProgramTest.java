package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.programs.PythonMlEnv;
import fineflow.workflows.format.Json;
import fineflow.workflows.plan.Plan;
import fineflow.workflows.plan.Planner;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.plan.TrainParams;
import fineflow.workflows.spec.SpecLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** train.py ships in the jar and reads every value of the parameters the planner gives it. */
class TrainProgramTest {
  private static final String PROGRAM_IN_POD = "/opt/fineflow-programs/train.py";
  private static final ObjectMapper JSON = Json.mapper();

  @Test
  void trainerIsOnTheClasspath() throws IOException {
    try (InputStream in = TrainProgramTest.class.getResourceAsStream("/fineflow/programs/train.py")) {
      assertThat(in).isNotNull();
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).startsWith("#!/usr/bin/env python3");
    }
  }

  @Test
  void readsEveryValueThePlannerGives() throws Exception {
    // The ML environment's python: train.py imports stage_runner, which needs numpy (in the image).
    Path python = PythonMlEnv.requirePython();
    for (String config : List.of("elyza-7b-qlora-triton.yaml", "demo.yaml")) {
      Path file = Path.of("configs", config);
      Plan plan = Planner.plan(SpecLoader.load(Files.readString(file), file.toString()));
      Stage stage = plan.stage(StageName.TRAIN).orElseThrow();
      TrainParams params = stage.params(TrainParams.class);
      List<String> argv = stage.argv();
      assertThat(argv.subList(0, argv.indexOf(PROGRAM_IN_POD) + 1))
          .containsExactly("python3", PROGRAM_IN_POD);
      // train.py's own checks accept the planner's values, and it reads each one as planned.
      List<String> check = new ArrayList<>(List.of(python.toString(), "-B", "-c",
          "import json, sys; sys.path.insert(0, 'resources/fineflow/programs'); import train;"
              + " a = train.parse_args(sys.argv[1:]); print(json.dumps(vars(a)))"));
      check.addAll(argv.subList(argv.indexOf(PROGRAM_IN_POD) + 1, argv.size()));
      JsonNode read = JSON.readTree(run(check));
      JsonNode planned = JSON.readTree(params.json());
      planned.fieldNames().forEachRemaining(name -> {
        if (!name.equals("stage")) {
          assertThat(read.get(name)).as(config + ": train.py's " + name).isEqualTo(planned.get(name));
        }
      });
      assertThat(read.get("lora").get("r").asInt()).isEqualTo(params.lora().r());
    }
  }

  private static String run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    return output;
  }
}
