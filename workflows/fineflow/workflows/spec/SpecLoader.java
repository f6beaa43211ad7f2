package fineflow.workflows.spec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.workflows.format.Yaml;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a YAML spec and reports every problem at once, each with its path and YAML position:
 * malformed YAML, duplicate keys, unknown keys (with the closest known key), wrong types and
 * enum values, then every {@link SpecValidator} rule. Pure: the caller reads the file.
 */
public final class SpecLoader {
  private static final ObjectMapper YAML = Yaml.mapper();
  private static final Comparator<SpecProblem> BY_POSITION = Comparator
      .comparingInt((SpecProblem p) -> p.hasPosition() ? p.line() : Integer.MAX_VALUE)
      .thenComparingInt(SpecProblem::column);

  private SpecLoader() {
  }

  /**
   * The valid spec of {@code yaml}.
   *
   * @param source where the YAML came from (a file name), used in the exception message
   * @throws SpecException with every problem found
   */
  public static PipelineSpec load(String yaml, String source) {
    return parse(yaml, source).spec();
  }

  /** Like {@link #load} but also returns the warnings, positioned like the problems. */
  public static LoadedSpec parse(String yaml, String source) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new SpecException(source, List.of(malformed(e)));
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new SpecException(source, List.of(SpecProblem.at("",
          "the spec is empty; start with apiVersion: fineflow/v1 and kind: Pipeline")));
    }
    SourceMap sourceMap = SourceMap.of(yaml);
    if (sourceMap.hasAliases()) {
      throw new SpecException(source, locate(sourceMap.problems(), sourceMap));
    }
    List<SpecProblem> problems = new ArrayList<>(sourceMap.problems());
    SpecBinder.Result bound = SpecBinder.bind(root);
    for (SpecProblem p : bound.problems()) {
      // An alias or duplicate key already reported at this path explains the binding error.
      if (sourceMap.problems().stream().noneMatch(s -> s.path().equals(p.path()))) {
        problems.add(p);
      }
    }
    if (bound.spec() != null) {
      for (SpecProblem rule : SpecValidator.validate(bound.spec())) {
        // A value that could not be bound was defaulted; rules about it would only add noise.
        if (bound.problems().stream().noneMatch(p -> rule.isWithin(p.path()) || p.isWithin(rule.path()) && !p.path().isEmpty())) {
          problems.add(rule);
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new SpecException(source, locate(problems, sourceMap));
    }
    return new LoadedSpec(bound.spec(), locate(SpecValidator.warnings(bound.spec()), sourceMap));
  }

  private static List<SpecProblem> locate(List<SpecProblem> problems, SourceMap sourceMap) {
    return problems.stream().map(sourceMap::locate).sorted(BY_POSITION).toList();
  }

  private static SpecProblem malformed(JsonProcessingException e) {
    if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
      // SnakeYAML's own parts read better than its multi-line message with source snippets.
      String what = yaml.getContext() == null ? yaml.getProblem() : yaml.getContext() + ": " + yaml.getProblem();
      return new SpecProblem("", yaml.getProblemMark().getLine() + 1, yaml.getProblemMark().getColumn() + 1,
          "malformed YAML: " + what);
    }
    JsonLocation at = e.getLocation();
    String message = e.getOriginalMessage() == null ? e.toString() : e.getOriginalMessage();
    int newline = message.indexOf('\n');
    String first = (newline < 0 ? message : message.substring(0, newline)).trim();
    SpecProblem problem = SpecProblem.at("", "malformed YAML: " + first);
    return at == null || at.getLineNr() <= 0 ? problem : problem.withPosition(at.getLineNr(), at.getColumnNr());
  }
}
