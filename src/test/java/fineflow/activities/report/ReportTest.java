package fineflow.activities.report;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.activities.benchmark.BenchmarkDirectory;
import fineflow.activities.benchmark.BenchmarkRun;
import fineflow.activities.benchmark.MetricStats;
import fineflow.activities.benchmark.BenchmarkSet;
import fineflow.workflows.contract.Artifact;
import fineflow.workflows.gate.PromotionGate;
import fineflow.workflows.spec.SloSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

  static BenchmarkSet triton() throws Exception {
    return BenchmarkDirectory.load(Paths.get(ReportTest.class.getResource("/benchmark/genai-perf-triton").toURI()));
  }

  @Test
  void htmlHasChartsAndTheNumbersOfTheInput() throws Exception {
    String html = HtmlReport.render(ReportModel.of("ELYZA-7B on Triton", triton()));

    Matcher img = Pattern.compile("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(html);
    int charts = 0;
    while (img.find()) {
      byte[] png = Base64.getDecoder().decode(img.group(1));
      assertThat(png).startsWith(0x89, 'P', 'N', 'G');
      charts++;
    }
    assertThat(charts).isEqualTo(4);
    assertThat(html).contains("Output token throughput vs concurrency", "Inter token latency (avg) vs concurrency");
    // The manual run's c=1 numbers (docs/manual-procedure.md "Benchmarks"), as genai-perf prints them.
    assertThat(html).contains("<td>14.00</td><td>12.34</td>", "<td>16.47</td>", "6.09", "5.83", "173.18",
        "171.29", "1,398.62", "<td>38</td>", "512.08", "240.00");
    // Triton vs vLLM at c=16: 1,156.97 vs 813.81 tokens/s, but Triton stopped at 240 of 256
    // tokens while vLLM ignored EOS: the manual run's ratio compares unequal work, so it is not ranked.
    assertThat(html).contains("<td>512.08 / 240.00</td><td>1,156.97</td><td>512.00 / 256.00</td>"
        + "<td>813.81</td><td>not ranked</td>");
    assertThat(html).contains("Not ranked at concurrency 16: mean output lengths differ: candidate"
        + " 240.00 vs baseline 256.00 tokens (6.3% apart, more than 2%)");
    assertThat(html).contains("<h2>Concurrency 64</h2>", "candidate: triton-tensorrtllm", "baseline: vllm-bench-openai");
    assertThat(html).doesNotContain("http://", "https://", "<script");
  }

  @Test
  void listsRunStagesAndGate() throws Exception {
    ReportModel model = ReportModel.of("r", triton())
        .withRun(new RunInfo("elyza-qlora-3f2a9c", "elyza-qlora", "9b1f00aa", "elyza/ELYZA-japanese-Llama-2-7b",
            null, null, List.of(
            new StageRow("train", "succeeded", 1612L,
                List.of(new Artifact("adapter", "/workspace/cache/train-abc/adapter", "ab12cd34ef56ff00", 39_000_000)),
                false),
            new StageRow("engine-build", "cached", null, List.of(), false))))
        .withGate(PromotionGate.evaluate(new SloSpec(16, 50.0, null, 130.0), triton().summary()));

    String html = HtmlReport.render(model);
    String md = MarkdownReport.render(model, "report.html");

    assertThat(html).contains("elyza-qlora-3f2a9c", "9b1f00aa", "26m 52s", "/workspace/cache/train-abc/adapter",
        "sha256:ab12cd34ef56", "Promotion gate: <span class=\"fail\">failed", "TTFT p99 (ms)", "61.20");
    assertThat(md).contains("| train | succeeded | 26m 52s |", "## Promotion gate: failed",
        "| Output token throughput (tokens/sec) | 171.29 |",
        "| 16 | 512.08 / 240.00 | 1,156.97 | 512.00 / 256.00 | 813.81 | not ranked |",
        "- Not ranked at concurrency 16: mean output lengths differ");
  }

  /** Equal lengths (within 2%) are ranked; the gate sees only the baseline levels that are. */
  @Test
  void equalWorkIsRankedAndUnequalWorkIsKeptFromTheGate() throws Exception {
    BenchmarkSet seed = triton();
    BenchmarkSet equal = new BenchmarkSet(seed.candidate().stream().map(r -> withOsl(r, 251.0)).toList(),
        seed.baseline());
    String md = MarkdownReport.render(ReportModel.of("equal", equal), null);
    assertThat(md).contains("| 16 | 512.08 / 251.00 | 1,156.97 | 512.00 / 256.00 | 813.81 | 1.42× |")
        .doesNotContain("not ranked");
    assertThat(equal.rankable().baseline()).hasSameSizeAs(seed.baseline());
    assertThat(seed.rankable().baseline()).isEmpty();
    assertThat(seed.rankable().candidate()).hasSameSizeAs(seed.candidate());
  }

  private static BenchmarkRun withOsl(BenchmarkRun r, double osl) {
    return new BenchmarkRun(r.tool(), r.label(), r.model(), r.concurrency(), r.ttft(), r.timeToSecondToken(),
        r.interTokenLatency(), r.outputTokenThroughputPerUser(), r.outputTokenThroughputPerRequest(),
        r.outputTokenThroughput(), r.requestLatency(), r.requestThroughput(), r.inputSequenceLength(),
        MetricStats.ofAvg("tokens", osl), r.requestCount());
  }

  @Test
  void nonStreamingReportHasNoLatencyCharts(@TempDir Path tmp) throws Exception {
    BenchmarkSet set = BenchmarkDirectory.load(
        Paths.get(ReportTest.class.getResource("/benchmark/genai-perf-nonstreaming").toURI()));

    BenchmarkReport.Written w = BenchmarkReport.write(ReportModel.of("non-streaming", set), tmp.resolve("out/r.html"));

    String html = Files.readString(w.html());
    assertThat(w.markdown().getFileName().toString()).isEqualTo("r.md");
    assertThat(html).contains("non-streaming", "1,106.40").doesNotContain("Time to first token (ms)");
    assertThat(Pattern.compile("data:image/png").matcher(html).results().count()).isEqualTo(1);
  }
}
