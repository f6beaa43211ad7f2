package fineflow.activities.stages.datasetprep;

import fineflow.workflows.plan.DatasetPrepParams;
import fineflow.workflows.spec.DatasetFields;
import fineflow.workflows.spec.DatasetFormat;
import fineflow.workflows.spec.InvalidRecordPolicy;
import fineflow.workflows.spec.PromptTemplate;
import java.nio.file.Path;

/** dataset-prep requests over local paths, as the planner's parameters would give them. */
public final class PrepRequests {
  private PrepRequests() {
  }

  public static DatasetPrepRequest of(Path input, DatasetFormat format, PromptTemplate template, String systemPrompt,
      DatasetFields fields, double validationSplit, long seed, InvalidRecordPolicy onInvalid, int maxInputTokens,
      int maxTotalTokens, Path output) {
    return new DatasetPrepRequest(new DatasetPrepParams(input.toString(), format, template, systemPrompt, fields,
        validationSplit, seed, onInvalid, maxInputTokens, output.toString(), false), maxTotalTokens);
  }
}
