package fineflow.workflows.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The optimizers the memory estimate knows the state size of. */
public enum Optimizer {
  @JsonProperty("adamw_torch") ADAMW_TORCH("adamw_torch"),
  @JsonProperty("adamw") ADAMW("adamw_torch"),
  @JsonProperty("paged_adamw_32bit") PAGED_ADAMW_32BIT("paged_adamw_32bit"),
  @JsonProperty("paged_adamw_8bit") PAGED_ADAMW_8BIT("paged_adamw_8bit"),
  @JsonProperty("adamw_8bit") ADAMW_8BIT("adamw_bnb_8bit"),
  @JsonProperty("sgd") SGD("sgd");

  private final String transformersName;

  Optimizer(String transformersName) {
    this.transformersName = transformersName;
  }

  /** The value of transformers' {@code TrainingArguments.optim}. */
  public String transformersName() {
    return transformersName;
  }
}
