package fineflow.workflows.plan;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Builds an argument vector element by element; values are never joined into a shell string. */
final class Argv {
  private final List<String> args = new ArrayList<>();

  Argv(String... first) {
    args.addAll(List.of(first));
  }

  Argv add(String... more) {
    args.addAll(List.of(more));
    return this;
  }

  Argv addAll(List<String> more) {
    args.addAll(more);
    return this;
  }

  /** {@code --flag value}. */
  Argv opt(String flag, Object value) {
    args.add(flag);
    args.add(text(value));
    return this;
  }

  /** {@code --flag=value}, for tools that only parse that form. */
  Argv optEq(String flag, Object value) {
    args.add(flag + "=" + text(value));
    return this;
  }

  Argv flagIf(boolean on, String flag) {
    if (on) {
      args.add(flag);
    }
    return this;
  }

  List<String> build() {
    return List.copyOf(args);
  }

  /**
   * Numbers as plain decimals (5e-5 → "0.00005", 0.90 → "0.9", 8.0 → "8"), so the same spec
   * always gives the same argv and Python's float()/int() parse it; spec enums as written in
   * specs (LLAMA2_CHAT → llama2-chat).
   */
  static String text(Object value) {
    if (value instanceof Enum<?> e) {
      return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
    if (value instanceof Double || value instanceof Float) {
      return BigDecimal.valueOf(((Number) value).doubleValue()).stripTrailingZeros().toPlainString();
    }
    return String.valueOf(value);
  }
}
