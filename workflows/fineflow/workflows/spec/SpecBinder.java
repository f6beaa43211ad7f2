package fineflow.workflows.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fineflow.workflows.format.Json;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds a spec tree to {@link PipelineSpec} and reports every unknown key and every wrong value,
 * not just the first: a value Jackson cannot bind is recorded, taken out of the tree, and
 * binding is retried, so later mistakes are still found.
 */
final class SpecBinder {
  private static final ObjectMapper MAPPER = Json.specBinding();
  private static final ObjectReader READER = MAPPER.readerFor(PipelineSpec.class);

  /** The spec bound from what was valid (null when nothing could be), and the problems found. */
  record Result(PipelineSpec spec, List<SpecProblem> problems) {
  }

  private SpecBinder() {
  }

  /** The lenient (unknown keys recorded, not thrown) mapper the binder reads trees with. */
  static ObjectMapper mapper() {
    return MAPPER;
  }

  static Result bind(JsonNode root) {
    if (root == null || !root.isObject()) {
      return new Result(null, List.of(SpecProblem.at("", "a spec is a YAML mapping (apiVersion, kind,"
          + " metadata, model, …), got " + describe(root))));
    }
    ObjectNode tree = root.deepCopy();
    List<SpecProblem> removedKeys = removedKeys(tree);
    // "key: ~" would silently bind as "use the default", and 1e400 as Infinity: say so instead.
    List<SpecProblem> valueProblems = new ArrayList<>(takeOutNonValues(tree, ""));
    // List items taken out shift the later ones; remember them to report original indexes.
    Map<JsonNode, List<Integer>> removedItems = new IdentityHashMap<>();
    // Each retry removes one node, so this ends; the bound only guards against a Jackson surprise.
    for (int attempt = 0; attempt <= countNodes(tree); attempt++) {
      UnknownKeyRecorder recorder = new UnknownKeyRecorder();
      try {
        PipelineSpec spec = READER.withHandler(recorder).treeToValue(tree, PipelineSpec.class);
        return new Result(spec, concat(concat(removedKeys, recorder.problems()), valueProblems));
      } catch (JsonMappingException e) {
        List<JsonMappingException.Reference> at = e.getPath();
        String message = message(e, tree);
        if (e instanceof ValueInstantiationException && e.getCause() instanceof NullPointerException) {
          // List.copyOf/Map.copyOf in a record constructor: point at the empty item itself.
          List<JsonMappingException.Reference> item = findNull(nodeAt(tree, at), new ArrayList<>(at));
          if (item != null) {
            at = item;
            message = "must not be empty (null)";
          }
        }
        valueProblems.add(SpecProblem.at(originalPath(tree, at, removedItems), message));
        if (!remove(tree, at, removedItems)) {
          return new Result(null, concat(recorder.problems(), valueProblems));
        }
      } catch (JsonProcessingException e) {
        valueProblems.add(SpecProblem.at("", e.getOriginalMessage()));
        return new Result(null, concat(recorder.problems(), valueProblems));
      }
    }
    return new Result(null, valueProblems);
  }

  /**
   * Keys specs once had, with what to write instead. The records ignore them
   * ({@code @JsonIgnoreProperties}), so a run recorded with one still replays; a spec that is
   * loaded gets this problem at the key's line.
   */
  private static final Map<String, String> REMOVED = Map.of(
      "serving.tritonMaxBatchSize", "serving.tritonMaxBatchSize was removed: Triton's max batch size"
          + " is engine.maxBatchSize (the engine cannot batch more); set that, and delete this key");

  private static List<SpecProblem> removedKeys(JsonNode tree) {
    List<SpecProblem> problems = new ArrayList<>();
    REMOVED.forEach((path, message) -> {
      String[] keys = path.split("\\.");
      JsonNode parent = tree;
      for (int i = 0; i < keys.length - 1; i++) {
        parent = parent.path(keys[i]);
      }
      if (parent.has(keys[keys.length - 1])) {
        problems.add(SpecProblem.at(path, message));
      }
    });
    return problems;
  }

  /** Removes every null mapping value and infinite number under {@code node}, one problem each. */
  private static List<SpecProblem> takeOutNonValues(JsonNode node, String path) {
    List<SpecProblem> problems = new ArrayList<>();
    if (node instanceof ObjectNode object) {
      List<String> taken = new ArrayList<>();
      object.properties().forEach(field -> {
        String child = SpecPath.child(path, field.getKey());
        JsonNode value = field.getValue();
        if (value.isNull()) {
          taken.add(field.getKey());
          problems.add(SpecProblem.at(child, "must not be empty (null)"));
        } else if (value.isNumber() && Double.isInfinite(value.asDouble())) {
          taken.add(field.getKey());
          problems.add(SpecProblem.at(child, "out of range: a number too large to represent"));
        } else {
          problems.addAll(takeOutNonValues(value, child));
        }
      });
      object.remove(taken);
    } else if (node != null && node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        problems.addAll(takeOutNonValues(node.get(i), SpecPath.index(path, i)));
      }
    }
    return problems;
  }

  private static String message(JsonMappingException e, JsonNode tree) {
    JsonNode value = nodeAt(tree, e.getPath());
    Class<?> wanted = e instanceof MismatchedInputException m ? m.getTargetType()
        : e.getCause() instanceof InputCoercionException coercion ? coercion.getTargetType() : null;
    if (value != null && value.isNumber() && wanted != null && "a whole number".equals(expected(wanted))) {
      // Instead of Jackson's "out of range of int (-2147483648 - 2147483647)".
      String max = wanted == Long.class || wanted == long.class ? "9223372036854775807" : "2147483647";
      if (value.isIntegralNumber()) {
        return "out of range: a whole number of at most " + max + " is expected, got " + value.asText();
      }
    }
    if (e instanceof InvalidFormatException invalid && invalid.getTargetType() != null) {
      Class<?> target = invalid.getTargetType();
      if (target.isEnum()) {
        return "unknown value " + show(invalid.getValue()) + "; one of: "
            + String.join(", ", SpecEnums.names(target));
      }
      return "expected " + expected(target) + ", got " + show(invalid.getValue());
    }
    if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
      return "expected " + expected(mismatch.getTargetType()) + ", got " + describe(nodeAt(tree, e.getPath()));
    }
    String original = e.getOriginalMessage() == null ? e.toString() : e.getOriginalMessage();
    if (e.getCause() != null && e.getCause().getMessage() != null && e instanceof ValueInstantiationException) {
      original = e.getCause().getMessage();
    }
    int newline = original.indexOf('\n');
    return newline < 0 ? original : original.substring(0, newline);
  }

  /** The path of the first null list item or map value under {@code node}, or null if none. */
  private static List<JsonMappingException.Reference> findNull(JsonNode node,
      List<JsonMappingException.Reference> path) {
    if (node == null) {
      return null;
    }
    if (node.isNull()) {
      return path;
    }
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        List<JsonMappingException.Reference> item = new ArrayList<>(path);
        item.add(new JsonMappingException.Reference(node, i));
        List<JsonMappingException.Reference> found = findNull(node.get(i), item);
        if (found != null) {
          return found;
        }
      }
    } else if (node.isObject()) {
      for (var fields = node.fields(); fields.hasNext(); ) {
        var field = fields.next();
        List<JsonMappingException.Reference> item = new ArrayList<>(path);
        item.add(new JsonMappingException.Reference(node, field.getKey()));
        List<JsonMappingException.Reference> found = findNull(field.getValue(), item);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static String expected(Class<?> type) {
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class
        || type == Short.class || type == short.class) {
      return "a whole number";
    }
    if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type.isEnum()) {
      return "one of " + String.join(", ", SpecEnums.names(type));
    }
    if (Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "a list";
    }
    if (Map.class.isAssignableFrom(type) || type.isRecord()) {
      return "a mapping";
    }
    return type.getSimpleName();
  }

  private static String show(Object value) {
    return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
  }

  private static String describe(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    if (node.isObject()) {
      return "a mapping";
    }
    if (node.isArray()) {
      return "a list";
    }
    if (node.isNull()) {
      return "null";
    }
    return node.isTextual() ? "\"" + node.asText() + "\"" : node.asText();
  }

  private static JsonNode nodeAt(JsonNode tree, List<JsonMappingException.Reference> path) {
    JsonNode node = tree;
    for (JsonMappingException.Reference ref : path) {
      if (node == null) {
        return null;
      }
      node = ref.getFieldName() != null ? node.get(ref.getFieldName()) : node.get(ref.getIndex());
    }
    return node;
  }

  private static String originalPath(JsonNode tree, List<JsonMappingException.Reference> path,
      Map<JsonNode, List<Integer>> removedItems) {
    String dotted = "";
    JsonNode node = tree;
    for (JsonMappingException.Reference ref : path) {
      if (ref.getFieldName() != null) {
        dotted = SpecPath.child(dotted, ref.getFieldName());
        node = node == null ? null : node.get(ref.getFieldName());
      } else {
        dotted = SpecPath.index(dotted, originalIndex(removedItems.get(node), ref.getIndex()));
        node = node == null ? null : node.get(ref.getIndex());
      }
    }
    return dotted;
  }

  private static int originalIndex(List<Integer> removed, int current) {
    int index = current;
    if (removed != null) {
      for (int r : removed.stream().sorted().toList()) {
        if (r <= index) {
          index++;
        }
      }
    }
    return index;
  }

  /** Takes the node at {@code path} out of the tree; false when there is nothing to take. */
  private static boolean remove(ObjectNode tree, List<JsonMappingException.Reference> path,
      Map<JsonNode, List<Integer>> removedItems) {
    if (path.isEmpty()) {
      return false;
    }
    JsonNode parent = nodeAt(tree, path.subList(0, path.size() - 1));
    JsonMappingException.Reference last = path.get(path.size() - 1);
    if (parent instanceof ObjectNode object && last.getFieldName() != null) {
      return object.remove(last.getFieldName()) != null;
    }
    if (parent instanceof ArrayNode array && last.getFieldName() == null
        && last.getIndex() >= 0 && last.getIndex() < array.size()) {
      List<Integer> removed = removedItems.computeIfAbsent(array, a -> new ArrayList<>());
      removed.add(originalIndex(removed, last.getIndex()));
      array.remove(last.getIndex());
      return true;
    }
    return false;
  }

  private static int countNodes(JsonNode node) {
    int count = 1;
    for (JsonNode child : node) {
      count += countNodes(child);
    }
    return count;
  }

  private static List<SpecProblem> concat(List<SpecProblem> a, List<SpecProblem> b) {
    List<SpecProblem> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
