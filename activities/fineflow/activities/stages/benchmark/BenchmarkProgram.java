package fineflow.activities.stages.benchmark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fineflow.activities.benchmark.BenchmarkArgv;
import fineflow.activities.benchmark.BenchmarkDirectory;
import fineflow.activities.benchmark.BenchmarkFormatException;
import fineflow.activities.benchmark.BenchmarkOptions;
import fineflow.activities.benchmark.BenchmarkRun;
import fineflow.activities.benchmark.BenchmarkSet;
import fineflow.activities.report.BenchmarkReport;
import fineflow.activities.report.ReportModel;
import fineflow.workflows.format.Json;
import fineflow.workflows.gate.BenchmarkSummary;
import fineflow.workflows.spec.BenchmarkTool;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The benchmark stage's program (runs in the benchmark Job's pod): sweeps the concurrency
 * levels with genai-perf or {@code vllm bench serve} against the candidate and the baseline,
 * parses the exports, writes {@code summary.json} and a report into the output directory, and
 * the stage result as termination message. Exit codes follow the pod contract: 0 ok, 1 a tool
 * failed, 4 the tools ran but their results are missing or unreadable.
 */
public final class BenchmarkProgram {

  public static final int EXIT_OK = 0;
  public static final int EXIT_TOOL_FAILED = 1;
  public static final int EXIT_OUTPUT_INVALID = 4;
  /** The kubelet truncates termination messages at 4 KiB. */
  static final int TERMINATION_LIMIT = 4000;
  static final int LOG_TAIL = 30;
  /** Dropped first, in order, when the result would not fit the termination message. */
  private static final List<Pattern> DROPPABLE = List.of(
      Pattern.compile("c\\d+\\.perUserThroughput"),
      Pattern.compile("baseline\\.c\\d+\\.ttftP99Ms"),
      Pattern.compile("c\\d+\\.itlAvgMs"),
      // Last resort (dozens of levels): headline numbers only; the gate then reads "not
      // benchmarked" and fails closed, and summary.json still has every level.
      Pattern.compile("(baseline\\.)?c\\d+\\..*"));
  private static final ObjectMapper JSON = Json.pretty();

  private final BenchmarkOptions options;
  private final PrintWriter out;
  private final PrintWriter err;

  public BenchmarkProgram(BenchmarkOptions options, PrintWriter out, PrintWriter err) {
    this.options = options;
    this.out = out;
    this.err = err;
  }

  /** One tool run: the argv and the folder its result lands in. */
  public record Step(String target, int concurrency, List<String> argv, Path log) {
  }

  /** Every tool run of the sweep, candidate first, in concurrency order. */
  public List<Step> steps() {
    List<Step> steps = new ArrayList<>();
    Path out = options.output();
    for (int c : options.concurrency()) {
      steps.add(step("candidate", c, options.tool(), options.url(), options.model(),
          options.endpointType(), out));
    }
    if (options.baselineUrl() != null) {
      for (int c : options.concurrency()) {
        steps.add(step("baseline", c, options.baselineTool(), options.baselineUrl(),
            options.baselineModel(), options.baselineEndpointType(), out.resolve(BenchmarkDirectory.BASELINE_DIR)));
      }
    }
    return steps;
  }

  private Step step(String target, int c, BenchmarkTool tool, String url, String model, String endpointType,
      Path dir) {
    // The candidate's tokenizer also counts the baseline's tokens: same model family, same lengths.
    List<String> argv = tool == BenchmarkTool.GENAI_PERF
        ? BenchmarkArgv.genaiPerf(url, model, options.tokenizer(), endpointType, c, options.inputTokens(),
            options.outputTokens(), options.requestsAt(c), options.streaming(), dir)
        : BenchmarkArgv.vllmBench(url, model, options.tokenizer(), endpointType, c, options.inputTokens(),
            options.outputTokens(), options.requestsAt(c), dir);
    if (options.executable() != null) {
      argv = new ArrayList<>(argv);
      argv.set(0, options.executable());
    }
    return new Step(target, c, argv, options.output().resolve("logs").resolve(target + "-concurrency" + c + ".log"));
  }

  public int run() throws IOException, InterruptedException {
    Files.createDirectories(options.output().resolve("logs"));
    List<Step> steps = steps();
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      progress(i, steps.size(), step);
      int code = new ProcessBuilder(step.argv()).redirectErrorStream(true)
          .redirectOutput(step.log().toFile()).start().waitFor();
      if (code != 0) {
        err.println(step.argv().get(0) + " failed for the " + step.target() + " at concurrency "
            + step.concurrency() + " (exit " + code + "): " + String.join(" ", step.argv()));
        tail(step.log()).forEach(err::println);
        return EXIT_TOOL_FAILED;
      }
    }
    progress(steps.size(), steps.size(), null);
    BenchmarkSet results;
    try {
      results = BenchmarkDirectory.load(options.output());
      checkComplete(results);
    } catch (BenchmarkFormatException e) {
      err.println("benchmark results are incomplete: " + e.getMessage());
      return EXIT_OUTPUT_INVALID;
    }
    Path summary = options.output().resolve("summary.json");
    JSON.writeValue(summary.toFile(), summaryDocument(results));
    BenchmarkReport.Written report = BenchmarkReport.write(ReportModel.of(
        "Benchmark: " + options.model(), results), options.output().resolve("report.html"));
    // Baseline levels that did other work than the candidate are not handed to the gate.
    writeTerminationMessage(results.rankable().summary(), summary, report.html());
    return EXIT_OK;
  }

  private void progress(int step, int total, Step next) {
    ObjectNode line = JSON.createObjectNode().put("event", "progress").put("step", step).put("totalSteps", total);
    if (next != null) {
      line.put("target", next.target()).put("concurrency", next.concurrency());
    }
    out.println(line.toString());
    out.flush();
  }

  private void checkComplete(BenchmarkSet results) {
    Set<Integer> want = new TreeSet<>(options.concurrency());
    missing("candidate", want, results.candidate());
    if (options.baselineUrl() != null) {
      missing("baseline", want, results.baseline());
    }
  }

  private static void missing(String target, Set<Integer> want, List<BenchmarkRun> runs) {
    Set<Integer> have = new TreeSet<>();
    runs.forEach(r -> have.add(r.concurrency()));
    if (!have.containsAll(want)) {
      Set<Integer> gone = new TreeSet<>(want);
      gone.removeAll(have);
      throw new BenchmarkFormatException("no " + target + " result for concurrency " + gone);
    }
  }

  private Map<String, Object> summaryDocument(BenchmarkSet results) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("tool", options.tool() == BenchmarkTool.GENAI_PERF ? BenchmarkRun.GENAI_PERF : BenchmarkRun.VLLM_BENCH);
    doc.put("model", options.model());
    doc.put("baselineModel", options.baselineModel());
    doc.put("endpointType", options.endpointType());
    doc.put("streaming", options.streaming());
    doc.put("inputTokens", options.inputTokens());
    doc.put("outputTokens", options.outputTokens());
    doc.put("concurrency", options.concurrency());
    doc.put("candidate", results.candidate());
    doc.put("baseline", results.baseline());
    return doc;
  }

  void writeTerminationMessage(BenchmarkSummary summary, Path summaryFile, Path reportFile) throws IOException {
    Path target = options.resultFile();
    if (target == null || target.toAbsolutePath().getParent() == null
        || !Files.isDirectory(target.toAbsolutePath().getParent())) {
      err.println("no termination message written: " + target + " is not writable here");
      return;
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    // Two decimals are what the tools print; more digits only cost termination-message bytes.
    summary.toMetrics().forEach((k, v) -> metrics.put(k, Math.round(v * 100) / 100.0));
    ObjectNode message = terminationMessage(metrics, summaryFile, reportFile);
    for (Pattern drop : DROPPABLE) {
      if (message.toString().getBytes(StandardCharsets.UTF_8).length <= TERMINATION_LIMIT) {
        break;
      }
      metrics.keySet().removeIf(k -> drop.matcher(k).matches());
      message = terminationMessage(metrics, summaryFile, reportFile);
    }
    Files.writeString(target, message.toString(), StandardCharsets.UTF_8);
  }

  private ObjectNode terminationMessage(Map<String, Double> metrics, Path summaryFile, Path reportFile)
      throws IOException {
    ObjectNode m = JSON.createObjectNode();
    var artifacts = m.putArray("artifacts");
    for (Map.Entry<String, Path> a : Map.of("benchmark-summary", summaryFile, "benchmark-report", reportFile)
        .entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
      artifacts.addObject().put("name", a.getKey()).put("path", a.getValue().toString())
          .put("sha256", sha256(a.getValue())).put("sizeBytes", Files.size(a.getValue()));
    }
    ObjectNode metricNode = m.putObject("metrics");
    metrics.forEach(metricNode::put);
    ObjectNode info = m.putObject("info")
        .put("tool", options.tool() == BenchmarkTool.GENAI_PERF ? "genai-perf" : "vllm-bench")
        .put("model", options.model()).put("endpointType", options.endpointType())
        .put("streaming", Boolean.toString(options.streaming()));
    // Absent, not null, without a baseline: result info maps hold no null values.
    if (options.baselineModel() != null) {
      info.put("baselineModel", options.baselineModel());
    }
    m.put("simulated", false);
    return m;
  }

  private static String sha256(Path file) throws IOException {
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }

  private static List<String> tail(Path log) throws IOException {
    if (!Files.exists(log)) {
      return List.of();
    }
    // Lenient decoding: a tool's progress bars are not always valid UTF-8.
    List<String> lines = List.of(new String(Files.readAllBytes(log), StandardCharsets.UTF_8).split("\\R"));
    return lines.subList(Math.max(0, lines.size() - LOG_TAIL), lines.size());
  }
}
