package fineflow.workers.cli;

import fineflow.activities.spec.SpecFiles;
import fineflow.workflows.plan.Plan;
import fineflow.workflows.plan.Planner;
import fineflow.workflows.spec.LoadedSpec;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecException;
import fineflow.workflows.spec.SpecLoader;
import fineflow.workflows.spec.SpecProblem;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * A spec file named on the command line, read and loaded, with its problems printed the way
 * compilers print them ({@code FILE:LINE:COL: path: message}) so editors can jump to them.
 * Commands that take a spec (validate, plan, estimate, submit) share it.
 */
record SpecInput(Path file, LoadedSpec loaded, List<SpecProblem> problems) {

  static SpecInput read(Path file) {
    try {
      String yaml = SpecFiles.read(file);
      LoadedSpec loaded = SpecLoader.parse(yaml, file.toString());
      return new SpecInput(file, loaded, List.of());
    } catch (SpecException e) {
      return new SpecInput(file, null, e.problems());
    }
  }

  /** The spec's plan; every command plans a valid spec the same way, so they agree on problems. */
  Plan plan() {
    return Planner.plan(spec());
  }

  boolean ok() {
    return problems.isEmpty();
  }

  PipelineSpec spec() {
    if (loaded == null) {
      throw new IllegalStateException(file + " has problems; check ok() first");
    }
    return loaded.spec();
  }

  List<SpecProblem> warnings() {
    return loaded == null ? List.of() : loaded.warnings();
  }

  /** Every problem, one per line. */
  void printProblems(PrintWriter err) {
    problems.forEach(p -> err.println(format(p, "")));
  }

  void printWarnings(PrintWriter err) {
    warnings().forEach(w -> err.println(format(w, "warning: ")));
  }

  String format(SpecProblem problem, String kind) {
    StringBuilder line = new StringBuilder(file.toString()).append(':');
    if (problem.hasPosition()) {
      line.append(problem.line()).append(':').append(problem.column()).append(':');
    }
    line.append(' ').append(kind);
    if (!problem.path().isEmpty()) {
      line.append(problem.path()).append(": ");
    }
    return line.append(problem.message()).toString();
  }
}
