package fineflow.workflows.plan;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * train's parameters ({@code train.py}, which reads them by these snake_case names). The values
 * and their defaults are the spec's (TrainingSpec, LoraSpec, QuantizationSpec); nothing here or in
 * train.py repeats a default.
 *
 * @param model the base model: a Hugging Face id (read from HF_HOME) or a workspace path
 * @param revision the commit model-fetch pinned, or the spec's revision for a workspace path
 * @param lora the adapter; null for full fine-tuning
 * @param quantization the frozen base's 4-bit settings; null unless qlora
 * @param optim transformers' optimizer name
 * @param seed dataset.seed, the trainer's seed too
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainParams(String model, String revision, String trainFile, String evalFile,
    String outputDir, String method, Lora lora, Quantization quantization, int epochs,
    int microBatch, int gradAccum, double lr, String scheduler, int warmupSteps, String optim,
    boolean gradientCheckpointing, String precision, int maxSeqLen, int evalSteps, int saveSteps,
    int loggingSteps, long seed, boolean trustRemoteCode) implements StageParams {

  /** peft's LoraConfig values (training.lora). */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Lora(int r, int alpha, double dropout, List<String> targets, String bias) {
    public Lora {
      targets = List.copyOf(targets);
    }
  }

  /** bitsandbytes' 4-bit settings (training.quantization). */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Quantization(int bits, String quantType, boolean doubleQuant,
      String computeDtype) {
  }

  @Override
  public List<String> argv() {
    return new Argv("python3", Train.PROGRAM).opt(OPTION, json()).build();
  }
}
