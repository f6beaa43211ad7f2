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

  /** triton_max_batch_size: the spec's, else the engine's (the validator keeps them equal). */
  static int maxBatchSize(PipelineSpec spec) {
    Integer triton = spec.serving().tritonMaxBatchSize();
    return triton != null ? triton : spec.engine().maxBatchSize();
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
    Argv argv = new Argv("fineflow", "stage", "triton-repo")
        .opt("--skeleton", SKELETON)
        .opt("--engine-dir", engine)
        .opt("--tokenizer-dir", ModelRef.tokenizer(spec).location());
    List<VolumeMount> volumes = new ArrayList<>();
    volumes.add(Workspace.readOnly(engine).orElseThrow());
    if (ModelRef.tokenizer(spec).inHfCache()) {
      volumes.add(Workspace.readOnly(Workspace.HF_HOME).orElseThrow());
    }
    List<StageName> consumes = new ArrayList<>(List.of(StageName.ENGINE_BUILD));
    if (up.has(StageName.LORA_CONVERT)) {
      String prefetch = up.out(StageName.LORA_CONVERT);
      argv.opt("--lora-prefetch-dir", prefetch);
      volumes.add(Workspace.readOnly(prefetch).orElseThrow());
      consumes.add(0, StageName.LORA_CONVERT);
    }
    argv.opt("--max-batch-size", maxBatchSize(spec))
        .opt("--decoupled", s.decoupled())
        .opt("--logits-datatype", logitsDatatype(spec))
        .opt("--batching-strategy", s.batchingStrategy())
        .opt("--kv-cache-free-gpu-mem-fraction", s.kvCacheFreeGpuMemFraction())
        .opt("--max-queue-delay-microseconds", s.maxQueueDelayMicroseconds())
        .opt("--preprocessing-instances", s.instanceCounts().preprocessing())
        .opt("--postprocessing-instances", s.instanceCounts().postprocessing())
        .opt("--bls-instances", s.instanceCounts().bls())
        .opt("--output", OUT);
    volumes.add(StageDraft.outputMount());
    return new StageDraft(StageName.TRITON_REPO, StageKind.JOB, FineflowImage.of(spec),
        argv.build(), Map.of(), List.of(), Resources.cpuOnly("1", "1Gi"), volumes,
        900, 30, consumes,
        List.of(new ArtifactRef("model-repository", OUT)),
        "Fill a fresh Triton model repository (batch " + maxBatchSize(spec) + ", "
            + (s.decoupled() ? "decoupled" : "not decoupled") + ", " + logitsDatatype(spec) + ")",
        Map.of(), List.of(new ImageCopy("skeleton", s.image(), IMAGE_SKELETON, SKELETON)));
  }
}
