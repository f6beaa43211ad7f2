package fineflow.activities.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.workflows.contract.Artifact;
import fineflow.workflows.contract.StageResult;
import fineflow.workflows.format.Json;
import fineflow.workflows.plan.StageName;
import java.util.List;
import java.util.Map;

/**
 * Stage results as JSON: the pod's termination message (artifacts, metrics, info, simulated) and
 * the full {@link StageResult} kept in a cache ConfigMap.
 */
public final class StageResultJson {
  // Stage programs may add fields; old workers must still read newer pods' results.
  private static final ObjectMapper MAPPER = Json.ignoringUnknown();

  private StageResultJson() {
  }

  /** What a stage pod writes to {@code /dev/termination-log}. */
  record TerminationMessage(
      List<Artifact> artifacts, Map<String, Double> metrics, Map<String, String> info,
      boolean simulated) {
  }

  /**
   * The result from a termination message.
   *
   * @throws IllegalArgumentException when the message is empty or not the result JSON
   */
  public static StageResult fromTerminationMessage(
      String message, StageName stage, String cacheKey, String objectName, String podName) {
    if (message == null || message.isBlank()) {
      throw new IllegalArgumentException("the container wrote no termination message");
    }
    try {
      TerminationMessage m = MAPPER.readValue(message, TerminationMessage.class);
      return new StageResult(stage, cacheKey, objectName, podName, m.artifacts(), m.metrics(),
          m.info(), m.simulated());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the termination message is not the result JSON: "
          + e.getOriginalMessage(), e);
    }
  }

  public static String write(StageResult result) {
    try {
      return MAPPER.writeValueAsString(result);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a StageResult always serializes", e);
    }
  }

  /** @throws IllegalArgumentException when the text is not a stored result */
  public static StageResult read(String json) {
    try {
      return MAPPER.readValue(json, StageResult.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a stored stage result: " + e.getOriginalMessage(), e);
    }
  }
}
