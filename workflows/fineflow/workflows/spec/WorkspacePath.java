package fineflow.workflows.spec;

import java.util.ArrayDeque;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A path on the workspace volume as a spec writes it, and the rules every stage pod relies on:
 * relative paths resolve under {@value #ROOT}, absolute ones must lie under it, and ".." may
 * not climb out. The validator reports a bad path with its line; the planner resolves good ones
 * with the same rules, so the two cannot disagree.
 */
public final class WorkspacePath {
  public static final String ROOT = "/workspace";
  /** Characters a path may hold: no shell or glob syntax, no control characters, no spaces. */
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._/+=@,-]+");

  private WorkspacePath() {
  }

  /** Why {@code path} is no usable workspace path, or empty when it is one. */
  public static Optional<String> problem(String path) {
    if (path == null || path.isBlank()) {
      return Optional.of("a path is required");
    }
    String p = path.strip();
    if (!SAFE.matcher(p).matches()) {
      return Optional.of("\"" + p + "\" has characters a workspace path may not hold"
          + " (letters, digits and . _ / + = @ , - only)");
    }
    if (p.startsWith("/") && !p.equals(ROOT) && !p.startsWith(ROOT + "/")) {
      return Optional.of(p + " is outside the workspace volume; use a path relative to (or under) " + ROOT);
    }
    return fold(absolute(p)).isPresent() ? Optional.empty()
        : Optional.of(p + " climbs out of the workspace volume (" + ROOT + ") with \"..\"");
  }

  /**
   * The path as seen in a stage pod.
   *
   * @throws IllegalArgumentException for a path {@link #problem} rejects
   */
  public static String resolve(String field, String path) {
    Optional<String> problem = problem(path);
    if (problem.isPresent()) {
      throw new IllegalArgumentException(field + ": " + problem.get());
    }
    return fold(absolute(path.strip())).orElseThrow();
  }

  private static String absolute(String p) {
    return p.startsWith("/") ? p : ROOT + "/" + (p.startsWith("./") ? p.substring(2) : p);
  }

  /** Folds "//", "/./" and "/../"; empty when ".." leaves the volume. */
  private static Optional<String> fold(String path) {
    ArrayDeque<String> parts = new ArrayDeque<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (parts.size() <= 1) {
          return Optional.empty();
        }
        parts.removeLast();
      } else {
        parts.addLast(part);
      }
    }
    String joined = "/" + String.join("/", parts);
    return joined.equals(ROOT) || joined.startsWith(ROOT + "/") ? Optional.of(joined) : Optional.empty();
  }
}
