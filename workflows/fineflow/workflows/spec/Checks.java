package fineflow.workflows.spec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/** Collects problems while the validator walks a spec; each check names the path it guards. */
final class Checks {
  /** RFC 1123 label, as Kubernetes names are. */
  static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  /** RFC 1123 subdomain (Secret, PVC and ServiceAccount names). */
  static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private final List<SpecProblem> problems = new ArrayList<>();

  List<SpecProblem> problems() {
    return List.copyOf(problems);
  }

  void add(String path, String message) {
    problems.add(SpecProblem.at(path, message));
  }

  /** Adds the problem unless {@code ok}. */
  void require(boolean ok, String path, String message) {
    if (!ok) {
      add(path, message);
    }
  }

  void positive(Number value, String path) {
    if (value != null && value.doubleValue() <= 0) {
      add(path, "must be > 0, got " + value);
    }
  }

  void notNegative(Number value, String path) {
    if (value != null && value.doubleValue() < 0) {
      add(path, "must be >= 0, got " + value);
    }
  }

  void required(Object value, String path, String what) {
    if (value == null || (value instanceof String s && s.isBlank())) {
      add(path, "required: " + what);
    }
  }

  void notBlankIfSet(String value, String path) {
    if (value != null && value.isBlank()) {
      add(path, "must not be empty");
    }
  }

  void oneOf(String value, Collection<String> allowed, String path) {
    if (value != null && !allowed.contains(value)) {
      add(path, "unknown value \"" + value + "\"; one of: " + String.join(", ", allowed));
    }
  }

  void dnsSubdomain(String value, String path) {
    if (PastedToken.matches(value)) {
      add(path, "must be a Kubernetes name; the value " + PastedToken.ADVICE);
    } else if (value != null && (value.length() > 253 || !DNS_SUBDOMAIN.matcher(value).matches())) {
      add(path, "must be a Kubernetes name (lowercase letters, digits, '-' and '.'), got \"" + value + "\"");
    }
  }

  void dnsLabel(String value, int maxLength, String path) {
    if (value != null && (value.length() > maxLength || !DNS_LABEL.matcher(value).matches())) {
      add(path, "must be a DNS-1123 label of at most " + maxLength
          + " characters (lowercase letters, digits and '-', starting and ending with a letter or digit), got \""
          + value + "\"");
    }
  }
}
