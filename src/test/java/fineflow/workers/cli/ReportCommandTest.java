package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ReportCommandTest {

  @Test
  void writesHtmlAndMarkdownFromAnArtifactDirectory(@TempDir Path tmp) throws Exception {
    Path dir = Paths.get(getClass().getResource("/benchmark/genai-perf-triton").toURI());
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out));

    int code = cl.execute("report", dir.toString(), "--out", tmp.resolve("report.html").toString(),
        "--slo-concurrency", "16", "--slo-ttft-p99-ms", "100", "--slo-min-throughput-percent", "130");

    assertThat(code).isEqualTo(ExitCode.OK);
    assertThat(Files.readString(tmp.resolve("report.html"))).contains("data:image/png;base64,", "1,156.97");
    // The fixture's baseline did other work (OSL 256 vs 240): not ranked, so its throughput bound
    // cannot pass.
    assertThat(Files.readString(tmp.resolve("report.md"))).contains(
        "| 16 | 512.08 / 240.00 | 1,156.97 | 512.00 / 256.00 | 813.81 | not ranked |",
        "## Promotion gate: failed", "| TTFT p99 (ms) | 16 | 61.20 | <= 100.00 | pass |");
    assertThat(out.toString()).contains("report.html", "report.md");
  }

  @Test
  void neitherPathNorRunIdAndBadDirectoryAreBadInput(@TempDir Path tmp) {
    CommandLine cl = Main.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));

    assertThat(cl.execute("report", "Not_A/Run", "--temporal", "127.0.0.1:1")).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("is neither a file or directory nor a run id");
    assertThat(cl.execute("report", tmp.toString())).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("no benchmark results found");
  }
}
