package fineflow.workflows.format;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.MapperBuilder;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * Every JSON mapper the code uses, built once (Jackson mappers are thread-safe and costly to
 * make). Each variant is named for what it does differently from Jackson's defaults, so a reader
 * sees which rules a file is read or written by. They are shared: {@code copy()} one before
 * changing anything, or better, add a named variant here.
 */
public final class Json {
  private static final ObjectMapper DEFAULTS = JsonMapper.builder().build();
  private static final ObjectMapper PRETTY = JsonMapper.builder()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .build();
  // Pods and stage programs may add fields; old workers must still read newer pods' results.
  private static final ObjectMapper IGNORING_UNKNOWN = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();
  private static final ObjectMapper SORTED_MAPS = JsonMapper.builder()
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .build();
  private static final ObjectMapper PRETTY_ISO_TIMES = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .addModule(new Jdk8Module())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .build();
  private static final ObjectMapper NO_DUPLICATE_KEYS = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();
  private static final ObjectMapper ONE_VALUE_NO_DUPLICATE_KEYS = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();
  private static final ObjectMapper STAGE_PARAMS = JsonMapper.builder()
      .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .serializationInclusion(JsonInclude.Include.NON_NULL)
      .build();
  private static final ObjectMapper SPEC_CANONICAL = spec(JsonMapper.builder())
      .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
      .build();
  private static final ObjectMapper SPEC_BINDING = spec(JsonMapper.builder())
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  private Json() {
  }

  /** Jackson's defaults: unknown properties fail binding, compact output. */
  public static ObjectMapper mapper() {
    return DEFAULTS;
  }

  /** {@link #mapper()}, but output indented: files people read (manifests, summaries). */
  public static ObjectMapper pretty() {
    return PRETTY;
  }

  /** {@link #mapper()}, but unknown properties are skipped: documents a newer program may extend. */
  public static ObjectMapper ignoringUnknown() {
    return IGNORING_UNKNOWN;
  }

  /** {@link #mapper()}, but map entries written in key order, so equal maps give equal bytes. */
  public static ObjectMapper sortedMaps() {
    return SORTED_MAPS;
  }

  /** Indented, {@code java.time} values as ISO-8601 strings, {@code Optional}s unwrapped. */
  public static ObjectMapper prettyIsoTimes() {
    return PRETTY_ISO_TIMES;
  }

  /** {@link #mapper()}, but a key twice in one object is a parse error, not "the last one wins". */
  public static ObjectMapper noDuplicateKeys() {
    return NO_DUPLICATE_KEYS;
  }

  /** {@link #noDuplicateKeys()}, and anything after the first value is an error (JSONL lines). */
  public static ObjectMapper oneValueNoDuplicateKeys() {
    return ONE_VALUE_NO_DUPLICATE_KEYS;
  }

  /**
   * Specs as canonical JSON: the spec settings plus properties sorted, so equal specs always give
   * the same bytes (the digest and cache keys depend on that).
   */
  public static ObjectMapper specCanonical() {
    return SPEC_CANONICAL;
  }

  /**
   * A stage's parameters (fineflow.workflows.plan.StageParams) as the pod reads them and the
   * cache key hashes them: properties and map entries sorted, nulls left out, so equal
   * parameters always give the same bytes; unknown properties skipped, so a program reads the
   * parameters of a newer planner.
   */
  public static ObjectMapper stageParams() {
    return STAGE_PARAMS;
  }

  /** The spec settings, with unknown keys left to a handler to record instead of thrown. */
  public static ObjectMapper specBinding() {
    return SPEC_BINDING;
  }

  /**
   * The settings every spec mapper (JSON and YAML) shares: {@code Optional} and {@code java.time}
   * types, nulls left out, map entries sorted ({@code Map.copyOf} iterates in a different order
   * in every JVM), and no float silently truncated into an integer field.
   */
  static <M extends ObjectMapper, B extends MapperBuilder<M, B>> B spec(B builder) {
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
