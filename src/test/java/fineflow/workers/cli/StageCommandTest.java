package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fineflow.workers.stage.StageCommand;
import fineflow.workflows.plan.BenchmarkParams;
import fineflow.workflows.plan.DatasetPrepParams;
import fineflow.workflows.plan.TritonRepoParams;
import fineflow.workflows.spec.DatasetFields;
import fineflow.workflows.spec.DatasetFormat;
import fineflow.workflows.spec.InvalidRecordPolicy;
import fineflow.workflows.spec.PromptTemplate;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The flag names here are the contract the planner's argv uses. */
class StageCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Test
  void datasetPrepWritesItsOutputsAndTheResultFile() throws IOException {
    Path input = Files.writeString(dir.resolve("d.jsonl"),
        "{\"q\": \"a\", \"a\": \"x\"}\n{\"q\": \"b\", \"a\": \"y\"}\n{\"q\": \"c\", \"a\": \"z\"}\n"
            + "{\"q\": \"d\", \"a\": \"w\"}\n{\"q\": \"e\"}\n", StandardCharsets.UTF_8);
    Path result = dir.resolve("result.json");
    int code = execute("stage", "dataset-prep", "--params", prep(input.toString(), "jsonl", "llama2-chat",
        new DatasetFields("q", "a", null, null), "skip", false), "--result-file", result.toString());

    assertThat(code).as(err.toString()).isEqualTo(ExitCode.OK);
    assertThat(dir.resolve("out/train.jsonl")).exists();
    JsonNode r = JSON.readTree(result.toFile());
    assertThat(r.at("/metrics/recordsValid").asDouble()).isEqualTo(4.0);
    assertThat(r.at("/metrics/recordsSkipped").asDouble()).isEqualTo(1.0);
    assertThat(r.at("/metrics/recordsValidation").asDouble()).isEqualTo(1.0);
  }

  @Test
  void datasetPrepUnderPolicyFailExitsTwoAndListsTheBadRecords() throws IOException {
    Path input = Files.writeString(dir.resolve("d.json"),
        "[{\"instruction\": \"a\", \"output\": \"x\"},\n {\"instruction\": \"b\"}]", StandardCharsets.UTF_8);
    Path result = dir.resolve("result.json");
    int code = execute("stage", "dataset-prep", "--params", prep(input.toString(), "json", "llama2-chat",
        DatasetFields.defaults(), "fail", false), "--result-file", result.toString());

    assertThat(code).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("line 2 (record 1): missing-field: missing field \"output\"");
    JsonNode r = JSON.readTree(result.toFile());
    assertThat(r.get("error").asText()).contains("1 of 2 records are invalid");
    assertThat(r.get("problems").get(0).asText()).startsWith("line 2 (record 1)");
  }

  /**
   * dataset-prep's parameters as the planner renders them, into {@code dir/out}, with the three
   * choices spelled as given (what a pod reads, right or wrong).
   */
  private String prep(String input, String format, String template, DatasetFields fields, String onInvalid,
      boolean contentAddressed) {
    String planned = new DatasetPrepParams(input, DatasetFormat.JSON, PromptTemplate.PLAIN, "S", fields, 0.25, 42,
        InvalidRecordPolicy.FAIL, 2048, dir.resolve("out").toString(), contentAddressed).json();
    try {
      return ((ObjectNode) JSON.readTree(planned)).put("format", format).put("template", template)
          .put("onInvalid", onInvalid).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void unknownTemplateFormatAndPolicyAreUsageErrors() {
    assertThat(execute("stage", "dataset-prep", "--params", prep("x", "json", "chatml", DatasetFields.defaults(),
        "fail", false))).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("template: 'chatml' is not one of llama2-chat, plain");
    assertThat(execute("stage", "dataset-prep", "--params", prep("x", "csv", "plain", DatasetFields.defaults(),
        "fail", false))).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(execute("stage", "dataset-prep", "--params", prep("x", "json", "plain", DatasetFields.defaults(),
        "ignore", false))).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(execute("stage", "dataset-prep", "--params", "{\"stage\":\"dataset-prep\",\"format\":\"json\"}"))
        .isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("the dataset-prep parameters have no input");
  }

  @Test
  void tritonRepoWithThePlannersFlags() throws IOException {
    Path engine = dir.resolve("engine");
    Files.createDirectories(engine);
    Files.writeString(engine.resolve("config.json"), "{\"pretrained_config\": {\"dtype\": \"float16\"}, "
        + "\"build_config\": {\"max_batch_size\": 16, \"plugin_config\": {\"lora_plugin\": \"auto\"}}}");
    Files.write(engine.resolve("rank0.engine"), new byte[] {1});
    Path prefetch = dir.resolve("lora/0");
    Files.createDirectories(prefetch);
    Files.write(prefetch.resolve("model.lora_config.npy"), new byte[] {1});
    Files.write(prefetch.resolve("model.lora_weights.npy"), new byte[] {1});
    Path result = dir.resolve("result.json");
    String[] args = {"stage", "triton-repo", "--params", params(dir, engine, 16, "repo"),
        "--result-file", result.toString()};

    assertThat(execute(args)).as(err.toString()).isEqualTo(ExitCode.OK);
    assertThat(Files.readString(dir.resolve("repo/tensorrt_llm/config.pbtxt")))
        .contains("decoupled: false", "max_queue_delay_microseconds: 100", "string_value: \"0.85\"");
    assertThat(Files.readString(dir.resolve("repo/postprocessing/config.pbtxt"))).contains("count: 3");
    assertThat(JSON.readTree(result.toFile()).at("/artifacts/0/name").asText()).isEqualTo("model-repo");

    args[3] = params(dir, engine, 8, "repo2");
    assertThat(execute(args)).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("differs from the engine's build_config.max_batch_size 16");
    assertThat(execute("stage", "triton-repo", "--params", "{\"stage\":\"benchmark\"}")).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("--params is not the JSON of TritonRepoParams");
    assertThat(execute("stage", "triton-repo", "--params", "{\"stage\":\"triton-repo\",\"maxBatchSize\":16}"))
        .isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("the triton-repo parameters have no skeleton");
  }

  /** The parameters the planner renders for a repository of {@code engine}. */
  private static String params(Path dir, Path engine, int maxBatchSize, String output) {
    return new TritonRepoParams("resources/fineflow/dev/triton-skeleton/inflight_batcher_llm",
        engine.toString(), "/workspace/models/tok", dir.resolve("lora").toString(), maxBatchSize, false,
        "TYPE_FP16", "inflight_fused_batching", 0.85, 100, 2, 3, 1, dir.resolve(output).toString()).json();
  }

  /** Benchmark parameters whose output folder cannot be made. */
  private static final String BENCHMARK_TO_DEV_NULL = new BenchmarkParams("genai-perf", "u", "m", "t",
      List.of(1), 8, 8, List.of(32), true, "kserve", null, null, "/dev/null/out").json();

  @Test
  void stageListsItsSubcommands() {
    execute("stage", "--help");
    assertThat(out.toString()).contains("dataset-prep", "triton-repo");
  }

  /** What the dev node runs for a fineflow-image container must read as the image's program. */
  @Test
  void theDevNodesStageProgramPrintsAndExitsAsFineflowDoes() {
    for (String[] args : List.of(
        new String[] {"stage", "dataset-prep", "--help"},
        new String[] {"stage", "triton-repo", "--bogus"},
        new String[] {"stage", "dataset-prep", "--verbose", "--params", "{\"stage\":\"dataset-prep\","
            + "\"input\":\"x\",\"format\":\"json\",\"template\":\"chatml\",\"validationSplit\":0.2,\"seed\":42,"
            + "\"onInvalid\":\"fail\",\"maxInputTokens\":1,\"output\":\"o\"}"},
        new String[] {"stage", "--version"},
        // An error the stage did not expect (its output folder cannot be made): one line, exit 1.
        new String[] {"stage", "benchmark", "--params", BENCHMARK_TO_DEV_NULL})) {
      Printed image = printed(Main.commandLine(), args);
      Printed devNode = printed(StageCommand.program(), args);
      assertThat(devNode).as(String.join(" ", args)).isEqualTo(image);
    }
    assertThat(printed(StageCommand.program(), "stage", "benchmark", "--params", BENCHMARK_TO_DEV_NULL))
        .satisfies(p -> assertThat(p.exit()).isEqualTo(ExitCode.INTERNAL))
        .satisfies(p -> assertThat(p.output()).startsWith("fineflow: ")
            .contains("(run it again with --verbose for the stack trace)"));
    // The doubled program name of an args-over-entrypoint mistake: the same error line.
    Printed image = printed(Main.commandLine(), "fineflow", "stage", "dataset-prep", "--help");
    Printed devNode = printed(StageCommand.program(), "fineflow", "stage", "dataset-prep", "--help");
    assertThat(devNode.exit()).isEqualTo(image.exit()).isEqualTo(ExitCode.BAD_INPUT);
    String firstLine = devNode.output().lines().findFirst().orElseThrow();
    assertThat(firstLine).isEqualTo(image.output().lines().findFirst().orElseThrow())
        .contains("Unmatched argument at index 0: 'fineflow'");
  }

  private record Printed(int exit, String output) {
  }

  private static Printed printed(CommandLine cl, String... args) {
    StringWriter both = new StringWriter();
    cl.setOut(new PrintWriter(both, true));
    cl.setErr(new PrintWriter(both, true));
    int exit = cl.execute(args);
    return new Printed(exit, both.toString());
  }

  private int execute(String... args) {
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }
}
