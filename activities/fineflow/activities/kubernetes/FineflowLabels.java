package fineflow.activities.kubernetes;

import java.util.Map;
import java.util.TreeMap;

/**
 * Label and annotation keys on every object fineflow creates. Cleanup, the {@code logs} command
 * and the serving executor find objects by these labels only, never by name patterns.
 */
public final class FineflowLabels {
  public static final String NAME = "app.kubernetes.io/name";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String RUN = "fineflow.dev/run";
  public static final String STAGE = "fineflow.dev/stage";
  public static final String LAUNCH = "fineflow.dev/launch";
  /** {@code stable} or {@code candidate} on serving objects; cleanup keeps stable on request. */
  public static final String TRACK = "fineflow.dev/track";
  /**
   * The prefix of a shared server's user labels, {@code users.fineflow.dev/RUN: "true"}: one per
   * run that uses the server (a reference count); the last user to leave deletes it.
   */
  public static final String USER_PREFIX = "users.fineflow.dev/";
  public static final String KUEUE_QUEUE = "kueue.x-k8s.io/queue-name";
  /** Set by the Job controller on the Job's pods. */
  public static final String JOB_NAME = "job-name";

  public static final String CACHE_KEY_ANNOTATION = "fineflow.dev/cache-key";
  public static final String SPEC_DIGEST_ANNOTATION = "fineflow.dev/spec-digest";

  public static final String FINEFLOW = "fineflow";
  /** The component of cache ConfigMaps, which outlive runs. */
  public static final String CACHE_COMPONENT = "cache";

  private FineflowLabels() {
  }

  /** The label marking {@code runValue} as a user of a shared server. */
  public static String userLabel(String runValue) {
    return USER_PREFIX + runValue;
  }

  /** The labels of a stage's objects, sorted for stable manifests. */
  public static Map<String, String> forStage(String runValue, String stage, int launch) {
    Map<String, String> labels = new TreeMap<>();
    labels.put(NAME, FINEFLOW);
    labels.put(MANAGED_BY, FINEFLOW);
    labels.put(COMPONENT, stage);
    labels.put(RUN, runValue);
    labels.put(STAGE, stage);
    labels.put(LAUNCH, Integer.toString(launch));
    return labels;
  }

  /**
   * A run id as a label value: label values are at most 63 characters of {@code [A-Za-z0-9._-]},
   * starting and ending alphanumeric. Run ids that already fit are kept as they are.
   */
  public static String runValue(String runId) {
    String v = runId.replaceAll("[^A-Za-z0-9._-]", "-");
    if (v.length() > 63) {
      v = v.substring(0, 63);
    }
    v = v.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
    if (v.isEmpty()) {
      throw new IllegalArgumentException("run id '" + runId + "' has no characters usable in a label");
    }
    return v;
  }
}
