package fineflow.activities.stages.datasetprep;

import com.fasterxml.jackson.databind.JsonNode;
import fineflow.workflows.spec.DatasetFields;
import fineflow.workflows.spec.PromptTemplate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks one record at a time and renders the valid ones. Stateful only for duplicates: a record
 * whose rendered prompt and completion equal an earlier record's is reported, pointing at the
 * first one (the same instruction with a different answer is not a duplicate).
 */
final class RecordValidator {
  private final DatasetFields fields;
  private final PromptTemplate template;
  private final String defaultSystem;
  private final int maxInputTokens;
  private final int maxTotalTokens;
  private final Map<PromptCompletion, RawRecord> seen = new HashMap<>();

  /**
   * @param maxInputTokens the engine's max_input_len: the prompt's estimate must not exceed it
   * @param maxTotalTokens the trainer's max sequence length for prompt + completion; 0 = unchecked
   */
  RecordValidator(DatasetFields fields, PromptTemplate template, String defaultSystem,
                  int maxInputTokens, int maxTotalTokens) {
    this.fields = fields;
    this.template = template;
    this.defaultSystem = defaultSystem == null ? "" : defaultSystem;
    this.maxInputTokens = maxInputTokens;
    this.maxTotalTokens = maxTotalTokens;
  }

  /** The record's problems, or none and {@code accepted} receives the prepared record. */
  List<DatasetProblem> check(RawRecord raw, List<PreparedRecord> accepted) {
    List<DatasetProblem> problems = new ArrayList<>();
    JsonNode value = raw.value();
    if (!value.isObject()) {
      problems.add(problem(raw, ProblemKind.NOT_AN_OBJECT,
          "expected an object with \"" + fields.instruction() + "\" and \"" + fields.output()
              + "\", got " + describe(value)));
      return problems;
    }
    String instruction = required(raw, fields.instruction(), problems);
    String output = required(raw, fields.output(), problems);
    String input = optional(raw, fields.input(), problems);
    String system = optional(raw, fields.system(), problems);
    if (!problems.isEmpty()) {
      return problems;
    }
    String effectiveSystem = system.isBlank() ? defaultSystem : system;
    PromptCompletion example = ChatTemplate.render(template, effectiveSystem, instruction, input, output);
    int promptTokens = TokenEstimate.of(example.prompt());
    int totalTokens = promptTokens + TokenEstimate.of(example.completion());
    if (promptTokens > maxInputTokens) {
      problems.add(problem(raw, ProblemKind.TOO_LONG, "prompt is about " + promptTokens
          + " tokens (estimate " + TokenEstimate.RULE + "), over max input length " + maxInputTokens));
    }
    if (maxTotalTokens > 0 && totalTokens > maxTotalTokens) {
      problems.add(problem(raw, ProblemKind.TOO_LONG, "prompt + completion is about " + totalTokens
          + " tokens, over max sequence length " + maxTotalTokens));
    }
    RawRecord first = seen.putIfAbsent(example, raw);
    if (first != null) {
      problems.add(problem(raw, ProblemKind.DUPLICATE,
          "same prompt and completion as record " + first.index() + " (line " + first.line() + ")"));
    }
    if (problems.isEmpty()) {
      accepted.add(new PreparedRecord(raw.index(), raw.line(), example, promptTokens, totalTokens));
    }
    return problems;
  }

  private static String required(RawRecord raw, String name, List<DatasetProblem> problems) {
    JsonNode field = raw.value().get(name);
    if (field == null || field.isNull()) {
      problems.add(problem(raw, ProblemKind.MISSING_FIELD, "missing field \"" + name + "\""));
      return "";
    }
    if (!field.isTextual()) {
      problems.add(problem(raw, ProblemKind.WRONG_TYPE,
          "field \"" + name + "\" must be a string, got " + describe(field)));
      return "";
    }
    if (field.textValue().isBlank()) {
      problems.add(problem(raw, ProblemKind.EMPTY_FIELD, "field \"" + name + "\" is empty"));
    }
    return field.textValue();
  }

  private static String optional(RawRecord raw, String name, List<DatasetProblem> problems) {
    JsonNode field = raw.value().get(name);
    if (field == null || field.isNull()) {
      return "";
    }
    if (!field.isTextual()) {
      problems.add(problem(raw, ProblemKind.WRONG_TYPE,
          "field \"" + name + "\" must be a string, got " + describe(field)));
      return "";
    }
    return field.textValue();
  }

  private static DatasetProblem problem(RawRecord raw, ProblemKind kind, String message) {
    return new DatasetProblem(raw.index(), raw.line(), 0, kind, message);
  }

  private static String describe(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
