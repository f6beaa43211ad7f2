package fineflow.workflows.spec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Records every unknown key instead of failing on the first. It returns "not handled" and the
 * mapper runs with FAIL_ON_UNKNOWN_PROPERTIES off, so Jackson itself skips the value and binding
 * goes on to find the next one.
 */
final class UnknownKeyRecorder extends DeserializationProblemHandler {
  private final List<SpecProblem> problems = new ArrayList<>();

  @Override
  public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p,
      JsonDeserializer<?> deserializer, Object beanOrClass, String propertyName) {
    String path = pathOf(p.getParsingContext(), propertyName);
    List<String> known = new ArrayList<>();
    Collection<Object> names = deserializer == null ? null : deserializer.getKnownPropertyNames();
    if (names != null) {
      names.forEach(n -> known.add(String.valueOf(n)));
    }
    problems.add(SpecProblem.at(path, message(propertyName, known)));
    return false;
  }

  List<SpecProblem> problems() {
    return List.copyOf(problems);
  }

  static String message(String key, List<String> known) {
    String suggestion = closest(key, known);
    String msg = "unknown key \"" + key + "\"";
    if (suggestion != null) {
      return msg + " (did you mean \"" + suggestion + "\"?)";
    }
    return known.isEmpty() ? msg : msg + "; known keys: " + String.join(", ", known.stream().sorted().toList());
  }

  /** The known key a typo most likely meant: same letters ignoring case and _/-, or a small edit distance. */
  static String closest(String key, List<String> known) {
    String normalized = normalize(key);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      if (normalize(candidate).equals(normalized)) {
        return candidate;
      }
      int d = distance(key.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    int allowed = Math.max(2, key.length() / 3);
    return bestDistance <= allowed ? best : null;
  }

  private static String normalize(String key) {
    return key.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
  }

  /** Levenshtein distance. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /**
   * The dotted path of the unknown property, from the parser's context chain. The context that
   * holds the property has it as its current name; when the value is a mapping or list the parser
   * already stands in a fresh (nameless, index -1) context for it, which adds nothing.
   */
  private static String pathOf(JsonStreamContext context, String propertyName) {
    List<JsonStreamContext> chain = new ArrayList<>();
    for (JsonStreamContext c = context; c != null; c = c.getParent()) {
      chain.add(0, c);
    }
    String path = "";
    for (JsonStreamContext c : chain) {
      if (c.inArray() && c.getCurrentIndex() >= 0) {
        path = SpecPath.index(path, c.getCurrentIndex());
      } else if (c.inObject() && c.getCurrentName() != null) {
        path = SpecPath.child(path, c.getCurrentName());
      }
    }
    // The holding context normally named the property already; append it if not.
    String segment = SpecPath.child("", propertyName);
    boolean named = path.equals(segment) || path.endsWith("." + segment)
        || (segment.startsWith("[") && path.endsWith(segment));
    return named ? path : SpecPath.child(path, propertyName);
  }
}
