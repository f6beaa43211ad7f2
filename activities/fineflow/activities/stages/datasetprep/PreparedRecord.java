package fineflow.activities.stages.datasetprep;

/** A valid record, rendered, with its estimated token lengths. */
record PreparedRecord(int index, int line, PromptCompletion example, int promptTokens,
                      int totalTokens) {
}
