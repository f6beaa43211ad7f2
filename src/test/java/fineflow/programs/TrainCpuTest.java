package fineflow.programs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fineflow.activities.stages.ContentDigest;
import fineflow.activities.stages.datasetprep.DatasetPrep;
import fineflow.activities.stages.datasetprep.DatasetPrepResult;
import fineflow.activities.stages.datasetprep.PrepRequests;
import fineflow.workflows.plan.StageParams;
import fineflow.workflows.plan.TrainParams;
import fineflow.workflows.spec.DatasetFields;
import fineflow.workflows.spec.DatasetFormat;
import fineflow.workflows.spec.InvalidRecordPolicy;
import fineflow.workflows.spec.LoraSpec;
import fineflow.workflows.spec.PromptTemplate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train.py for real on the CPU, with the pinned torch, transformers and peft of
 * scripts/install-python-env: dataset-prep writes data shaped like the manual run's, train.py
 * trains a tiny random Llama (hidden 64) for two LoRA steps on those very files, the adapter is
 * reloaded with PeftModel.from_pretrained (scripts/gpu-check/load_adapter.py, as on the GPU), and a
 * second run resumes from the first one's checkpoint.
 */
class TrainCpuTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path PROGRAM = Path.of("resources/fineflow/programs/train.py");
  private static final Path RELOAD = Path.of("scripts/gpu-check/load_adapter.py");
  private static final Path CONFIG = Path.of("src/test/resources/cpu-llama-config.json");

  @TempDir
  Path dir;

  @Test
  void datasetPrepOutputTrainsTwoLoraStepsReloadsAndResumes() throws Exception {
    Path python = PythonMlEnv.requirePython();
    Path out = dir.resolve("dataset");
    DatasetPrepResult prepared = DatasetPrep.run(PrepRequests.of(seedLikeRecords(10), DatasetFormat.JSON,
        PromptTemplate.LLAMA2_CHAT, "あなたは太宰治です。", DatasetFields.defaults(), 0.2, 42,
        InvalidRecordPolicy.FAIL, 2048, 0, out));
    assertThat(prepared.manifest().counts().train()).isEqualTo(8);
    Path train = out.resolve("train.jsonl");
    Path validation = out.resolve("validation.jsonl");
    Path output = dir.resolve("train");
    // The parameters as the planner writes them (TrainParams), for a fp32 CPU run of two steps.
    TrainParams params = new TrainParams(null, "main", train.toString(), validation.toString(),
        output.toString(), "lora", new TrainParams.Lora(4, 8, 0.1, LoraSpec.LLAMA_ALL_LINEAR, "none"),
        null, 3, 2, 1, 1e-3, "cosine", 0, "adamw_torch", true, "fp32", 192, 1, 1, 1, 42, false);
    List<String> args = List.of(StageParams.OPTION, params.json(), "--random-init-config", CONFIG.toString());

    Run first = train(python, args, "--max-steps", "2");
    assertThat(first.exitCode()).as(first.output()).isZero();
    JsonNode model = first.event("model");
    assertThat(model.get("method").asText()).isEqualTo("lora");
    assertThat(model.get("gradientCheckpointing").asBoolean()).isTrue();
    assertThat(model.get("checkpointingModules").asInt()).isPositive();
    assertThat(model.get("trainableParams").asLong()).isPositive().isLessThan(model.get("totalParams").asLong());
    List<JsonNode> progress = first.events("progress");
    assertThat(progress).extracting(p -> p.get("step").asInt()).contains(1, 2);
    assertThat(progress).allSatisfy(p -> assertThat(p.get("totalSteps").asInt()).isEqualTo(2));
    assertThat(progress).anySatisfy(p -> assertThat(p.get("loss").asDouble()).isPositive());
    assertThat(progress).anySatisfy(p -> assertThat(p.get("eval_loss").isNumber()).isTrue());

    JsonNode result = JSON.readTree(first.resultFile().toFile());
    assertThat(Files.size(first.resultFile())).isLessThan(4096);
    assertThat(result).isEqualTo(withoutEvent(first.event("result")));
    assertThat(result.at("/simulated").asBoolean()).isFalse();
    assertThat(result.at("/metrics/steps").asInt()).isEqualTo(2);
    assertThat(result.at("/metrics/trainLoss").asDouble()).isPositive();
    assertThat(result.at("/metrics/evalLoss").asDouble()).isPositive();
    assertThat(result.at("/info/resumedFrom").asText()).isEmpty();
    Path adapter = output.resolve("adapter");
    assertThat(adapter.resolve("adapter_config.json")).isRegularFile();
    assertThat(result.at("/artifacts/0/name").asText()).isEqualTo("adapter");
    assertThat(result.at("/artifacts/1/sha256").asText())
        .isEqualTo(ContentDigest.of(output.resolve("trainer_state.json")).sha256());

    List<String> reloadArgs = new ArrayList<>(List.of(RELOAD.toString(), PROGRAM.getParent().toString(),
        adapter.toString()));
    reloadArgs.addAll(args);
    Run reload = run(python, reloadArgs);
    assertThat(reload.exitCode()).as(reload.output()).isZero();
    assertThat(reload.output()).contains("adapter ok: 28 tensors");

    Run resumed = train(python, args, "--max-steps", "4");
    assertThat(resumed.exitCode()).as(resumed.output()).isZero();
    assertThat(resumed.event("resume").get("checkpoint").asText()).endsWith("checkpoint-2");
    assertThat(resumed.events("progress")).extracting(p -> p.get("step").asInt()).contains(3, 4).doesNotContain(1);
    JsonNode second = JSON.readTree(resumed.resultFile().toFile());
    assertThat(second.at("/metrics/steps").asInt()).isEqualTo(4);
    assertThat(second.at("/info/resumedFrom").asText()).endsWith("checkpoint-2");
  }

  private Path seedLikeRecords(int n) throws IOException {
    StringBuilder s = new StringBuilder("[\n");
    for (int i = 0; i < n; i++) {
      s.append("  {\"instruction\": \"質問").append(i).append(" について教えて\", \"output\": \"答え")
          .append(i).append(" です。人間失格。\"}").append(i < n - 1 ? ",\n" : "\n");
    }
    return Files.writeString(dir.resolve("data.json"), s.append("]\n"), StandardCharsets.UTF_8);
  }

  private Run train(Path python, List<String> args, String... extra) throws Exception {
    List<String> command = new ArrayList<>(List.of(PROGRAM.toString()));
    command.addAll(args);
    command.addAll(List.of(extra));
    return run(python, command);
  }

  private Run run(Path python, List<String> args) throws Exception {
    Path resultFile = Files.createTempFile(dir, "result", ".json");
    List<String> command = new ArrayList<>(List.of(python.toString(), "-B"));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("FINEFLOW_RESULT_FILE", resultFile.toString());
    builder.environment().put("PYTHONUNBUFFERED", "1");
    // No network, no shared caches: the model is built from config.json, the tokenizer is bytes.
    builder.environment().put("HF_HUB_OFFLINE", "1");
    builder.environment().put("HF_HOME", dir.resolve("hf-home").toString());
    builder.environment().put("CUDA_VISIBLE_DEVICES", "");
    Process p = builder.start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
    return new Run(p.exitValue(), output, resultFile);
  }

  private static JsonNode withoutEvent(JsonNode event) {
    ObjectNode copy = (ObjectNode) event.deepCopy();
    copy.remove("event");
    return copy;
  }

  /** One process: exit code, stdout and stderr, and the file it wrote its result message to. */
  private record Run(int exitCode, String output, Path resultFile) {
    List<JsonNode> events(String name) {
      List<JsonNode> events = new ArrayList<>();
      for (String line : output.split("\n")) {
        if (line.startsWith("{\"event\":\"" + name + "\"")) {
          try {
            events.add(JSON.readTree(line));
          } catch (IOException e) {
            throw new AssertionError("not JSON: " + line, e);
          }
        }
      }
      return events;
    }

    JsonNode event(String name) {
      List<JsonNode> found = events(name);
      assertThat(found).as("%s event in:%n%s", name, output).hasSize(1);
      return found.get(0);
    }
  }
}
