package fineflow.workflows.plan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A stage's cache key: sha256 (hex) over its name, image, parameters ({@link StageParams#json()},
 * which its argv is rendered from), env (sorted), the names of its
 * secret env vars, its GPU count, its mounted files and the keys of the stages it consumes; for
 * a stage that reads model-fetch's or dataset-prep's output, directly or through another stage,
 * also the digests those stages recorded when they ran ({@link #pinned}, {@link OutputPin}).
 * The parameters still hold {@link #OUT} for its own output directory when hashed — the directory is
 * named after the key, so it cannot be part of it. Because consumed keys are hashed in, a change
 * reaches every stage downstream of the first one whose command changed, and no stage upstream.
 * Resources other than GPUs, timeouts and volumes are left out: they do not change the output.
 */
public final class CacheKey {
  /** Stands for the stage's own output directory until the key is known. */
  public static final String OUT = "$(OUT)";
  /**
   * Bumped when the hashed fields change meaning, so old cache entries are not reused. v2:
   * dataset-prep's output gained the calibration text checkpoint-convert reads. v3: keys fold in
   * dataset-prep's output digest besides model-fetch's sha (entries of v2 trained on whatever
   * the dataset path held then), and dataset-prep writes a content-addressed sub-folder. v4: the
   * stage's parameters are hashed instead of its argv, and the programs read them.
   */
  private static final String VERSION = "fineflow-cache-v4";

  private CacheKey() {
  }

  static String of(StageDraft draft, List<String> consumedKeys) {
    StringBuilder text = new StringBuilder();
    field(text, VERSION);
    field(text, draft.name().id());
    field(text, draft.image());
    // The argv is rendered from the parameters: their JSON says all it says.
    field(text, "params");
    field(text, draft.params().json());
    list(text, "env", new TreeMap<>(draft.env()).entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue()).toList());
    list(text, "secretEnv", draft.secretEnv().stream().map(SecretEnv::name).sorted().toList());
    field(text, "gpus=" + draft.resources().gpus());
    list(text, "files", new TreeMap<>(draft.files()).entrySet().stream()
        .flatMap(e -> Stream.of(e.getKey(), e.getValue())).toList());
    if (!draft.imageCopies().isEmpty()) {
      // Only when there are some, so the keys of stages without copies stay what they were.
      list(text, "imageCopies", draft.imageCopies().stream()
          .map(c -> c.name() + "=" + c.image() + ":" + c.source() + ">" + c.mountPath()).toList());
    }
    list(text, "consumes", consumedKeys);
    return sha256(text.toString());
  }

  /**
   * The key of a stage that reads the outputs {@code pins} recorded: its planned key (which
   * hashed their placeholders, {@link OutputPin#placeholder}) and each pin's stage and digest, in
   * pipeline order, hashed together. Over the digests, not the pinned stages' keys: their keys
   * say what they were told to read, the digests what they found.
   */
  static String pinned(String plannedKey, List<OutputPin> pins) {
    StringBuilder text = new StringBuilder();
    field(text, VERSION);
    field(text, "pinned");
    field(text, plannedKey);
    list(text, "pins", pins.stream().map(p -> p.stage().id() + "=" + p.digest()).toList());
    return sha256(text.toString());
  }

  /** Length-prefixed, so no two different field lists encode to the same text. */
  private static void field(StringBuilder text, String value) {
    text.append(value.length()).append(':').append(value).append('\n');
  }

  private static void list(StringBuilder text, String label, List<String> values) {
    field(text, label + "[" + values.size() + "]");
    values.forEach(v -> field(text, v));
  }

  private static String sha256(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      // Every Java platform must provide SHA-256 (MessageDigest javadoc).
      throw new IllegalStateException(e);
    }
  }
}
