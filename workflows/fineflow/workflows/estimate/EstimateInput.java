package fineflow.workflows.estimate;

import fineflow.workflows.spec.LoraSpec;
import fineflow.workflows.spec.Optimizer;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.Precision;
import fineflow.workflows.spec.QuantizationSpec;
import fineflow.workflows.spec.TrainingMethod;
import fineflow.workflows.spec.TrainingSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything the memory estimate depends on: the model's shape and how fineflow's trainer
 * ({@code train.py}) trains it.
 *
 * @param loraTargets projection names (q_proj ... down_proj); "all-linear" is expanded by the builder
 * @param evalMicroBatch evaluation batch; train.py uses the training micro-batch (the Trainer's
 *     default of 8 can need more memory than training itself)
 * @param precision training precision: the dtype of frozen 16-bit weights and of autocast compute
 * @param adapterPrecision dtype of LoRA weights; PEFT creates them in fp32 (autocast_adapter_dtype)
 * @param unquantizedPrecision QLoRA: dtype of embeddings, lm_head and norms, which stay unquantized;
 *     peft's prepare_model_for_kbit_training casts them to fp32
 * @param flashAttention attention saves no seq x seq matrix (SDPA's flash / memory-efficient
 *     kernels, transformers' default); false for eager attention
 */
public record EstimateInput(
    ModelConfig model,
    TrainingMethod method,
    int loraR,
    List<String> loraTargets,
    double loraDropout,
    int microBatch,
    int seqLen,
    int evalMicroBatch,
    boolean gradientCheckpointing,
    Optimizer optimizer,
    Precision precision,
    boolean doubleQuant,
    Precision adapterPrecision,
    Precision unquantizedPrecision,
    boolean flashAttention) {

  public static final String ALL_LINEAR = "all-linear";

  public EstimateInput {
    List<String> problems = new ArrayList<>();
    if (model == null || method == null || optimizer == null || precision == null
        || adapterPrecision == null || unquantizedPrecision == null || loraTargets == null) {
      throw new IllegalArgumentException("estimate input: model, method, optimizer, precisions and targets are required");
    }
    loraTargets = List.copyOf(loraTargets);
    if (method.usesAdapters()) {
      if (loraR <= 0) {
        problems.add("LoRA r must be > 0 (is " + loraR + ")");
      }
      if (loraTargets.isEmpty()) {
        problems.add("LoRA needs at least one target module");
      }
      Set<String> known = new LinkedHashSet<>();
      model.projections().forEach(p -> known.add(p.name()));
      for (String target : loraTargets) {
        if (!known.contains(target)) {
          problems.add("LoRA target " + target + " is not a projection of a " + model.modelType()
              + " layer (" + String.join(", ", known) + ", or " + ALL_LINEAR + ")");
        }
      }
      if (loraDropout < 0 || loraDropout >= 1) {
        problems.add("LoRA dropout must be in [0, 1) (is " + loraDropout + ")");
      }
    }
    if (microBatch <= 0) {
      problems.add("micro-batch must be > 0 (is " + microBatch + ")");
    }
    if (seqLen <= 0) {
      problems.add("sequence length must be > 0 (is " + seqLen + ")");
    }
    if (evalMicroBatch <= 0) {
      problems.add("eval micro-batch must be > 0 (is " + evalMicroBatch + ")");
    }
    if (method == TrainingMethod.QLORA && precision == Precision.FP32) {
      problems.add("qlora computes in 16 bits: precision must be bf16 or fp16");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  /**
   * The training of a spec, as {@code train.py} will run it.
   *
   * @throws IllegalArgumentException when the spec does not fine-tune or lacks model.architecture
   */
  public static EstimateInput fromSpec(PipelineSpec spec) {
    TrainingSpec t = spec.training();
    if (!t.enabled()) {
      throw new IllegalArgumentException("training is disabled: there is nothing to estimate");
    }
    if (spec.model() == null || spec.model().architecture() == null) {
      throw new IllegalArgumentException("model.architecture is required for the memory estimate "
          + "(the fields of the model's config.json; or use --model-config)");
    }
    LoraSpec lora = t.lora();
    QuantizationSpec q = t.quantization() != null ? t.quantization() : new QuantizationSpec(null, null, null, null);
    return builder(ModelConfig.fromArchitecture(spec.model().architecture()))
        .method(t.method())
        .loraR(lora.r())
        .loraTargets(lora.targetModules())
        .loraDropout(lora.dropout())
        .microBatch(t.microBatchSize())
        .seqLen(t.maxSeqLen())
        .gradientCheckpointing(t.gradientCheckpointing())
        .optimizer(t.optimizer())
        .precision(t.precision())
        .doubleQuant(q.doubleQuant())
        .build();
  }

  public static Builder builder(ModelConfig model) {
    return new Builder(model);
  }

  /** Tokens in one training micro-batch. */
  public long tokens() {
    return (long) microBatch * seqLen;
  }

  /**
   * Defaults: the spec's LoRA rank and dropout (LoraSpec) on the seven projections, batch 1 x 512,
   * bf16, adamw_torch, no checkpointing.
   */
  public static final class Builder {
    private final ModelConfig model;
    private TrainingMethod method = TrainingMethod.LORA;
    private int loraR = LoraSpec.DEFAULT_R;
    private List<String> loraTargets = LoraSpec.LLAMA_ALL_LINEAR;
    private double loraDropout = LoraSpec.DEFAULT_DROPOUT;
    private int microBatch = 1;
    private int seqLen = 512;
    private Integer evalMicroBatch;
    private boolean gradientCheckpointing;
    private Optimizer optimizer = Optimizer.ADAMW_TORCH;
    private Precision precision = Precision.BF16;
    private boolean doubleQuant = true;
    private Precision adapterPrecision = Precision.FP32;
    private Precision unquantizedPrecision = Precision.FP32;
    private boolean flashAttention = true;

    private Builder(ModelConfig model) {
      this.model = model;
    }

    public Builder method(TrainingMethod value) {
      method = value;
      return this;
    }

    public Builder loraR(int value) {
      loraR = value;
      return this;
    }

    /** Projection names, or the single name "all-linear" for all seven. */
    public Builder loraTargets(List<String> value) {
      loraTargets = value.equals(List.of(ALL_LINEAR))
          ? model.projections().stream().map(ModelConfig.Projection::name).toList()
          : value;
      return this;
    }

    public Builder loraDropout(double value) {
      loraDropout = value;
      return this;
    }

    public Builder microBatch(int value) {
      microBatch = value;
      return this;
    }

    public Builder seqLen(int value) {
      seqLen = value;
      return this;
    }

    /** Defaults to the training micro-batch, as train.py sets it. */
    public Builder evalMicroBatch(int value) {
      evalMicroBatch = value;
      return this;
    }

    public Builder gradientCheckpointing(boolean value) {
      gradientCheckpointing = value;
      return this;
    }

    public Builder optimizer(Optimizer value) {
      optimizer = value;
      return this;
    }

    public Builder precision(Precision value) {
      precision = value;
      return this;
    }

    public Builder doubleQuant(boolean value) {
      doubleQuant = value;
      return this;
    }

    public Builder adapterPrecision(Precision value) {
      adapterPrecision = value;
      return this;
    }

    public Builder unquantizedPrecision(Precision value) {
      unquantizedPrecision = value;
      return this;
    }

    public Builder flashAttention(boolean value) {
      flashAttention = value;
      return this;
    }

    public EstimateInput build() {
      return new EstimateInput(model, method, loraR, loraTargets, loraDropout, microBatch, seqLen,
          evalMicroBatch == null ? microBatch : evalMicroBatch, gradientCheckpointing, optimizer,
          precision, doubleQuant, adapterPrecision, unquantizedPrecision, flashAttention);
    }
  }
}
