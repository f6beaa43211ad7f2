package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class StageBenchmarkCommandTest {

  int run(StringWriter err, String... args) {
    CommandLine cl = new CommandLine(new StageBenchmarkCommand());
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void impossibleCombinationsAreBadInput() {
    StringWriter err = new StringWriter();

    int vllmKserve = run(err, "--tool", "vllm-bench", "--url", "u", "--model", "m", "--tokenizer", "t",
        "--endpoint-type", "kserve", "--output", "out");
    int unknownTool = run(err, "--tool", "perf_analyzer", "--url", "u", "--model", "m", "--tokenizer", "t",
        "--output", "out");
    int badLevels = run(err, "--tool", "genai-perf", "--url", "u", "--model", "m", "--tokenizer", "t",
        "--concurrency", "0,4", "--output", "out");

    assertThat(vllmKserve).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(unknownTool).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(badLevels).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("OpenAI API only", "expected genai-perf or vllm-bench, got 'perf_analyzer'",
        "levels >= 1");
  }
}
