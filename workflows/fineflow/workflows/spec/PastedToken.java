package fineflow.workflows.spec;

import java.util.regex.Pattern;

/**
 * Recognises a credential pasted where a spec wants a name (the Secret that holds a token, a
 * model id), so the error about it never echoes the value: error lines end up in terminals, CI
 * logs and pause messages.
 */
final class PastedToken {
  /** Hugging Face, OpenAI-style, GitHub, Slack and JWT prefixes. */
  private static final Pattern KNOWN = Pattern.compile("(hf_|sk-|ghp_|gho_|github_pat_|xox[abp]-|eyJ)[A-Za-z0-9_.-]{16,}");
  /** A long run of mixed-case letters and digits, which no Kubernetes name or model id is. */
  private static final Pattern OPAQUE = Pattern.compile("(?=.*[a-z])(?=.*[A-Z])(?=(?:.*[0-9]){3})[A-Za-z0-9_+=]{32,}");

  static final String ADVICE = "looks like a token itself (not shown): store it in a Kubernetes Secret"
      + " (kubectl create secret generic hf-token --from-literal=HF_TOKEN=...) and name that Secret here";

  private PastedToken() {
  }

  static boolean matches(String value) {
    return value != null && (KNOWN.matcher(value).matches() || OPAQUE.matcher(value).matches());
  }
}
