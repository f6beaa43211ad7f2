package fineflow.workflows.plan;

import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.ServingBackend;
import fineflow.workflows.spec.SpecDigest;

/**
 * The pure function spec → {@link Plan} (docs/architecture.md "The spec and the plan"): which
 * stages run, in order, and for each its image, exact argv, env, resources, volumes, timeout,
 * artifacts and cache key. No I/O, clocks or randomness: the workflow calls it during replay.
 *
 * <h2>Which stages</h2>
 * model-fetch: always, first (every later stage reads the model as it pinned it). dataset-prep, train: when training is enabled. lora-convert: training with adapters and the
 * triton backend (only Triton reads the converted format). checkpoint-convert, engine-build,
 * triton-repo: triton backend only. rollout: always. baseline: benchmark enabled with a
 * {@code benchmark.baseline}. benchmark: when enabled.
 *
 * <h2>Workspace layout</h2>
 * Every pod mounts sub-paths of the workspace PVC at {@code /workspace/<sub-path>}: its inputs
 * read-only, its own output {@code /workspace/cache/<stage>-<key12>} read-write, and
 * {@code /workspace/hf-cache} (HF_HOME) read-write where a model or tokenizer is downloaded. A
 * model or tokenizer starting with "/" is a workspace path; anything else is a Hugging Face id.
 * {@code HF_TOKEN} comes from key {@code HF_TOKEN} of the Secret {@code model.hfTokenSecret}.
 *
 * <h2>Command-line contracts of the stages fineflow implements</h2>
 * <pre>
 * fineflow stage dataset-prep --params DatasetPrepParams
 *   writes DIR/train.jsonl, DIR/validation.jsonl, DIR/manifest.json
 *
 * python3 /opt/fineflow-programs/train.py --params {@link TrainParams}
 *   writes DIR/adapter (lora, qlora) or DIR/model (full), and DIR/checkpoints
 *
 * python3 /opt/fineflow-programs/stage_runner.py --params JSON -- TOOL ARGV...
 *   JSON: LoraConvertParams, CheckpointConvertParams or EngineBuildParams; TOOL ARGV rendered
 *   from the same record
 *
 * fineflow stage triton-repo --skeleton /skeleton/inflight_batcher_llm --engine-dir DIR
 *     --tokenizer-dir ID_OR_PATH [--lora-prefetch-dir DIR] --max-batch-size N
 *     --decoupled true|false --logits-datatype auto|TYPE_FP16|TYPE_FP32|TYPE_BF16 --batching-strategy S
 *     --kv-cache-free-gpu-mem-fraction X --max-queue-delay-microseconds N
 *     --preprocessing-instances N --postprocessing-instances N --bls-instances N --output DIR
 *
 * fineflow stage benchmark --tool genai-perf|vllm-bench --url URL --model M --tokenizer T
 *     --concurrency 1,4,8 --input-tokens N --output-tokens N --requests 32,40,80
 *     --streaming true|false --endpoint-type kserve|chat
 *     [--baseline-url URL --baseline-model M] --output DIR
 *   --requests holds one count per concurrency level; --url is HOST:8001 (Triton gRPC, no
 *   scheme) for kserve and http://HOST:8000 otherwise; the baseline is always OpenAI-style.
 * </pre>
 * Numbers are plain decimals ("0.00005", never "5.0E-5"); booleans are {@code true}/{@code false}.
 */
public final class Planner {
  /** The pipeline name used when the spec's metadata has none. */
  public static final String DEFAULT_PIPELINE = "fineflow";

  private Planner() {
  }

  /**
   * @throws IllegalArgumentException for a spec the planner cannot turn into stages (a dataset
   *     path outside the workspace, a triton baseline); {@code SpecValidator} reports these too
   */
  public static Plan plan(PipelineSpec spec) {
    String pipeline = pipelineName(spec);
    Upstream up = new Upstream();
    boolean triton = spec.serving().backend() == ServingBackend.TRITON;
    add(up, ModelFetch.draft(spec));
    if (spec.fineTunes()) {
      add(up, DatasetPrep.draft(spec));
      add(up, Train.draft(spec, up));
      if (triton && EngineBuild.withLora(spec)) {
        add(up, LoraConvert.draft(spec, up));
      }
    }
    if (triton) {
      add(up, CheckpointConvert.draft(spec, up));
      add(up, EngineBuild.draft(spec, up));
      add(up, TritonRepo.draft(spec, up));
    }
    add(up, Rollout.candidate(spec, up));
    if (spec.benchmark().enabled()) {
      if (spec.benchmark().baseline() != null) {
        add(up, Rollout.baseline(spec, up));
      }
      add(up, Benchmark.draft(spec, up, pipeline));
    }
    return new Plan(pipeline, SpecDigest.of(spec), up.all().stream()
        .map(s -> withTimeout(s, spec.cluster().stageTimeoutSeconds().get(s.name().id()))).toList());
  }

  /** cluster.stageTimeoutSeconds overrides a stage's planned timeout; keys never include it. */
  private static Stage withTimeout(Stage s, Integer seconds) {
    return seconds == null ? s : s.withTimeout(seconds);
  }

  public static String pipelineName(PipelineSpec spec) {
    String name = spec.metadata().name();
    return name == null || name.isBlank() ? DEFAULT_PIPELINE : name;
  }

  private static void add(Upstream up, StageDraft draft) {
    up.add(draft.resolve(up.keys(draft.consumes())));
  }
}
