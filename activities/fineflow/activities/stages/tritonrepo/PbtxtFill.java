package fineflow.activities.stages.tritonrepo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills the {@code ${name}} placeholders of one config.pbtxt, like NVIDIA's fill_template.py but
 * on a fresh copy and strictly: afterwards no {@code ${} may remain.
 *
 * <p>An optional {@code parameters} entry whose {@code string_value} is a placeholder without a
 * value is "unset", handled the way each backend reads an unset parameter:
 * <ul>
 *   <li>C++ {@code tensorrtllm} backend: the whole entry is removed. A missing key gives the
 *       backend's default quietly; a literal {@code "${x}"} would fail number parsing and fall back
 *       to the same default with a warning, and an empty string is not always read as unset.
 *   <li>{@code python} backend models: the value becomes {@code ""}. Their model.py files read
 *       some keys unconditionally (removing them raises KeyError) and treat "" as unset.
 * </ul>
 * Full-line comments holding an unfilled placeholder (the skeleton's commented-out
 * enable_trt_overlap block) are dropped: comments are not configuration.
 * Placeholders anywhere else (max_batch_size, decoupled, data_type, count, …) must have a value:
 * left there they would break pbtxt parsing, so they are reported as leftovers.
 */
final class PbtxtFill {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(\\w+)}");
  private static final Pattern BACKEND = Pattern.compile("(?m)^\\s*backend:\\s*\"([^\"]*)\"");
  private static final Pattern STRING_PARAMETER = Pattern.compile(
      "(?m)^[ \\t]*parameters:?\\s*\\{\\s*key:\\s*\"([^\"]*)\"\\s*value:\\s*\\{\\s*"
          + "string_value:\\s*\"\\$\\{(\\w+)}\"\\s*}\\s*}[ \\t]*\\R?");

  private PbtxtFill() {
  }

  static FilledConfig fill(String fileLabel, String template, Map<String, String> values) {
    TreeSet<String> filled = new TreeSet<>();
    StringBuilder out = new StringBuilder();
    Matcher m = PLACEHOLDER.matcher(template);
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value != null) {
        filled.add(m.group(1));
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : m.group()));
    }
    m.appendTail(out);
    String text = out.toString();

    Matcher backend = BACKEND.matcher(text);
    boolean python = backend.find() && backend.group(1).equals("python");
    List<String> unset = new ArrayList<>();
    StringBuilder withoutUnset = new StringBuilder();
    Matcher p = STRING_PARAMETER.matcher(text);
    while (p.find()) {
      unset.add(p.group(1));
      String replacement = python ? p.group().replace("\"${" + p.group(2) + "}\"", "\"\"") : "";
      p.appendReplacement(withoutUnset, Matcher.quoteReplacement(replacement));
    }
    p.appendTail(withoutUnset);

    List<String> lines = new ArrayList<>(withoutUnset.toString().lines().toList());
    lines.removeIf(line -> line.stripLeading().startsWith("#") && line.contains("${"));
    List<String> leftovers = leftovers(fileLabel, template, lines);
    return new FilledConfig(String.join("\n", lines) + "\n", List.copyOf(filled), unset, leftovers);
  }

  /** What is still unfilled, located by its line in the skeleton file (the output shifts). */
  private static List<String> leftovers(String fileLabel, String template, List<String> output) {
    TreeSet<String> names = new TreeSet<>();
    List<String> stray = new ArrayList<>();
    for (String line : output) {
      Matcher left = PLACEHOLDER.matcher(line);
      boolean any = false;
      while (left.find()) {
        names.add(left.group(1));
        any = true;
      }
      if (!any && line.contains("${")) {
        stray.add(fileLabel + ": stray ${ in: " + line.strip());
      }
    }
    List<String> found = new ArrayList<>();
    List<String> templateLines = template.lines().toList();
    for (String name : names) {
      for (int i = 0; i < templateLines.size(); i++) {
        String line = templateLines.get(i);
        if (line.contains("${" + name + "}") && !line.stripLeading().startsWith("#")) {
          found.add(fileLabel + ":" + (i + 1) + ": ${" + name + "} has no value");
        }
      }
    }
    found.addAll(stray);
    return found;
  }
}
