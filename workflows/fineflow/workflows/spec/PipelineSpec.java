package fineflow.workflows.spec;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A fine-tune-and-deploy pipeline ({@code apiVersion: fineflow/v1}, {@code kind: Pipeline}).
 * Every section has defaults, so a minimal spec names only the model, the data and the
 * backend. Absent sections mean "use the defaults"; {@code training: null} after defaults
 * is never seen by the planner.
 */
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "model", "dataset", "training", "engine",
    "serving", "benchmark", "cluster"})
public record PipelineSpec(
    @JsonPropertyDescription("Always fineflow/v1.") String apiVersion,
    @JsonPropertyDescription("Always Pipeline.") String kind,
    Metadata metadata,
    ModelSpec model,
    @JsonPropertyDescription("Fine-tuning data; omit together with training to deploy the base model.")
    DatasetSpec dataset,
    @JsonPropertyDescription("Fine-tuning; omit (or enabled: false) to deploy the base model as is.")
    TrainingSpec training,
    @JsonPropertyDescription("TensorRT-LLM checkpoint conversion and engine build (triton backend only).")
    EngineSpec engine,
    ServingSpec serving,
    BenchmarkSpec benchmark,
    ClusterSpec cluster) {

  public static final String API_VERSION = "fineflow/v1";
  public static final String KIND = "Pipeline";

  public PipelineSpec {
    apiVersion = apiVersion == null ? API_VERSION : apiVersion;
    kind = kind == null ? KIND : kind;
    metadata = metadata == null ? new Metadata(null, null, null) : metadata;
    cluster = cluster == null ? ClusterSpec.defaults() : cluster;
    // fineflow's own images follow cluster.imageRegistry and cluster.imageTag.
    training = (training == null ? TrainingSpec.disabled() : training)
        .withDefaultImage(cluster.ownImage(ClusterSpec.TRAINER_IMAGE));
    engine = engine == null ? EngineSpec.defaults() : engine;
    serving = serving == null ? ServingSpec.defaults() : serving;
    benchmark = (benchmark == null ? BenchmarkSpec.defaults() : benchmark)
        .withDefaultImage(cluster.ownImage(ClusterSpec.BENCHMARK_IMAGE));
  }

  /** True when the pipeline fine-tunes (and so has dataset-prep, train and lora-convert). */
  public boolean fineTunes() {
    return training.enabled();
  }
}
