package fineflow.workflows.spec;

import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.workflows.format.Json;

/**
 * Specs as JSON: enums by their {@code @JsonProperty} names, nulls left out, and properties and
 * map entries sorted, so equal specs always give the same bytes (the digest and cache keys depend
 * on that). The mapper is {@link Json#specCanonical()}.
 */
public final class SpecJson {
  private static final ObjectMapper MAPPER = Json.specCanonical();

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
}
