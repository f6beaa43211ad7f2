package fineflow.workers.dev;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fineflow.activities.benchmark.BenchmarkOptions;
import fineflow.activities.stages.benchmark.BenchmarkProgram;
import fineflow.workers.stage.StageBenchmarkCommand;
import fineflow.workflows.format.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * The benchmark stage on the simulated node: no server can be measured, so the load tools'
 * exports are simulated ({@link SimulatedBenchmarkTool}) at exactly the paths the tools would
 * write, then the real {@code fineflow stage benchmark} program runs with a no-op tool and does
 * its real work on them: parsing, summary, report and stage result (marked simulated).
 */
final class SimulatedBenchmark {
  private static final ObjectMapper JSON = Json.mapper();
  /** Stands in for genai-perf / vllm: the exports are already written. */
  private static final String NO_OP_TOOL = "true";

  private static final List<String> SUBCOMMAND = List.of("stage", "benchmark");

  private final InProcessStage program;

  SimulatedBenchmark(InProcessStage program) {
    this.program = program;
  }

  /** @param programArgs the effective argv after the image's {@code fineflow} program */
  StageOutcome run(List<String> programArgs, PodMounts paths) {
    if (programArgs.size() < SUBCOMMAND.size() || !programArgs.subList(0, SUBCOMMAND.size()).equals(SUBCOMMAND)) {
      // Not the benchmark program: run it as the image would, and let it fail as it would.
      return program.run(programArgs, paths);
    }
    StageBenchmarkCommand command = new StageBenchmarkCommand();
    new CommandLine(command).parseArgs(paths.toLocal(programArgs.subList(SUBCOMMAND.size(),
        programArgs.size())).toArray(String[]::new));
    BenchmarkOptions options = command.options();
    StringWriter ignored = new StringWriter();
    List<String> lines = new ArrayList<>();
    for (BenchmarkProgram.Step step : new BenchmarkProgram(options, new PrintWriter(ignored),
        new PrintWriter(ignored)).steps()) {
      SimulatedBenchmarkTool.write(step.argv());
      lines.add("[simulated] " + step.target() + " at concurrency " + step.concurrency() + ": "
          + String.join(" ", step.argv()));
    }
    List<String> withTool = new ArrayList<>(programArgs);
    withTool.addAll(List.of("--executable", NO_OP_TOOL));
    StageOutcome real = program.run(withTool, paths);
    lines.addAll(real.logLines());
    return new StageOutcome(lines, real.duration(), real.exitCode(),
        real.succeeded() ? markSimulated(real.terminationMessage()) : real.terminationMessage());
  }

  private static String markSimulated(String message) {
    try {
      ObjectNode node = (ObjectNode) JSON.readTree(message);
      return node.put("simulated", true).toString();
    } catch (IOException | ClassCastException e) {
      throw new UncheckedIOException(new IOException("benchmark result is not a JSON object: " + message));
    }
  }
}
