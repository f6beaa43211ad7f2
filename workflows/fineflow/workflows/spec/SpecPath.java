package fineflow.workflows.spec;

import com.fasterxml.jackson.databind.JsonMappingException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Field paths as users write them: {@code training.lora.r}, {@code benchmark.concurrency[2]},
 * {@code cluster.nodeSelector["kubernetes.io/hostname"]} (keys that are not plain words are
 * quoted so the path stays unambiguous).
 */
final class SpecPath {
  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");

  private SpecPath() {
  }

  static String child(String parent, String key) {
    if (!PLAIN_KEY.matcher(key).matches()) {
      return parent + "[\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]";
    }
    return parent.isEmpty() ? key : parent + "." + key;
  }

  static String index(String parent, int index) {
    return parent + "[" + index + "]";
  }

  /** The path of a Jackson binding error. */
  static String of(List<JsonMappingException.Reference> references) {
    String path = "";
    for (JsonMappingException.Reference ref : references) {
      path = ref.getFieldName() != null ? child(path, ref.getFieldName()) : index(path, ref.getIndex());
    }
    return path;
  }

  /**
   * Splits a dotted path into keys (String) and list indexes (Integer).
   *
   * @throws IllegalArgumentException with a message that says what is wrong with the syntax
   */
  static List<Object> parse(String path) {
    List<Object> segments = new ArrayList<>();
    int i = 0;
    int n = path.length();
    if (n == 0) {
      throw new IllegalArgumentException("empty path");
    }
    while (i < n) {
      char c = path.charAt(i);
      if (c == '[') {
        int close = path.indexOf(']', i);
        if (i + 1 < n && path.charAt(i + 1) == '"') {
          int end = closingQuote(path, i + 2);
          if (end < 0 || end + 1 >= n || path.charAt(end + 1) != ']') {
            throw new IllegalArgumentException("unterminated [\"…\"] in " + path);
          }
          segments.add(path.substring(i + 2, end).replace("\\\"", "\"").replace("\\\\", "\\"));
          i = end + 2;
        } else if (close > i + 1 && path.substring(i + 1, close).chars().allMatch(Character::isDigit)) {
          segments.add(Integer.parseInt(path.substring(i + 1, close)));
          i = close + 1;
        } else {
          throw new IllegalArgumentException("expected [INDEX] or [\"KEY\"] at position " + i + " of " + path);
        }
        if (i < n && path.charAt(i) == '.') {
          i++;
          if (i == n) {
            throw new IllegalArgumentException("path ends with '.': " + path);
          }
        }
      } else {
        int end = i;
        while (end < n && path.charAt(end) != '.' && path.charAt(end) != '[') {
          end++;
        }
        if (end == i) {
          throw new IllegalArgumentException("empty key at position " + i + " of " + path);
        }
        segments.add(path.substring(i, end));
        i = end;
        if (i < n && path.charAt(i) == '.') {
          i++;
          if (i == n) {
            throw new IllegalArgumentException("path ends with '.': " + path);
          }
        }
      }
    }
    return List.copyOf(segments);
  }

  private static int closingQuote(String path, int from) {
    for (int i = from; i < path.length(); i++) {
      if (path.charAt(i) == '\\') {
        i++;
      } else if (path.charAt(i) == '"') {
        return i;
      }
    }
    return -1;
  }
}
