package fineflow.workflows.spec;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What {@code model.id} and {@code model.tokenizer} may name: a Hugging Face repository id
 * ({@code org/name} or {@code name}) or, when the value starts with "/", a path on the
 * workspace volume. Anything else is a mistake caught before a pod tries to download it.
 */
final class ModelLocation {
  /**
   * Hugging Face repo ids: letters, digits, "-", "_", "." in each of at most two parts, a part
   * at most 96 characters, not starting or ending with "-" or ".", no "--" or "..".
   */
  private static final Pattern HUB_PART = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?");

  private ModelLocation() {
  }

  static Optional<String> problem(String value) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    if (PastedToken.matches(value)) {
      return Optional.of("must be a Hugging Face model id or a workspace path; the value " + PastedToken.ADVICE
          + " (model.hfTokenSecret)");
    }
    if (value.startsWith("/")) {
      return WorkspacePath.problem(value);
    }
    String[] parts = value.split("/", -1);
    boolean hubId = parts.length <= 2 && !value.contains("--") && !value.contains("..");
    for (String part : parts) {
      hubId &= HUB_PART.matcher(part).matches();
    }
    return hubId ? Optional.empty() : Optional.of("\"" + value + "\" is neither a Hugging Face model id"
        + " (org/name: letters, digits, - _ .) nor a workspace path (starting with " + WorkspacePath.ROOT + "/)");
  }
}
