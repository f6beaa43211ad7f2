package fineflow.workflows.spec;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

public record LoraSpec(
    @JsonPropertyDescription("Adapter rank (> 0).") Integer r,
    Integer alpha,
    Double dropout,
    @JsonPropertyDescription("Hugging Face module names (q_proj, …, down_proj).")
    List<String> targetModules,
    @JsonPropertyDescription("none, all or lora_only.") String bias) {

  /** training.lora.r when the spec leaves it out; `fineflow estimate --lora-r` defaults to it too. */
  public static final int DEFAULT_R = 4;
  /** training.lora.dropout when the spec leaves it out. */
  public static final double DEFAULT_DROPOUT = 0.1;

  public static final List<String> LLAMA_ALL_LINEAR =
      List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

  public LoraSpec {
    r = r == null ? DEFAULT_R : r;
    alpha = alpha == null ? 2 * r : alpha;
    dropout = dropout == null ? DEFAULT_DROPOUT : dropout;
    targetModules = targetModules == null ? LLAMA_ALL_LINEAR : List.copyOf(targetModules);
    bias = bias == null ? "none" : bias;
  }

  public static LoraSpec defaults() {
    return new LoraSpec(null, null, null, null, null);
  }
}
