package fineflow.workflows.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one Jackson configuration for specs as JSON: enums by their {@code @JsonProperty} names,
 * nulls left out, and properties and map entries sorted, so equal specs always give the same
 * bytes (the digest and cache keys depend on that; {@code Map.copyOf} iterates in a different
 * order in every JVM).
 */
public final class SpecJson {
  private static final ObjectMapper MAPPER = configure(JsonMapper.builder())
      .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
      .build();

  private SpecJson() {
  }

  /** The shared mapper. It is fully configured: {@code copy()} it before changing anything. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Canonical JSON of a spec: sorted keys, no nulls, no whitespace. */
  public static String canonical(PipelineSpec spec) {
    try {
      return MAPPER.writeValueAsString(spec);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a PipelineSpec always serializes", e);
    }
  }

  /** The spec settings shared by the JSON and YAML mappers (YAML keeps declaration order). */
  static <M extends ObjectMapper, B extends com.fasterxml.jackson.databind.cfg.MapperBuilder<M, B>> B configure(B builder) {
    return builder
        .addModule(new Jdk8Module())
        .addModule(new JavaTimeModule())
        .serializationInclusion(JsonInclude.Include.NON_NULL)
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        // 2.5 for an integer field is a mistake, not 2.
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
  }
}
