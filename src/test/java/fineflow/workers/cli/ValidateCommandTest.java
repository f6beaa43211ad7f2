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
        .contains("ok: configs/elyza-7b-qlora-triton.yaml (pipeline elyza-7b-qlora-triton, 10 stages)")
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

  @Test
  void validateAndPlanReportTheSameProblemsInTheSameFormat(@TempDir Path dir) throws IOException {
    Path spec = dir.resolve("bad.yaml");
    Files.writeString(spec, Files.readString(Path.of("configs/demo.yaml"))
        .replace("  maxBatchSize: 4\n", "  maxBatchSize: 99999999999\n  maxBatchSise: 8\n")
        .replaceFirst("path: [^\n]*", "path: ../../etc/passwd"));
    int validate = run("validate", spec.toString());
    String validateErr = err.toString();
    err.getBuffer().setLength(0);
    int plan = run("plan", spec.toString());

    assertThat(validate).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(plan).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).isEqualTo(validateErr);
    assertThat(validateErr.lines().toList()).hasSize(3).allMatch(l -> l.startsWith(spec + ":"))
        .anyMatch(l -> l.contains(": dataset.path: ../../etc/passwd climbs out of the workspace volume"))
        .anyMatch(l -> l.contains(": engine.maxBatchSize: out of range: a whole number of at most 2147483647"))
        .anyMatch(l -> l.contains(": engine.maxBatchSise: unknown key"));
  }

  @Test
  void directoriesBinariesAndHugeFilesAreBadInputForEveryCommand(@TempDir Path dir) throws IOException {
    Path binary = dir.resolve("junk.yaml");
    Files.write(binary, new byte[] {(byte) 0xc3, 0x28, (byte) 0xff, 0x00, 0x01});
    Path huge = dir.resolve("huge.yaml");
    Files.writeString(huge, "x: " + "a".repeat(10 * 1024 * 1024));
    for (String command : new String[] {"validate", "plan", "estimate"}) {
      err.getBuffer().setLength(0);
      assertThat(run(command, dir.toString())).as(command + " DIR").isEqualTo(ExitCode.BAD_INPUT);
      assertThat(run(command, binary.toString())).as(command + " binary").isEqualTo(ExitCode.BAD_INPUT);
      assertThat(run(command, huge.toString())).as(command + " huge").isEqualTo(ExitCode.BAD_INPUT);
      assertThat(err.toString()).as(command)
          .contains(dir + ": cannot read " + dir + ": is a directory, not a spec file")
          .contains("not UTF-8 text")
          .contains("it is 10.0 MiB; a spec file may be at most 1024 KiB")
          .doesNotContain("--verbose");
    }
  }
}
