package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ValidateCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void validConfigsExitZero() {
    int code = run("validate", "configs/elyza-7b-qlora-triton.yaml", "configs/gpt-oss-20b-trtllm-serve.yaml",
        "configs/demo.yaml");
    assertThat(code).isEqualTo(ExitCode.OK);
    assertThat(out.toString())
        .contains("ok: configs/elyza-7b-qlora-triton.yaml (pipeline elyza-7b-qlora-triton, 9 stages)")
        .contains("ok: configs/gpt-oss-20b-trtllm-serve.yaml (pipeline gpt-oss-20b-trtllm-serve, ")
        .contains("ok: configs/demo.yaml (pipeline demo, ");
    // ELYZA sweeps concurrency 64 against max batch 16: allowed, but said.
    assertThat(err.toString()).contains("configs/elyza-7b-qlora-triton.yaml:")
        .contains(": warning: benchmark.concurrency: levels above engine.maxBatchSize (16)");
  }

  @Test
  void everyProblemIsPrintedWithFileLineAndColumn(@TempDir Path dir) throws IOException {
    Path spec = dir.resolve("bad.yaml");
    Files.writeString(spec, """
        metadata:
          name: bad
        model:
          id: org/model
        engine:
          maxBatchSise: 16
          maxInputLen: 9000
        serving:
          backend: tritonn
        """);
    int code = run("validate", spec.toString());
    assertThat(code).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString().lines().toList()).containsExactly(
        spec + ":6:3: engine.maxBatchSise: unknown key \"maxBatchSise\" (did you mean \"maxBatchSize\"?)",
        spec + ":7:3: engine.maxInputLen: must be <= engine.maxSeqLen (4096), got 9000",
        spec + ":9:3: serving.backend: unknown value \"tritonn\"; one of: triton, trtllm-serve, vllm");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void aMissingFileIsBadInputAndTheOthersAreStillChecked(@TempDir Path dir) {
    int code = run("validate", dir.resolve("nope.yaml").toString(), "configs/demo.yaml");
    assertThat(code).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("nope.yaml: cannot read", "no such file");
    assertThat(out.toString()).contains("ok: configs/demo.yaml");
  }

  @Test
  void noFileIsAUsageError() {
    assertThat(run("validate")).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("Missing required parameter");
  }

  @Test
  void schemaPrintsTheJsonSchema() {
    assertThat(run("schema")).isEqualTo(ExitCode.OK);
    assertThat(out.toString()).startsWith("{").contains("\"$schema\"", "\"training\"", "\"trtllm-serve\"");
  }

  @Test
  void trainingThatCannotFitTheGpuExitsThree(@TempDir Path dir) throws IOException {
    Path spec = dir.resolve("full-7b.yaml");
    // Full fine-tuning of Llama-2-7B with AdamW needs far more than one 80 GiB GPU.
    Files.writeString(spec, Files.readString(Path.of("configs/elyza-7b-qlora-triton.yaml"))
        .replace("method: qlora", "method: full")
        .replace("optimizer: paged_adamw_8bit", "optimizer: adamw_torch")
        .replaceAll("(?s)  quantization:.*?computeDtype: bfloat16\n", "")
        .replaceAll("(?m)^    targetModules: \\[attn_q.*\n", ""));
    int code = run("validate", spec.toString());
    assertThat(err.toString()).contains(spec + ": does not fit: training needs an estimated");
    assertThat(code).isEqualTo(ExitCode.DOES_NOT_FIT);
  }
}
