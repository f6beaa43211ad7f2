package fineflow.workers.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.workflows.format.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * A stage pod's last progress line as people read it. The pods print JSON ({@code {"event":
 * "progress","step":4,"totalSteps":4,"epoch":1.0,"loss":1.795,…}} from train.py, the
 * benchmark and the simulated node; docs/stages.md); anything else is shown as printed.
 *
 * @param json the parsed line, or null when it is not a JSON object
 */
record ProgressLine(String raw, JsonNode json) {
  private static final ObjectMapper JSON = Json.mapper();

  static ProgressLine parse(String line) {
    if (line == null || !line.strip().startsWith("{")) {
      return new ProgressLine(line, null);
    }
    try {
      JsonNode node = JSON.readTree(line);
      return new ProgressLine(line, node != null && node.isObject() ? node : null);
    } catch (IOException e) {
      return new ProgressLine(line, null);
    }
  }

  OptionalLong step() {
    return number("step");
  }

  OptionalLong totalSteps() {
    return number("totalSteps");
  }

  /** E.g. "step 4/4, epoch 1.0, loss 1.795"; the line itself when it is not JSON; "" for none. */
  String text() {
    if (json == null) {
      return raw == null ? "" : raw.strip();
    }
    List<String> parts = new ArrayList<>();
    if (step().isPresent()) {
      parts.add("step " + step().getAsLong() + (totalSteps().isPresent() ? "/" + totalSteps().getAsLong() : ""));
    }
    decimal("epoch", 2).ifPresent(v -> parts.add("epoch " + v));
    decimal("loss", 3).ifPresent(v -> parts.add("loss " + v));
    decimal("eval_loss", 3).ifPresent(v -> parts.add("eval loss " + v));
    if (json.hasNonNull("target")) {
      parts.add(json.get("target").asText() + (json.hasNonNull("concurrency")
          ? " at concurrency " + json.get("concurrency").asText() : ""));
    }
    return parts.isEmpty() ? raw.strip() : String.join(", ", parts);
  }

  /** The figures after the bar of {@code watch}: the same text without the step the bar shows. */
  String extra() {
    String text = text();
    return json != null && step().isPresent() ? text.replaceFirst("^step [0-9/]+(, )?", "") : text;
  }

  private OptionalLong number(String key) {
    return json != null && json.hasNonNull(key) && json.get(key).isNumber()
        ? OptionalLong.of(json.get(key).asLong()) : OptionalLong.empty();
  }

  /** At most {@code places} decimals, at least one: 1 → "1.0", 1.79512 → "1.795". */
  private java.util.Optional<String> decimal(String key, int places) {
    if (json == null || !json.hasNonNull(key) || !json.get(key).isNumber()) {
      return java.util.Optional.empty();
    }
    BigDecimal v = json.get(key).decimalValue().setScale(places, RoundingMode.HALF_EVEN).stripTrailingZeros();
    return java.util.Optional.of(v.scale() < 1 ? v.setScale(1).toPlainString() : v.toPlainString());
  }
}
