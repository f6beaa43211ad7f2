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

  public static final List<String> LLAMA_ALL_LINEAR =
      List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

  public LoraSpec {
    r = r == null ? 4 : r;
    alpha = alpha == null ? 2 * r : alpha;
    dropout = dropout == null ? 0.1 : dropout;
    targetModules = targetModules == null ? LLAMA_ALL_LINEAR : List.copyOf(targetModules);
    bias = bias == null ? "none" : bias;
  }

  public static LoraSpec defaults() {
    return new LoraSpec(null, null, null, null, null);
  }
}
