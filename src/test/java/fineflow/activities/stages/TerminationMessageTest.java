package fineflow.activities.stages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.workflows.contract.Artifact;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TerminationMessageTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void hasTheStageResultShape() throws Exception {
    TerminationMessage m = new TerminationMessage(
        List.of(new Artifact("adapter", "/workspace/cache/train-abc/adapter", "ab".repeat(32), 123)),
        Map.of("trainLoss", 1.23), Map.of("dtype", "float16"));
    JsonNode n = JSON.readTree(m.toJson());
    assertThat(n.at("/artifacts/0/sizeBytes").asLong()).isEqualTo(123);
    assertThat(n.at("/metrics/trainLoss").asDouble()).isEqualTo(1.23);
    assertThat(n.at("/info/dtype").asText()).isEqualTo("float16");
    assertThat(n.at("/simulated").asBoolean()).isFalse();
  }

  @Test
  void dropsInfoFromTheEndToStayUnderFourKib() throws Exception {
    Map<String, String> info = new LinkedHashMap<>();
    for (int i = 0; i < 40; i++) {
      info.put("key" + i, "v".repeat(200));
    }
    String json = new TerminationMessage(List.of(), Map.of("x", 1.0), info).toJson();
    assertThat(json.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(TerminationMessage.LIMIT_BYTES);
    JsonNode n = JSON.readTree(json);
    assertThat(n.at("/info/key0").asText()).hasSize(200);
    assertThat(n.at("/info").size()).isBetween(10, 39);
  }

  @Test
  void failureMessageKeepsTheErrorAndAsManyProblemsAsFit() throws Exception {
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      problems.add("line " + i + ": missing-field: missing field \"output\"");
    }
    String json = TerminationMessage.failureJson("500 of 500 records are invalid", problems);
    assertThat(json.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(TerminationMessage.LIMIT_BYTES);
    JsonNode n = JSON.readTree(json);
    assertThat(n.get("error").asText()).isEqualTo("500 of 500 records are invalid");
    assertThat(n.get("problems").get(0).asText()).startsWith("line 0:");
  }
}
