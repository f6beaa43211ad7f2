package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fineflow demo --fail-stage engine-build} as a user reads it: the injected failure says
 * it was injected, the resume diff keeps only what has results, the counts are in words that
 * agree with them, no progress bars when stdout is not a terminal (it is not, under Maven), no
 * suggestion of a {@code show} that would find no stack, and nothing left behind in the
 * temporary directory but the report, copied out.
 */
@Timeout(300)
class DemoCommandTest {
  @TempDir Path reports;

  @Test
  void theDemoWithAnInjectedFailureSaysWhatHappenedAndCleansUp() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    PrintStream original = System.err;
    int exit;
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    try {
      var cl = Main.commandLine();
      cl.setOut(new PrintWriter(out, true));
      cl.setErr(new PrintWriter(err, true));
      exit = cl.execute("demo", "--engines", "embedded", "--fail-stage", "engine-build", "--speed", "1000",
          "--report-dir", reports.toString());
    } finally {
      System.setErr(original);
    }
    String text = out.toString();

    assertThat(exit).as(text + err).isEqualTo(ExitCode.OK);
    assertThat(text).contains("failure injected by --fail-stage engine-build",
        "The run paused at engine-build, where --fail-stage injected a failure.")
        .doesNotContain("fix the spec value");
    assertThat(text).contains("  keep   train ", "  retry  engine-build ", "  run    triton-repo ",
        "  run    benchmark ").doesNotContain("rerun");
    assertThat(text).contains("Training ran 1 time over 2 spec revisions.").doesNotContain("(s)");
    assertThat(text).doesNotContain("Audit it with");
    assertThat(stderr.toString(StandardCharsets.UTF_8)).as("progress bars on a stderr that is no terminal")
        .doesNotContain("% [", "[=");

    Matcher workspace = Pattern.compile("Workspace: (\\S+) \\(temporary").matcher(text);
    assertThat(workspace.find()).as(text).isTrue();
    Path ws = Path.of(workspace.group(1));
    assertThat(ws.getParent()).as("the demo's temporary directory").doesNotExist();
    Matcher report = Pattern.compile("Benchmark report \\(simulated numbers\\): (\\S+)").matcher(text);
    assertThat(report.find()).as(text).isTrue();
    Path html = Path.of(report.group(1));
    assertThat(html).startsWith(reports).exists();
    assertThat(html.resolveSibling("summary.json")).exists();
  }

  @Test
  void badOptionsAreExit2BeforeAnythingStarts() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));

    assertThat(cl.execute("demo", "--speed", "-5")).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(cl.execute("demo", "--fail-stage", "nosuchstage")).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("--speed must be a number > 0", "--fail-stage: no stage 'nosuchstage'");
    assertThat(out.toString()).doesNotContain("Starting the dev stack");
  }

  @Test
  void countsAgreeWithTheirNumbers() {
    assertThat(DemoCommand.count(1, "time")).isEqualTo("1 time");
    assertThat(DemoCommand.count(2, "spec revision")).isEqualTo("2 spec revisions");
    assertThat(DemoCommand.count(0, "time")).isEqualTo("0 times");
  }
}
