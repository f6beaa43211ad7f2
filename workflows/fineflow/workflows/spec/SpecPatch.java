package fineflow.workflows.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fineflow.workflows.format.Yaml;
import java.util.ArrayList;
import java.util.List;

/**
 * Changes a spec with {@code PATH=VALUE} assignments, as {@code fineflow resume --set} takes them:
 * {@code engine.maxBatchSize=8}, {@code benchmark.concurrency=[1,4,16]},
 * {@code serving.slo.atConcurrency=16}, {@code serving.logitsDatatype=null} (back to the
 * default). VALUE is a YAML value. The result is bound and validated like a loaded spec; any
 * problem throws with the path it concerns. Pure.
 */
public final class SpecPatch {
  private static final ObjectMapper YAML = Yaml.mapper();

  private SpecPatch() {
  }

  /** The spec with every assignment applied, validated. */
  public static PipelineSpec apply(PipelineSpec spec, List<String> assignments) {
    ObjectNode tree = SpecTree.minimal(spec);
    ObjectNode full = SpecBinder.mapper().valueToTree(spec);
    List<SpecProblem> problems = new ArrayList<>();
    for (String assignment : assignments) {
      assign(tree, full, assignment, problems);
    }
    if (!problems.isEmpty()) {
      throw new SpecException("patch", problems);
    }
    SpecBinder.Result bound = SpecBinder.bind(tree);
    problems.addAll(bound.problems());
    if (bound.spec() != null && problems.isEmpty()) {
      problems.addAll(SpecValidator.validate(bound.spec()));
    }
    if (!problems.isEmpty()) {
      throw new SpecException("patch", problems);
    }
    return bound.spec();
  }

  /** A whole new spec in place of the old one: the same as loading it. */
  public static PipelineSpec replace(String yaml) {
    return SpecLoader.load(yaml, "replacement spec");
  }

  private static void assign(ObjectNode tree, ObjectNode full, String assignment, List<SpecProblem> problems) {
    int eq = assignment.indexOf('=');
    if (eq <= 0) {
      problems.add(SpecProblem.at("", "expected PATH=VALUE (e.g. engine.maxBatchSize=8), got \""
          + assignment + "\""));
      return;
    }
    String path = assignment.substring(0, eq).trim();
    List<Object> segments;
    try {
      segments = SpecPath.parse(path);
    } catch (IllegalArgumentException e) {
      problems.add(SpecProblem.at(path, "bad path: " + e.getMessage()));
      return;
    }
    JsonNode value;
    try {
      value = YAML.readTree(assignment.substring(eq + 1));
    } catch (JsonProcessingException e) {
      problems.add(SpecProblem.at(path, "cannot read the value as YAML: " + firstLine(e.getOriginalMessage())));
      return;
    }
    String error = set(tree, full, segments, value);
    if (error != null) {
      problems.add(SpecProblem.at(path, error));
    }
  }

  /** Sets (or, for a null value, removes) the node at the path; returns what went wrong, or null. */
  private static String set(ObjectNode tree, ObjectNode full, List<Object> segments, JsonNode value) {
    boolean remove = value == null || value.isMissingNode() || value.isNull();
    JsonNode node = tree;
    JsonNode resolved = full;
    String walked = "";
    for (int i = 0; i < segments.size() - 1; i++) {
      Object segment = segments.get(i);
      JsonNode next = child(node, segment);
      resolved = resolved == null ? null : child(resolved, segment);
      if (next == null || next.isNull() || next.isMissingNode()) {
        if (remove) {
          return null; // nothing there: already the default
        }
        if (!(node instanceof ObjectNode object) || !(segment instanceof String key)) {
          return (walked.isEmpty() ? "the spec" : walked) + " has no item " + segment;
        }
        if (resolved != null && resolved.isArray()) {
          // A defaulted list: changing one item starts from the default items.
          next = object.set(key, resolved.deepCopy()).get(key);
        } else {
          next = segments.get(i + 1) instanceof Integer ? object.putArray(key) : object.putObject(key);
        }
      }
      if (!next.isContainerNode()) {
        return (walked.isEmpty() ? String.valueOf(segment) : walked + "." + segment)
            + " is a value, not a section";
      }
      walked = walked.isEmpty() ? String.valueOf(segment) : walked + "." + segment;
      node = next;
    }
    Object last = segments.get(segments.size() - 1);
    if (node instanceof ObjectNode object) {
      if (remove) {
        object.remove(String.valueOf(last));
      } else {
        object.set(String.valueOf(last), value);
      }
      return null;
    }
    ArrayNode array = (ArrayNode) node;
    int index = last instanceof Integer n ? n : parseIndex(String.valueOf(last));
    if (index < 0 || index > array.size() || (remove && index == array.size())) {
      return "index " + last + " is outside the list (" + array.size() + " items)";
    }
    if (remove) {
      array.remove(index);
    } else if (index == array.size()) {
      array.add(value);
    } else {
      array.set(index, value);
    }
    return null;
  }

  private static JsonNode child(JsonNode node, Object segment) {
    if (node instanceof ArrayNode array) {
      int index = segment instanceof Integer n ? n : parseIndex(String.valueOf(segment));
      return index >= 0 && index < array.size() ? array.get(index) : JsonNodeFactory.instance.missingNode();
    }
    return node.get(String.valueOf(segment));
  }

  private static int parseIndex(String text) {
    return text.chars().allMatch(Character::isDigit) && !text.isEmpty() && text.length() < 9
        ? Integer.parseInt(text) : -1;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
