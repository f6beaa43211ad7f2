package fineflow.activities.stages.datasetprep;

import fineflow.workflows.plan.DatasetPrepParams;
import fineflow.workflows.spec.DatasetFields;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything dataset-prep needs: the stage's parameters as the planner made them, and the one
 * value the planner leaves to the program's own option. The constructor checks what arrives from
 * the pod's {@code --params} JSON, so bad input is named before anything is read or written.
 *
 * @param maxTotalTokens the trainer's max sequence length (prompt + completion); 0 = unchecked
 */
public record DatasetPrepRequest(DatasetPrepParams params, int maxTotalTokens) {

  public DatasetPrepRequest {
    Objects.requireNonNull(params, "params");
    required(params.input(), "input");
    required(params.format(), "format");
    required(params.template(), "template");
    required(params.onInvalid(), "onInvalid");
    required(params.output(), "output");
    if (!(params.validationSplit() > 0 && params.validationSplit() < 1)) {
      throw new IllegalArgumentException("validation split must be > 0 and < 1, got " + params.validationSplit());
    }
    if (params.maxInputTokens() <= 0) {
      throw new IllegalArgumentException("max input tokens must be > 0, got " + params.maxInputTokens());
    }
    if (maxTotalTokens < 0) {
      throw new IllegalArgumentException("max total tokens must be >= 0, got " + maxTotalTokens);
    }
  }

  public Path input() {
    return Path.of(params.input());
  }

  public Path outputDir() {
    return Path.of(params.output());
  }

  /** The system prompt for records without their own; "" for none. */
  public String systemPrompt() {
    return params.systemPrompt() == null ? "" : params.systemPrompt();
  }

  /** The record field names; the spec's defaults when the parameters name none. */
  public DatasetFields fields() {
    return params.fields() == null ? DatasetFields.defaults() : params.fields();
  }

  /** This request writing into {@code dir} instead. */
  DatasetPrepRequest writingTo(Path dir) {
    return new DatasetPrepRequest(params.withOutput(dir.toString()), maxTotalTokens);
  }

  private static void required(Object value, String name) {
    if (value == null || value instanceof String s && s.isBlank()) {
      throw new IllegalArgumentException("the dataset-prep parameters have no " + name);
    }
  }
}
