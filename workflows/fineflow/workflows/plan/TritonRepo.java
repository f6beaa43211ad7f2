package fineflow.workflows.plan;

import static fineflow.workflows.plan.CacheKey.OUT;

import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.ServingSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * triton-repo: a fresh copy of the {@code inflight_batcher_llm} skeleton with every placeholder
 * filled ({@code fineflow stage triton-repo}); the Job's init container copies the skeleton
 * out of the serving Triton image ({@value #IMAGE_SKELETON}, docs/upstream-tools.md "Triton model
 * repository") to {@value #SKELETON}, so the repository always matches the server that loads it.
 */
final class TritonRepo {
  static final String SKELETON = "/skeleton/inflight_batcher_llm";
  /** Where the Triton TensorRT-LLM image keeps the skeleton (TL triton_backend/all_models). */
  static final String IMAGE_SKELETON = "/app/all_models/inflight_batcher_llm";

  private TritonRepo() {
  }

  /**
   * The Triton logits type. Unless the spec names one, triton-repo reads it from the built
   * engine ({@code auto}): TensorRT-LLM keeps logits in float32 by default even for a float16
   * engine, and a config that disagrees with the engine is the {@code std::bad_cast} of
   * docs/manual-procedure.md "Pitfalls".
   */
  static String logitsDatatype(PipelineSpec spec) {
    String given = spec.serving().logitsDatatype();
    return given != null ? given : "auto";
  }

  static StageDraft draft(PipelineSpec spec, Upstream up) {
    ServingSpec s = spec.serving();
    String engine = up.out(StageName.ENGINE_BUILD);
    List<VolumeMount> volumes = new ArrayList<>();
    volumes.add(Workspace.readOnly(engine).orElseThrow());
    if (ModelRef.tokenizer(spec).inHfCache()) {
      volumes.add(Workspace.readOnly(Workspace.HF_HOME).orElseThrow());
    }
    List<StageName> consumes = new ArrayList<>(List.of(StageName.ENGINE_BUILD));
    String prefetch = null;
    if (up.has(StageName.LORA_CONVERT)) {
      prefetch = up.out(StageName.LORA_CONVERT);
      volumes.add(Workspace.readOnly(prefetch).orElseThrow());
      consumes.add(0, StageName.LORA_CONVERT);
    }
    TritonRepoParams params = new TritonRepoParams(SKELETON, engine,
        ModelRef.tokenizer(spec).location(), prefetch, spec.engine().maxBatchSize(), s.decoupled(),
        logitsDatatype(spec), s.batchingStrategy(), s.kvCacheFreeGpuMemFraction(),
        s.maxQueueDelayMicroseconds(), s.instanceCounts().preprocessing(),
        s.instanceCounts().postprocessing(), s.instanceCounts().bls(), OUT);
    volumes.add(StageDraft.outputMount());
    return new StageDraft(StageName.TRITON_REPO, StageKind.JOB, FineflowImage.of(spec),
        params, Map.of(), List.of(), Resources.cpuOnly("1", "1Gi"), volumes,
        900, 30, consumes,
        List.of(new ArtifactRef("model-repository", OUT)),
        "Fill a fresh Triton model repository (batch " + params.maxBatchSize() + ", "
            + (s.decoupled() ? "decoupled" : "not decoupled") + ", " + logitsDatatype(spec) + ")",
        Map.of(), List.of(new ImageCopy("skeleton", s.image(), IMAGE_SKELETON, SKELETON)));
  }
}
