package fineflow.workflows.spec;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * Fine-tuning settings; the defaults are the manual run's (docs/manual-procedure.md "Training
 * settings").
 */
public record TrainingSpec(
    @JsonPropertyDescription("false: no fine-tuning, deploy the base model.")
    Boolean enabled,
    @JsonPropertyDescription("full, lora or qlora.")
    TrainingMethod method,
    LoraSpec lora,
    @JsonPropertyDescription("Required for qlora: 4-bit NF4 settings.")
    QuantizationSpec quantization,
    Integer epochs,
    @JsonPropertyDescription("Per-device micro-batch size.")
    Integer microBatchSize,
    Integer gradientAccumulationSteps,
    Double learningRate,
    @JsonPropertyDescription("transformers lr_scheduler_type, e.g. cosine, linear, constant.")
    String scheduler,
    Integer warmupSteps,
    @JsonPropertyDescription("adamw_torch, paged_adamw_32bit, paged_adamw_8bit, adamw_8bit or sgd.")
    Optimizer optimizer,
    Boolean gradientCheckpointing,
    @JsonPropertyDescription("Training precision: bf16, fp16 or fp32.")
    Precision precision,
    @JsonPropertyDescription("Longest tokenized training example; longer ones are rejected by dataset-prep.")
    Integer maxSeqLen,
    Integer evalSteps,
    Integer saveSteps,
    Integer loggingSteps,
    @JsonPropertyDescription("Trainer container image; fineflow's trainer image"
        + " (<cluster.imageRegistry>/trainer:<cluster.imageTag>) when omitted.")
    String image) {

  public TrainingSpec {
    enabled = enabled == null || enabled;
    method = method == null ? TrainingMethod.LORA : method;
    lora = lora == null ? LoraSpec.defaults() : lora;
    epochs = epochs == null ? 3 : epochs;
    microBatchSize = microBatchSize == null ? 1 : microBatchSize;
    gradientAccumulationSteps = gradientAccumulationSteps == null ? 32 : gradientAccumulationSteps;
    learningRate = learningRate == null ? 5e-5 : learningRate;
    scheduler = scheduler == null ? "cosine" : scheduler;
    warmupSteps = warmupSteps == null ? 5 : warmupSteps;
    optimizer = optimizer == null ? Optimizer.PAGED_ADAMW_8BIT : optimizer;
    gradientCheckpointing = gradientCheckpointing == null || gradientCheckpointing;
    precision = precision == null ? Precision.BF16 : precision;
    maxSeqLen = maxSeqLen == null ? 512 : maxSeqLen;
    evalSteps = evalSteps == null ? 25 : evalSteps;
    saveSteps = saveSteps == null ? 25 : saveSteps;
    loggingSteps = loggingSteps == null ? 1 : loggingSteps;
  }

  /** The same settings with {@code image} set where it was omitted. */
  public TrainingSpec withDefaultImage(String defaultImage) {
    return image != null ? this : new TrainingSpec(enabled, method, lora, quantization, epochs,
        microBatchSize, gradientAccumulationSteps, learningRate, scheduler, warmupSteps, optimizer,
        gradientCheckpointing, precision, maxSeqLen, evalSteps, saveSteps, loggingSteps,
        defaultImage);
  }

  public static TrainingSpec disabled() {
    return new TrainingSpec(false, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null);
  }
}
