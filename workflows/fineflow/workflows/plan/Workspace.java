package fineflow.workflows.plan;

import java.util.ArrayDeque;
import java.util.Optional;

/**
 * Paths on the workspace volume (the PVC mounted at {@value #ROOT} in every stage pod). Every
 * sub-path is mounted at {@code ROOT/<sub-path>}, so a path written into one stage's argv (an
 * engine dir in a Triton config, say) means the same file in every later stage.
 */
public final class Workspace {
  public static final String ROOT = "/workspace";
  /** Hugging Face cache shared by all stages, so the base model is downloaded once. */
  public static final String HF_HOME = ROOT + "/hf-cache";
  /** Content-addressed stage outputs: {@code cache/<stage>-<key12>}. */
  public static final String CACHE = ROOT + "/cache";

  private Workspace() {
  }

  /**
   * A spec path as seen in the pod: absolute paths under {@value #ROOT} are kept, relative ones
   * resolve under it.
   *
   * @throws IllegalArgumentException for an absolute path outside the workspace, which no stage
   *     pod could read
   */
  public static String resolve(String field, String path) {
    if (path == null || path.isBlank()) {
      throw new IllegalArgumentException(field + ": a path is required");
    }
    String p = path.strip();
    if (p.startsWith("/")) {
      if (!p.equals(ROOT) && !p.startsWith(ROOT + "/")) {
        throw new IllegalArgumentException(field + ": " + p
            + " is outside the workspace volume; use a path relative to (or under) " + ROOT);
      }
      return normalize(p);
    }
    return normalize(ROOT + "/" + (p.startsWith("./") ? p.substring(2) : p));
  }

  /** The stage output directory for a cache key. */
  public static String outputDir(StageName stage, String cacheKey) {
    return CACHE + "/" + stage.id() + "-" + cacheKey.substring(0, 12);
  }

  /** A read-only mount of a workspace path, or empty for a path outside the workspace. */
  public static Optional<VolumeMount> readOnly(String absolutePath) {
    return subPath(absolutePath).map(sub -> new VolumeMount(sub, absolutePath, true));
  }

  public static VolumeMount readWrite(String absolutePath) {
    return new VolumeMount(subPath(absolutePath).orElseThrow(
        () -> new IllegalArgumentException(absolutePath + " is outside " + ROOT)),
        absolutePath, false);
  }

  static Optional<String> subPath(String absolutePath) {
    return absolutePath.startsWith(ROOT + "/")
        ? Optional.of(absolutePath.substring(ROOT.length() + 1))
        : Optional.empty();
  }

  /** Folds "//", "/./" and "/../" so a spec cannot climb out of the volume with "..". */
  private static String normalize(String path) {
    ArrayDeque<String> parts = new ArrayDeque<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (parts.size() <= 1) {
          throw new IllegalArgumentException(path + " climbs out of " + ROOT);
        }
        parts.removeLast();
      } else {
        parts.addLast(part);
      }
    }
    String joined = "/" + String.join("/", parts);
    if (!joined.equals(ROOT) && !joined.startsWith(ROOT + "/")) {
      throw new IllegalArgumentException(path + " climbs out of " + ROOT);
    }
    return joined;
  }
}
