package fineflow.workers.dev;

import java.nio.file.Path;
import java.util.List;

/**
 * Maps the pod's view of the workspace volume ({@code /workspace}) and the skeleton that an
 * init container would copy from the Triton image ({@code /skeleton}) onto local directories.
 */
record WorkspacePaths(Path workspace, Path skeleton) {
  static final String POD_WORKSPACE = "/workspace";
  static final String POD_SKELETON = "/skeleton";
  private static final java.util.regex.Pattern POD_PATH =
      java.util.regex.Pattern.compile("(^|[=,:])(/workspace|/skeleton)(?=/|$|,)");

  Path local(String podPath) {
    return Path.of(toLocal(podPath));
  }

  /** Rewrites pod paths at the start of an argument or of a {@code key=} / list value, once. */
  String toLocal(String arg) {
    return POD_PATH.matcher(arg).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(
        m.group(1) + (m.group(2).equals(POD_WORKSPACE) ? workspace : skeleton)));
  }

  List<String> toLocal(List<String> argv) {
    return argv.stream().map(this::toLocal).toList();
  }

  /** Results show the paths a real pod would report. */
  String toPod(String text) {
    return text.replace(workspace.toString(), POD_WORKSPACE).replace(skeleton.toString(), POD_SKELETON);
  }
}
