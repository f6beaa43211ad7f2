package fineflow.workflows.plan;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What model-fetch recorded: the commit a Hugging Face revision resolved to (40 hex digits),
 * or the sha256 of a workspace model (64), for the model-fetch stage of key
 * {@code modelFetchKey}.
 */
public record ModelPin(String modelFetchKey, String sha) {
  /**
   * Stands for the recorded sha in the stages after model-fetch until the run has it
   * ({@link Plan#pinned}); a plan made from a spec alone, as {@code fineflow plan} prints it,
   * still holds it.
   */
  public static final String PLACEHOLDER = "$(MODEL_SHA)";
  /** The result info key model_fetch.py (and the dev stack's simulation) writes. */
  public static final String INFO_KEY = "sha";
  private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

  public ModelPin {
    if (sha == null || !SHA.matcher(sha).matches()) {
      throw new IllegalArgumentException("model-fetch recorded '" + sha
          + "', not a commit sha (40 hex digits) or a sha256 (64)");
    }
  }

  /** The pin in a model-fetch result's info, or empty when it holds no valid sha. */
  public static Optional<ModelPin> fromResult(String modelFetchKey, Map<String, String> info) {
    String sha = info == null ? null : info.get(INFO_KEY);
    return sha != null && SHA.matcher(sha).matches()
        ? Optional.of(new ModelPin(modelFetchKey, sha)) : Optional.empty();
  }
}
