package fineflow.activities.stages.datasetprep;

/** One training example as the trainer reads it: loss is computed on the completion only. */
public record PromptCompletion(String prompt, String completion) {
}
