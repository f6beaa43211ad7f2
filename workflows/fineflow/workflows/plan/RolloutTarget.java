package fineflow.workflows.plan;

import fineflow.workflows.spec.ServingBackend;
import java.util.Map;
import java.util.function.Function;

/**
 * What the rollout executor needs beyond a deployment stage's image, argv, mounts and files:
 * which server it is, how to smoke-test it and whether promotion waits for the benchmark. It
 * travels typed in the stage's {@link RolloutParams}, so it is part of the cache key and reaches
 * the executor as the planner made it ({@link #of}).
 *
 * @param app the pipeline name: the stable Service's name, {@code app.kubernetes.io/instance},
 *     and the prefix of {@link ServingEndpoint#serviceName}
 * @param servedModel the model name requests use: Triton's ensemble, or the OpenAI model id
 * @param adapterName OpenAI-style servers: the LoRA adapter's name; null = no adapter
 * @param adapterPath trtllm-serve: the adapter directory in the pod, sent in {@code lora_request}
 * @param loraTaskId Triton: the adapter's {@code lora_task_id}; null = no adapter
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

  /**
   * The target of a deployment stage: its parameters' ({@link RolloutParams}); for a stage planned
   * before there were parameters (a run recorded then, resumed now), the {@code FINEFLOW_ROLLOUT_*}
   * env entries those plans carried.
   */
  public static RolloutTarget of(Stage stage) {
    return stage.params() instanceof RolloutParams p ? p.target() : fromEnv(stage.env());
  }

  /**
   * The target as plans before stage parameters wrote it into the stage's env; throws
   * {@link IllegalArgumentException} naming what is wrong.
   */
  static RolloutTarget fromEnv(Map<String, String> env) {
    String backend = env.get(PREFIX + "BACKEND");
    ServingBackend b = null;
    for (ServingBackend candidate : ServingBackend.values()) {
      if (candidate.wireName().equals(backend)) {
        b = candidate;
      }
    }
    if (b == null) {
      throw new IllegalArgumentException("deployment stage env " + PREFIX + "BACKEND is '" + backend
          + "'; expected triton, trtllm-serve or vllm (plans before stage parameters wrote it there)");
    }
    Integer replicas = number(env, "REPLICAS", Integer::valueOf);
    return new RolloutTarget(b, env.get(PREFIX + "APP"), env.get(PREFIX + "SERVED_MODEL"),
        env.get(PREFIX + "ADAPTER_NAME"), env.get(PREFIX + "ADAPTER_PATH"),
        number(env, "LORA_TASK_ID", Long::valueOf),
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
