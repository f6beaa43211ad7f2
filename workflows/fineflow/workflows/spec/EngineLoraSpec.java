package fineflow.workflows.spec;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

public record EngineLoraSpec(
    @JsonPropertyDescription("--max_lora_rank; must be >= training.lora.r.")
    Integer maxRank,
    @JsonPropertyDescription("TensorRT-LLM module names (attn_q, …); derived from training.lora.targetModules when omitted, checked against them when given.")
    List<String> targetModules,
    @JsonPropertyDescription("Integer task id of the adapter in the prefetch dir (lora_task_id).")
    Long taskId) {

  public EngineLoraSpec {
    maxRank = maxRank == null ? 8 : maxRank;
    targetModules = targetModules == null ? null : List.copyOf(targetModules);
    taskId = taskId == null ? 0L : taskId;
  }

  public static EngineLoraSpec defaults() {
    return new EngineLoraSpec(null, null, null);
  }
}
