package fineflow.activities.stages.datasetprep;

import fineflow.workflows.spec.DatasetFields;
import fineflow.workflows.spec.DatasetFormat;
import fineflow.workflows.spec.InvalidRecordPolicy;
import fineflow.workflows.spec.PromptTemplate;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything dataset-prep needs; mirrors the spec's {@code dataset} section plus the engine's
 * max input length.
 *
 * @param maxInputTokens the engine's max_input_len (prompt limit)
 * @param maxTotalTokens the trainer's max sequence length (prompt + completion); 0 = unchecked
 */
public record DatasetPrepRequest(Path input, DatasetFormat format, PromptTemplate template,
                                 String systemPrompt, DatasetFields fields, double validationSplit,
                                 long seed, InvalidRecordPolicy onInvalid, int maxInputTokens,
                                 int maxTotalTokens, Path outputDir) {

  public DatasetPrepRequest {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(template, "template");
    systemPrompt = systemPrompt == null ? "" : systemPrompt;
    fields = fields == null ? DatasetFields.defaults() : fields;
    Objects.requireNonNull(onInvalid, "onInvalid");
    Objects.requireNonNull(outputDir, "outputDir");
    if (!(validationSplit > 0 && validationSplit < 1)) {
      throw new IllegalArgumentException("validation split must be > 0 and < 1, got " + validationSplit);
    }
    if (maxInputTokens <= 0) {
      throw new IllegalArgumentException("max input tokens must be > 0, got " + maxInputTokens);
    }
    if (maxTotalTokens < 0) {
      throw new IllegalArgumentException("max total tokens must be >= 0, got " + maxTotalTokens);
    }
  }
}
