package fineflow.workflows.plan;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a stage that reads workspace inputs recorded about its output, for the stage of key
 * {@code stageKey}: model-fetch the commit a Hugging Face revision resolved to (40 hex digits)
 * or the sha256 of a workspace model (64); dataset-prep the sha256 of the folder it wrote (its
 * train/validation split, calibration text and manifest, which holds the input file's sha256).
 *
 * <p>The CLI plans from the spec alone and cannot read the workspace volume, so nothing in a
 * planned key says what these stages will read: a dataset truncated in place, or {@code
 * revision: main} moving upstream, leaves every planned key as it was. Hence these stages run on
 * every pass ({@link #alwaysRuns}; they are cheap) and the run folds their recorded digests into
 * the keys of every stage that reads them, directly or through another stage ({@link
 * Plan#pinned}), so downstream keys cover the content they read, not the spec that named it.
 */
public record OutputPin(StageName stage, String stageKey, String digest) {
  /** The stages whose output the spec does not determine, in pipeline order. */
  public static final List<StageName> PINNED = List.of(StageName.MODEL_FETCH, StageName.DATASET_PREP);
  /** The result info key model_fetch.py, {@code fineflow stage dataset-prep} and the dev stack write. */
  public static final String INFO_KEY = "sha";
  /** Stands for model-fetch's recorded sha until the run has it ({@link Plan#pinned}). */
  public static final String MODEL_SHA = "$(MODEL_SHA)";
  /** Stands for dataset-prep's recorded digest: its output is {@code <out>/<digest>/}. */
  public static final String DATASET_SHA = "$(DATASET_SHA)";
  private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

  public OutputPin {
    if (!PINNED.contains(stage)) {
      throw new IllegalArgumentException(stage + " does not record a content digest");
    }
    if (digest == null || !SHA.matcher(digest).matches()) {
      throw new IllegalArgumentException(stage + " recorded '" + digest
          + "', not a commit sha (40 hex digits) or a sha256 (64)");
    }
  }

  /** Stages that read workspace inputs the CLI cannot see: no cached result stands for them. */
  public static boolean alwaysRuns(StageName stage) {
    return PINNED.contains(stage);
  }

  /** What the stages after {@code stage} hold in place of its digest until the run has it. */
  public static String placeholder(StageName stage) {
    return switch (stage) {
      case MODEL_FETCH -> MODEL_SHA;
      case DATASET_PREP -> DATASET_SHA;
      default -> throw new IllegalArgumentException(stage + " records no content digest");
    };
  }

  /** The pin in a stage result's info, or empty when it holds no valid digest. */
  public static Optional<OutputPin> fromResult(StageName stage, String stageKey,
      Map<String, String> info) {
    String sha = info == null ? null : info.get(INFO_KEY);
    return sha != null && SHA.matcher(sha).matches()
        ? Optional.of(new OutputPin(stage, stageKey, sha)) : Optional.empty();
  }

  /** The first 12 hex digits, as messages show it. */
  public String shortDigest() {
    return digest.substring(0, 12);
  }
}
