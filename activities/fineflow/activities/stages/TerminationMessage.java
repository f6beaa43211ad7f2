package fineflow.activities.stages;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fineflow.workflows.contract.Artifact;
import fineflow.workflows.format.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stage pod's result as the container termination message: the {@code StageResult} fields the
 * pod knows (artifacts, metrics, info). Kubernetes truncates the message at 4 KiB, so
 * {@link #toJson()} drops info entries from the end until it fits, rather than let a cut-off
 * JSON reach the await activity.
 */
public record TerminationMessage(List<Artifact> artifacts, Map<String, Double> metrics,
                                 Map<String, String> info) {

  /** Kubernetes' limit for one container's termination message. */
  public static final int LIMIT_BYTES = 4096;
  /** Longest info value kept: info is for short strings, the manifest holds the rest. */
  static final int INFO_VALUE_LIMIT = 300;
  private static final ObjectMapper JSON = Json.mapper();

  public TerminationMessage {
    artifacts = List.copyOf(artifacts);
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    info = Collections.unmodifiableMap(new LinkedHashMap<>(info));
  }

  public String toJson() {
    List<Map.Entry<String, String>> kept = new ArrayList<>(info.entrySet());
    String json = render(kept);
    while (bytes(json) > LIMIT_BYTES && !kept.isEmpty()) {
      kept.remove(kept.size() - 1);
      json = render(kept);
    }
    if (bytes(json) > LIMIT_BYTES) {
      throw new IllegalStateException("termination message over 4 KiB even without info: " + json);
    }
    return json;
  }

  /** Writes the message; a failure to write is reported, since the result would be lost. */
  public void writeTo(Path file) throws IOException {
    Files.writeString(file, toJson(), StandardCharsets.UTF_8);
  }

  /**
   * The message of a failed stage: {@code {"error": ..., "problems": [...]}}, problems dropped
   * from the end to stay under 4 KiB (the pod log has them all).
   */
  public static String failureJson(String error, List<String> problems) {
    List<String> kept = new ArrayList<>(problems);
    String json = renderFailure(shorten(error, 1000), kept);
    while (bytes(json) > LIMIT_BYTES && !kept.isEmpty()) {
      kept.remove(kept.size() - 1);
      json = renderFailure(shorten(error, 1000), kept);
    }
    return json;
  }

  private String render(List<Map.Entry<String, String>> keptInfo) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode arts = root.putArray("artifacts");
    for (Artifact a : artifacts) {
      arts.addObject().put("name", a.name()).put("path", a.path()).put("sha256", a.sha256())
          .put("sizeBytes", a.sizeBytes());
    }
    ObjectNode m = root.putObject("metrics");
    metrics.forEach(m::put);
    ObjectNode i = root.putObject("info");
    keptInfo.forEach(e -> i.put(e.getKey(), shorten(e.getValue(), INFO_VALUE_LIMIT)));
    root.put("simulated", false);
    return write(root);
  }

  private static String renderFailure(String error, List<String> problems) {
    ObjectNode root = JSON.createObjectNode();
    root.put("error", error);
    ArrayNode arr = root.putArray("problems");
    problems.forEach(p -> arr.add(shorten(p, INFO_VALUE_LIMIT)));
    return write(root);
  }

  private static String write(ObjectNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings and numbers always serialises", e);
    }
  }

  private static String shorten(String s, int limit) {
    return s.length() <= limit ? s : s.substring(0, limit - 1) + "…";
  }

  private static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
