package fineflow.workflows.plan;

import fineflow.workflows.spec.ServingBackend;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * What the rollout executor needs beyond a deployment stage's image, argv, mounts and files:
 * which server it is, how to smoke-test it and whether promotion waits for the benchmark. The
 * planner puts it in the stage's env ({@link #toEnv()}, keys {@code FINEFLOW_ROLLOUT_*}) so
 * that it is part of the cache key and travels in the plan unchanged; the executor reads it
 * back with {@link #fromEnv} and does not pass those keys to the server container.
 *
 * @param app the pipeline name: the stable Service's name, {@code app.kubernetes.io/instance},
 *     and the prefix of {@link ServingEndpoint#serviceName}
 * @param servedModel the model name requests use: Triton's ensemble, or the OpenAI model id
 * @param adapterName OpenAI-style servers: the LoRA adapter's name; null = no adapter
 * @param adapterPath trtllm-serve: the adapter directory in the pod, sent in {@code lora_request}
 * @param loraTaskId Triton: the adapter's {@code lora_task_id}; null = no adapter
 * @param maxBatchSize Triton: the engine's max batch size, compared with the served config
 * @param gated true when the spec sets an SLO gate: promotion waits for the benchmark
 * @param smokePrompt the prompt of the smoke-test generations
 */
public record RolloutTarget(
    ServingBackend backend,
    String app,
    String servedModel,
    String adapterName,
    String adapterPath,
    Long loraTaskId,
    Integer maxBatchSize,
    boolean gated,
    int replicas,
    String smokePrompt) {

  public static final String PREFIX = "FINEFLOW_ROLLOUT_";
  public static final String DEFAULT_SMOKE_PROMPT = "Hello! Please introduce yourself in one sentence.";

  public RolloutTarget {
    if (backend == null) {
      throw new IllegalArgumentException("rollout target: backend is required");
    }
    if (app == null || !app.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
      throw new IllegalArgumentException("rollout target: app '" + app
          + "' must be a DNS label (lower case letters, digits and '-', at most 63 characters)");
    }
    if (servedModel == null || servedModel.isBlank()) {
      throw new IllegalArgumentException("rollout target: servedModel is required");
    }
    if (backend == ServingBackend.TRTLLM_SERVE && adapterName != null && adapterPath == null) {
      throw new IllegalArgumentException("rollout target: trtllm-serve selects an adapter by path;"
          + " adapterPath is required with adapterName");
    }
    replicas = replicas <= 0 ? 1 : replicas;
    smokePrompt = smokePrompt == null || smokePrompt.isBlank() ? DEFAULT_SMOKE_PROMPT : smokePrompt;
  }

  /** True when the smoke test has an adapter to try next to the base model. */
  public boolean hasAdapter() {
    return backend == ServingBackend.TRITON ? loraTaskId != null : adapterName != null;
  }

  /** Env entries for the deployment stage. */
  public Map<String, String> toEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put(PREFIX + "BACKEND", backend.wireName());
    env.put(PREFIX + "APP", app);
    env.put(PREFIX + "SERVED_MODEL", servedModel);
    putIf(env, "ADAPTER_NAME", adapterName);
    putIf(env, "ADAPTER_PATH", adapterPath);
    putIf(env, "LORA_TASK_ID", loraTaskId == null ? null : loraTaskId.toString());
    putIf(env, "MAX_BATCH_SIZE", maxBatchSize == null ? null : maxBatchSize.toString());
    env.put(PREFIX + "GATED", Boolean.toString(gated));
    env.put(PREFIX + "REPLICAS", Integer.toString(replicas));
    env.put(PREFIX + "SMOKE_PROMPT", smokePrompt);
    return env;
  }

  /** The stage env with the target's entries added. */
  public Map<String, String> addTo(Map<String, String> env) {
    Map<String, String> all = new LinkedHashMap<>(env);
    all.putAll(toEnv());
    return all;
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
      throw new IllegalArgumentException("deployment stage env " + PREFIX + "BACKEND is '" + backend
          + "'; expected triton, trtllm-serve or vllm (the planner adds RolloutTarget.toEnv())");
    }
    Integer replicas = number(env, "REPLICAS", Integer::valueOf);
    return new RolloutTarget(b, env.get(PREFIX + "APP"), env.get(PREFIX + "SERVED_MODEL"),
        env.get(PREFIX + "ADAPTER_NAME"), env.get(PREFIX + "ADAPTER_PATH"),
        number(env, "LORA_TASK_ID", Long::valueOf), number(env, "MAX_BATCH_SIZE", Integer::valueOf),
        Boolean.parseBoolean(env.get(PREFIX + "GATED")), replicas == null ? 1 : replicas,
        env.get(PREFIX + "SMOKE_PROMPT"));
  }

  private static <T> T number(Map<String, String> env, String key, Function<String, T> parse) {
    String v = env.get(PREFIX + key);
    if (v == null) {
      return null;
    }
    try {
      return parse.apply(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("deployment stage env " + PREFIX + key + " is '" + v
          + "', not a whole number");
    }
  }
}
