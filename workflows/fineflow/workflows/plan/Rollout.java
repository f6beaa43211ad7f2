package fineflow.workflows.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.workflows.format.Json;
import fineflow.workflows.gate.PromotionGate;
import fineflow.workflows.spec.EngineSpec;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.ServingBackend;
import fineflow.workflows.spec.ServingSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * rollout (and baseline): a model server as a Deployment + Service. Triton serves the filled
 * repository; trtllm-serve and vLLM serve the Hugging Face weights with the PEFT adapter.
 */
final class Rollout {
  /** Sorted keys, so the same options always give the same file (and cache key). */
  private static final ObjectMapper OPTIONS_JSON = Json.sortedMaps();

  private Rollout() {
  }

  static StageDraft candidate(PipelineSpec spec, Upstream up) {
    ServingSpec s = spec.serving();
    return switch (s.backend()) {
      case TRITON -> triton(spec, up);
      case TRTLLM_SERVE -> trtllmServe(StageName.ROLLOUT, spec, up, s.image(), true);
      case VLLM -> vllm(StageName.ROLLOUT, spec, up, s.image(), true);
    };
  }

  /**
   * The comparison server: the same weights and limits without the adapter, on the baseline
   * backend's stock image.
   */
  static StageDraft baseline(PipelineSpec spec, Upstream up) {
    ServingBackend backend = spec.benchmark().baseline();
    return switch (backend) {
      case TRITON -> throw new IllegalArgumentException(
          "benchmark.baseline: triton needs its own engine build; use vllm or trtllm-serve");
      case TRTLLM_SERVE -> trtllmServe(StageName.BASELINE, spec, up, backend.defaultImage(), false);
      case VLLM -> vllm(StageName.BASELINE, spec, up, backend.defaultImage(), false);
    };
  }

  /** tritonserver over the filled repository ({@link TritonServerCommand}). */
  private static StageDraft triton(PipelineSpec spec, Upstream up) {
    EngineSpec e = spec.engine();
    String repo = up.out(StageName.TRITON_REPO);
    int batch = e.maxBatchSize();
    List<VolumeMount> volumes = new ArrayList<>();
    List<StageName> consumes = new ArrayList<>();
    for (StageName input : List.of(StageName.LORA_CONVERT, StageName.ENGINE_BUILD,
        StageName.TRITON_REPO)) {
      if (up.has(input)) {
        volumes.add(Workspace.readOnly(up.out(input)).orElseThrow());
        consumes.add(input);
      }
    }
    volumes.addAll(ModelRef.tokenizer(spec).mounts());
    volumes.add(HuggingFace.cacheMount());
    RolloutTarget target = new RolloutTarget(ServingBackend.TRITON, Planner.pipelineName(spec),
        Benchmark.TRITON_MODEL, null, null,
        up.has(StageName.LORA_CONVERT) ? e.lora().taskId() : null, gated(spec),
        spec.serving().replicas(), null);
    return new StageDraft(StageName.ROLLOUT, StageKind.DEPLOYMENT, spec.serving().image(),
        new RolloutParams(target, new TritonServerCommand(repo, batch, e.worldSize())),
        Map.of("HF_HOME", Workspace.HF_HOME, "TLLM_LOG_LEVEL", "INFO"),
        HuggingFace.token(spec), gpuResources(spec), volumes, 1_800, 5 * 60, consumes, List.of(),
        "Serve the engine on Triton (batch " + batch + ", world size " + e.worldSize()
            + (up.has(StageName.LORA_CONVERT) ? ", LoRA task " + e.lora().taskId() : "") + ")",
        Map.of());
  }

  private static StageDraft trtllmServe(StageName name, PipelineSpec spec, Upstream up,
      String image, boolean candidate) {
    EngineSpec e = spec.engine();
    ModelRef model = ModelRef.served(spec, up);
    Map<String, Object> options = new TreeMap<>(
        candidate && spec.serving().backend() == ServingBackend.TRTLLM_SERVE
            ? spec.serving().extraOptions() : Map.of());
    String adapter = candidate ? adapterDir(spec, up) : null;
    if (adapter != null && !options.containsKey("lora_config")) {
      Map<String, Object> lora = new LinkedHashMap<>();
      lora.put("lora_dir", List.of(adapter));
      lora.put("max_lora_rank", e.lora().maxRank());
      options.put("lora_config", lora);
    }
    Map<String, String> files = options.isEmpty() ? Map.of()
        : Map.of(ServingEndpoint.EXTRA_OPTIONS_PATH, json(options));
    TrtllmServeCommand command = new TrtllmServeCommand(model.location(), e.maxBatchSize(), e.maxSeqLen(),
        e.maxNumTokens(), spec.serving().kvCacheFreeGpuMemFraction(), e.tpSize(), e.ppSize(),
        spec.model().trustRemoteCode(), options.isEmpty() ? null : ServingEndpoint.EXTRA_OPTIONS_PATH);
    RolloutTarget target = new RolloutTarget(ServingBackend.TRTLLM_SERVE, Planner.pipelineName(spec),
        model.location(), adapter != null ? ServingEndpoint.ADAPTER_NAME : null, adapter, null,
        candidate && gated(spec), candidate ? spec.serving().replicas() : 1, null);
    return new StageDraft(name, StageKind.DEPLOYMENT, image, new RolloutParams(target, command),
        Map.of("HF_HOME", Workspace.HF_HOME, "TLLM_LOG_LEVEL", "INFO"),
        HuggingFace.token(spec), gpuResources(spec), volumes(model, adapter, up),
        3_600, 10 * 60, consumes(model, adapter), List.of(),
        "Serve " + model.name() + " with trtllm-serve (batch " + e.maxBatchSize()
            + (adapter != null ? ", adapter '" + ServingEndpoint.ADAPTER_NAME + "'" : "") + ")",
        files);
  }

  private static StageDraft vllm(StageName name, PipelineSpec spec, Upstream up, String image,
      boolean candidate) {
    EngineSpec e = spec.engine();
    ModelRef model = ModelRef.served(spec, up);
    String adapter = candidate ? adapterDir(spec, up) : null;
    VllmServeCommand command = new VllmServeCommand(model.location(),
        model.onWorkspace() ? null : spec.model().revision(), e.maxBatchSize(), e.maxSeqLen(),
        spec.serving().kvCacheFreeGpuMemFraction(), e.tpSize(), e.ppSize(), spec.model().trustRemoteCode(),
        adapter != null ? ServingEndpoint.ADAPTER_NAME : null, adapter, adapter != null ? e.lora().maxRank() : null,
        // extraOptions are extra `vllm serve` flags here (the candidate's own backend only).
        candidate && spec.serving().backend() == ServingBackend.VLLM ? spec.serving().extraOptions() : Map.of());
    RolloutTarget target = new RolloutTarget(ServingBackend.VLLM, Planner.pipelineName(spec),
        model.location(), adapter != null ? ServingEndpoint.ADAPTER_NAME : null, null, null,
        candidate && gated(spec), candidate ? spec.serving().replicas() : 1, null);
    return new StageDraft(name, StageKind.DEPLOYMENT, image, new RolloutParams(target, command),
        Map.of("HF_HOME", Workspace.HF_HOME), HuggingFace.token(spec), gpuResources(spec),
        volumes(model, adapter, up), 3_600, 10 * 60, consumes(model, adapter), List.of(),
        "Serve " + model.name() + " with vLLM (max " + e.maxBatchSize() + " sequences"
            + (adapter != null ? ", adapter '" + ServingEndpoint.ADAPTER_NAME + "'" : "") + ")",
        Map.of());
  }

  /** An SLO gate makes promotion wait for the benchmark (the rollout executor reads this). */
  private static boolean gated(PipelineSpec spec) {
    return PromotionGate.isGated(spec.serving().slo());
  }

  /** The PEFT adapter from train, when there is one. */
  private static String adapterDir(PipelineSpec spec, Upstream up) {
    return up.has(StageName.TRAIN) && spec.training().method().usesAdapters()
        ? up.out(StageName.TRAIN) + "/" + Train.ADAPTER_DIR
        : null;
  }

  private static List<VolumeMount> volumes(ModelRef model, String adapter, Upstream up) {
    List<VolumeMount> volumes = new ArrayList<>(model.mounts());
    if (adapter != null && !model.producedBy().contains(StageName.TRAIN)) {
      volumes.add(Workspace.readOnly(up.out(StageName.TRAIN)).orElseThrow());
    }
    volumes.add(HuggingFace.cacheMount());
    return volumes;
  }

  private static List<StageName> consumes(ModelRef model, String adapter) {
    return adapter != null ? List.of(StageName.TRAIN) : model.producedBy();
  }

  private static Resources gpuResources(PipelineSpec spec) {
    return new Resources(spec.cluster().gpuCount(), spec.cluster().gpuResource(), "8", "32Gi");
  }

  private static String json(Map<String, Object> options) {
    try {
      // JSON is YAML: trtllm-serve's yaml.safe_load reads it as is.
      return OPTIONS_JSON.writeValueAsString(options) + "\n";
    } catch (JsonProcessingException ex) {
      throw new IllegalArgumentException("serving.extraOptions: " + ex.getOriginalMessage(), ex);
    }
  }
}
