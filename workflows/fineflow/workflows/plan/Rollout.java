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
  /** The repository's TensorRT-LLM model, the one every MPI rank loads. */
  static final String TRITON_ENGINE_MODEL = "tensorrt_llm";

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

  /**
   * tritonserver itself for one GPU, with {@code --backend-config} raising the tensorrtllm
   * backend's default-max-batch-size (stuck at 4 in auto-completed configs: docs/manual-procedure.md
   * "Pitfalls"); one MPI rank per GPU for tensor/pipeline parallel engines.
   */
  private static StageDraft triton(PipelineSpec spec, Upstream up) {
    EngineSpec e = spec.engine();
    String repo = up.out(StageName.TRITON_REPO);
    int batch = e.maxBatchSize();
    List<String> argv = e.worldSize() == 1
        ? new Argv("tritonserver")
            .optEq("--model-repository", repo)
            .optEq("--backend-config", "tensorrtllm,default-max-batch-size=" + batch)
            .opt("--http-port", ServingEndpoint.HTTP_PORT)
            .opt("--grpc-port", ServingEndpoint.GRPC_PORT)
            .opt("--metrics-port", ServingEndpoint.METRICS_PORT)
            .build()
        : mpiTriton(repo, e.worldSize());
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
        up.has(StageName.LORA_CONVERT) ? e.lora().taskId() : null, batch, gated(spec),
        spec.serving().replicas(), null);
    return new StageDraft(StageName.ROLLOUT, StageKind.DEPLOYMENT, spec.serving().image(),
        new RolloutParams(target, argv), Map.of("HF_HOME", Workspace.HF_HOME, "TLLM_LOG_LEVEL", "INFO"),
        HuggingFace.token(spec), gpuResources(spec), volumes, 1_800, 5 * 60, consumes, List.of(),
        "Serve the engine on Triton (batch " + batch + ", world size " + e.worldSize()
            + (up.has(StageName.LORA_CONVERT) ? ", LoRA task " + e.lora().taskId() : "") + ")",
        Map.of());
  }

  /**
   * The command {@code launch_triton_server.py --world_size=N --model_repo=R} builds (TL
   * triton_backend/scripts/launch_triton_server.py, {@code get_cmd}), run in the foreground:
   * the script itself starts it with {@code Popen} and returns, so the container would exit, and
   * it cannot pass more {@code --backend-config}. One rank per GPU; ranks above 0 load only the
   * tensorrt_llm model and each rank's python models get their own shared-memory prefix. The
   * script adds the port flags twice; once is enough.
   */
  static List<String> mpiTriton(String repo, int worldSize) {
    Argv argv = new Argv("mpirun", "--allow-run-as-root");
    for (int rank = 0; rank < worldSize; rank++) {
      argv.opt("-n", 1).add("tritonserver")
          .optEq("--model-repository", repo)
          .optEq("--grpc-port", ServingEndpoint.GRPC_PORT)
          .optEq("--http-port", ServingEndpoint.HTTP_PORT)
          .optEq("--metrics-port", ServingEndpoint.METRICS_PORT);
      if (rank != 0) {
        argv.optEq("--model-control-mode", "explicit").optEq("--load-model", TRITON_ENGINE_MODEL);
      }
      argv.add("--disable-auto-complete-config")
          .optEq("--backend-config", "python,shm-region-prefix-name=prefix" + rank + "_");
      if (rank < worldSize - 1) {
        argv.add(":");
      }
    }
    return argv.build();
  }

  private static StageDraft trtllmServe(StageName name, PipelineSpec spec, Upstream up,
      String image, boolean candidate) {
    EngineSpec e = spec.engine();
    ModelRef model = ModelRef.served(spec, up);
    Argv argv = new Argv("trtllm-serve", "serve", model.location())
        .opt("--host", "0.0.0.0")
        .opt("--port", ServingEndpoint.HTTP_PORT)
        .opt("--backend", "pytorch")
        .opt("--max_batch_size", e.maxBatchSize())
        .opt("--max_seq_len", e.maxSeqLen())
        .opt("--max_num_tokens", e.maxNumTokens())
        .opt("--kv_cache_free_gpu_memory_fraction", spec.serving().kvCacheFreeGpuMemFraction())
        .opt("--tp_size", e.tpSize());
    if (e.ppSize() > 1) {
      argv.opt("--pp_size", e.ppSize());
    }
    argv.flagIf(spec.model().trustRemoteCode(), "--trust_remote_code");

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
    Map<String, String> files = Map.of();
    if (!options.isEmpty()) {
      argv.opt("--extra_llm_api_options", ServingEndpoint.EXTRA_OPTIONS_PATH);
      files = Map.of(ServingEndpoint.EXTRA_OPTIONS_PATH, json(options));
    }
    RolloutTarget target = new RolloutTarget(ServingBackend.TRTLLM_SERVE, Planner.pipelineName(spec),
        model.location(), adapter != null ? ServingEndpoint.ADAPTER_NAME : null, adapter, null, null,
        candidate && gated(spec), candidate ? spec.serving().replicas() : 1, null);
    return new StageDraft(name, StageKind.DEPLOYMENT, image, new RolloutParams(target, argv.build()),
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
    Argv argv = new Argv("vllm", "serve", model.location())
        .opt("--host", "0.0.0.0")
        .opt("--port", ServingEndpoint.HTTP_PORT);
    if (!model.onWorkspace()) {
      argv.opt("--revision", spec.model().revision());
    }
    argv.opt("--max-num-seqs", e.maxBatchSize())
        .opt("--max-model-len", e.maxSeqLen())
        .opt("--gpu-memory-utilization", spec.serving().kvCacheFreeGpuMemFraction());
    if (e.tpSize() > 1) {
      argv.opt("--tensor-parallel-size", e.tpSize());
    }
    if (e.ppSize() > 1) {
      argv.opt("--pipeline-parallel-size", e.ppSize());
    }
    argv.flagIf(spec.model().trustRemoteCode(), "--trust-remote-code");
    String adapter = candidate ? adapterDir(spec, up) : null;
    if (adapter != null) {
      argv.add("--enable-lora")
          .opt("--lora-modules", ServingEndpoint.ADAPTER_NAME + "=" + adapter)
          .opt("--max-lora-rank", e.lora().maxRank());
    }
    if (candidate && spec.serving().backend() == ServingBackend.VLLM) {
      // extraOptions are extra `vllm serve` flags here: true → bare flag, false → left out.
      new TreeMap<>(spec.serving().extraOptions()).forEach((key, value) -> {
        if (value instanceof Boolean on) {
          argv.flagIf(on, "--" + key);
        } else {
          argv.opt("--" + key, value);
        }
      });
    }
    RolloutTarget target = new RolloutTarget(ServingBackend.VLLM, Planner.pipelineName(spec),
        model.location(), adapter != null ? ServingEndpoint.ADAPTER_NAME : null, null, null, null,
        candidate && gated(spec), candidate ? spec.serving().replicas() : 1, null);
    return new StageDraft(name, StageKind.DEPLOYMENT, image, new RolloutParams(target, argv.build()),
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
