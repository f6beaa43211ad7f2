package fineflow.workflows.plan;

import fineflow.workflows.spec.PipelineSpec;
import java.util.List;

/**
 * Access to the Hugging Face Hub from stage pods: one cache on the workspace (so a 7B model is
 * downloaded once per cluster, not once per stage) and the token from a named Secret.
 */
final class HuggingFace {
  /** The Secret's key that holds the token. */
  static final String TOKEN_KEY = "HF_TOKEN";

  private HuggingFace() {
  }

  static VolumeMount cacheMount() {
    return Workspace.readWrite(Workspace.HF_HOME);
  }

  static List<SecretEnv> token(PipelineSpec spec) {
    String secret = spec.model().hfTokenSecret();
    return secret == null || secret.isBlank()
        ? List.of()
        : List.of(new SecretEnv("HF_TOKEN", secret, TOKEN_KEY));
  }
}
