package fineflow.workflows.plan;

import fineflow.workflows.spec.ServingBackend;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the rollout executor needs beyond a stage's image, argv and mounts: which server it is,
 * how to smoke-test it and whether promotion waits for the benchmark. The planner puts it in
 * the rollout stage's env ({@link #toEnv()}, keys {@code FINEFLOW_ROLLOUT_*}) so that it is part
 * of the stage's cache key and travels in the plan unchanged; the executor reads it back with
 * {@link #fromEnv} and does not pass those keys to the server container.
 *
 * @param app the pipeline's serving name: the stable Service's name, {@code app.kubernetes.io/instance},
 *     and the prefix of the per-revision objects {@code <app>-<stage>-<key12>} (a DNS-1035 label)
 * @param servedModel model name requests use: the Triton ensemble name, or the OpenAI model id
 * @param adapterName OpenAI-style servers: the LoRA adapter's model name; null = no adapter
 * @param loraTaskId Triton: the adapter's {@code lora_task_id}; null = no adapter
 * @param maxBatchSize Triton: the engine's max batch size, compared with the served config
 * @param extraOptionsJson trtllm-serve: the {@code extra_llm_api_options} document as JSON (a YAML
 *     subset), or null
 * @param gated true when the spec sets an SLO gate: promotion waits for the benchmark
 * @param smokePrompt the prompt of the smoke-test generations
 */
public record RolloutTarget(
    ServingBackend backend,
    String app,
    String servedModel,
    String adapterName,
    Long loraTaskId,
    Integer maxBatchSize,
    String extraOptionsJson,
    boolean gated,
    int replicas,
    String smokePrompt) {

  public static final String PREFIX = "FINEFLOW_ROLLOUT_";
  /** Where trtllm-serve's extra options file is mounted; the argv must point at it. */
  public static final String EXTRA_OPTIONS_PATH = "/etc/fineflow/extra-llm-api-options.yaml";
  public static final String DEFAULT_SMOKE_PROMPT = "Hello! Please introduce yourself in one sentence.";

  public RolloutTarget {
    if (backend == null) {
      throw new IllegalArgumentException("rollout target: backend is required");
    }
    if (app == null || !app.matches("[a-z]([-a-z0-9]{0,61}[a-z0-9])?")) {
      throw new IllegalArgumentException("rollout target: app '" + app
          + "' must be a DNS-1035 label (lower case, starts with a letter, at most 63 characters)");
    }
    if (servedModel == null || servedModel.isBlank()) {
      throw new IllegalArgumentException("rollout target: servedModel is required");
    }
    replicas = replicas <= 0 ? 1 : replicas;
    smokePrompt = smokePrompt == null || smokePrompt.isBlank() ? DEFAULT_SMOKE_PROMPT : smokePrompt;
  }

  /** True when the smoke test has an adapter to try next to the base model. */
  public boolean hasAdapter() {
    return backend == ServingBackend.TRITON ? loraTaskId != null : adapterName != null;
  }

  /** A stage env entry set; merge into the rollout stage's env. */
  public Map<String, String> toEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put(PREFIX + "BACKEND", backend.wireName());
    env.put(PREFIX + "APP", app);
    env.put(PREFIX + "SERVED_MODEL", servedModel);
    putIf(env, "ADAPTER_NAME", adapterName);
    putIf(env, "LORA_TASK_ID", loraTaskId == null ? null : loraTaskId.toString());
    putIf(env, "MAX_BATCH_SIZE", maxBatchSize == null ? null : maxBatchSize.toString());
    putIf(env, "EXTRA_OPTIONS_JSON", extraOptionsJson);
    env.put(PREFIX + "GATED", Boolean.toString(gated));
    env.put(PREFIX + "REPLICAS", Integer.toString(replicas));
    env.put(PREFIX + "SMOKE_PROMPT", smokePrompt);
    return env;
  }

  private static void putIf(Map<String, String> env, String key, String value) {
    if (value != null) {
      env.put(PREFIX + key, value);
    }
  }

  /** Reads {@link #toEnv()} back; throws {@link IllegalArgumentException} naming what is wrong. */
  public static RolloutTarget fromEnv(Map<String, String> env) {
    String backend = env.get(PREFIX + "BACKEND");
    ServingBackend b = null;
    for (ServingBackend candidate : ServingBackend.values()) {
      if (candidate.wireName().equals(backend)) {
        b = candidate;
      }
    }
    if (b == null) {
      throw new IllegalArgumentException("rollout stage env " + PREFIX + "BACKEND is '" + backend
          + "'; expected triton, trtllm-serve or vllm");
    }
    return new RolloutTarget(b, env.get(PREFIX + "APP"), env.get(PREFIX + "SERVED_MODEL"),
        env.get(PREFIX + "ADAPTER_NAME"), number(env, "LORA_TASK_ID", Long::valueOf),
        number(env, "MAX_BATCH_SIZE", Integer::valueOf), env.get(PREFIX + "EXTRA_OPTIONS_JSON"),
        Boolean.parseBoolean(env.get(PREFIX + "GATED")),
        number(env, "REPLICAS", Integer::valueOf) == null ? 1 : number(env, "REPLICAS", Integer::valueOf),
        env.get(PREFIX + "SMOKE_PROMPT"));
  }

  private static <T> T number(Map<String, String> env, String key,
      java.util.function.Function<String, T> parse) {
    String v = env.get(PREFIX + key);
    if (v == null) {
      return null;
    }
    try {
      return parse.apply(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("rollout stage env " + PREFIX + key + " is '" + v
          + "', not a whole number");
    }
  }

  /**
   * Renders serving.extraOptions (maps, lists, strings, numbers, booleans) as JSON for
   * {@code extraOptionsJson}. Written here rather than with Jackson because planner code must
   * stay free of I/O types.
   */
  public static String json(Object value) {
    StringBuilder sb = new StringBuilder();
    writeJson(sb, value);
    return sb.toString();
  }

  private static void writeJson(StringBuilder sb, Object v) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof Map<?, ?> m) {
      sb.append('{');
      List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
      entries.sort((a, c) -> String.valueOf(a.getKey()).compareTo(String.valueOf(c.getKey())));
      for (int i = 0; i < entries.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        writeString(sb, String.valueOf(entries.get(i).getKey()));
        sb.append(':');
        writeJson(sb, entries.get(i).getValue());
      }
      sb.append('}');
    } else if (v instanceof List<?> l) {
      sb.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        writeJson(sb, l.get(i));
      }
      sb.append(']');
    } else if (v instanceof Number || v instanceof Boolean) {
      sb.append(v);
    } else {
      writeString(sb, v.toString());
    }
  }

  private static void writeString(StringBuilder sb, String s) {
    sb.append('"');
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
