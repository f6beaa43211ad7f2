package fineflow.activities.stages.datasetprep;

import java.util.List;
import java.util.Map;

/**
 * manifest.json of a dataset-prep output: what was read, what was kept and why the rest was not,
 * and the digests of the files the trainer reads.
 *
 * @param problemsNotListed problems beyond the first {@link DatasetPrep#MANIFEST_PROBLEM_LIMIT}
 */
public record DatasetManifest(InputFile input, String template, String systemPrompt, long seed,
                              double validationSplit, String onInvalid, int maxInputTokens,
                              int maxTotalTokens, String tokenEstimate, Counts counts,
                              List<OutputFile> files, Tokens tokens, List<String> problems,
                              int problemsNotListed) {

  public record InputFile(String path, String format, String sha256, long sizeBytes) {
  }

  /**
   * @param skipped records dropped for at least one problem
   * @param problems number of problems per kind (a record may have several)
   */
  public record Counts(int total, int valid, int skipped, int train, int validation,
                       Map<String, Integer> problems) {
  }

  public record OutputFile(String name, String path, String sha256, long sizeBytes, int records) {
  }

  /** Estimated token lengths of the kept records: prompt alone, and prompt + completion. */
  public record Tokens(TokenStats prompt, TokenStats total) {
  }
}
