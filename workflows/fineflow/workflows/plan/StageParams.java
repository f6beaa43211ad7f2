package fineflow.workflows.plan;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import fineflow.workflows.format.Json;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * One stage's parameters, made by the planner from the spec: after planning, the one form each of
 * the stage's values has (docs/architecture.md "Stage parameters"). The container's argv is
 * rendered from it in one place, {@link #argv()}; fineflow's own pod programs get the record whole
 * as one JSON argument ({@value #OPTION} {@link #json()}) and read their values from it instead of
 * re-parsing their argv or env; the cache key hashes the same JSON.
 *
 * <p>The type id ({@code "stage"}) names the record, so a program can check it was given the
 * parameters of its own stage.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "stage")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ModelFetchParams.class, name = "model-fetch"),
    @JsonSubTypes.Type(value = DatasetPrepParams.class, name = "dataset-prep"),
    @JsonSubTypes.Type(value = BenchmarkParams.class, name = "benchmark"),
    @JsonSubTypes.Type(value = TritonRepoParams.class, name = "triton-repo"),
    @JsonSubTypes.Type(value = LoraConvertParams.class, name = "lora-convert"),
    @JsonSubTypes.Type(value = CheckpointConvertParams.class, name = "checkpoint-convert"),
    @JsonSubTypes.Type(value = EngineBuildParams.class, name = "engine-build"),
    @JsonSubTypes.Type(value = TrainParams.class, name = "train"),
    @JsonSubTypes.Type(value = RolloutParams.class, name = "server"),
})
public interface StageParams {
  /** The option that hands a pod program its parameters as one JSON argument. */
  String OPTION = "--params";

  /** The container's command, rendered from these parameters. */
  List<String> argv();

  /** The canonical JSON: sorted properties, no nulls; what pods read and the cache key hashes. */
  default String json() {
    try {
      return Json.stageParams().writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stage parameters are plain records: " + e.getMessage(), e);
    }
  }

  /** Reads {@link #json()} back; {@link IllegalArgumentException} says what is wrong. */
  static <T extends StageParams> T fromJson(String json, Class<T> type) {
    try {
      return Json.stageParams().readValue(json, type);
    } catch (InvalidFormatException e) {
      if (e.getTargetType() != null && e.getTargetType().isEnum()) {
        // A choice spelled as in the spec: name the field and the spellings it takes.
        throw new IllegalArgumentException(e.getPath().stream().map(JsonMappingException.Reference::getFieldName)
            .filter(Objects::nonNull).collect(Collectors.joining(".")) + ": '" + e.getValue()
            + "' is not one of " + Arrays.stream(e.getTargetType().getEnumConstants())
            .map(c -> Json.stageParams().convertValue(c, String.class)).collect(Collectors.joining(", ")), e);
      }
      throw notTheJson(type, e);
    } catch (JsonProcessingException e) {
      throw notTheJson(type, e);
    }
  }

  private static IllegalArgumentException notTheJson(Class<?> type, JsonProcessingException e) {
    return new IllegalArgumentException(OPTION + " is not the JSON of " + type.getSimpleName()
        + ": " + e.getOriginalMessage(), e);
  }

  /**
   * These parameters with {@code sub} applied to every text value: the planner's placeholders
   * ({@link CacheKey#OUT}, {@link OutputPin}'s) replaced once they are known, as in the rest of
   * the stage.
   */
  @SuppressWarnings("unchecked")
  static <T extends StageParams> T substituted(T params, UnaryOperator<String> sub) {
    if (params == null) {
      return null;
    }
    ObjectMapper mapper = Json.stageParams();
    JsonNode tree = substitute(mapper.valueToTree(params), sub);
    try {
      return (T) mapper.treeToValue(tree, params.getClass());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stage parameters read back as written: " + e.getMessage(), e);
    }
  }

  private static JsonNode substitute(JsonNode node, UnaryOperator<String> sub) {
    if (node instanceof TextNode text) {
      return TextNode.valueOf(sub.apply(text.textValue()));
    }
    if (node instanceof ObjectNode object) {
      for (Map.Entry<String, JsonNode> field : object.properties()) {
        field.setValue(substitute(field.getValue(), sub));
      }
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        array.set(i, substitute(array.get(i), sub));
      }
    }
    return node;
  }
}
