package fineflow.workflows.plan;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * A model server's own settings, typed, from which its argv is rendered ({@link #argv()}, the one
 * render). The servers are NVIDIA's and vLLM's programs, which read nothing but their argv (and
 * trtllm-serve its options file), so the record stops at the container's command; the planner makes
 * it from the spec ({@code Rollout}), and it travels in the stage's {@link RolloutParams}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "program")
@JsonSubTypes({
    @JsonSubTypes.Type(value = TritonServerCommand.class, name = "tritonserver"),
    @JsonSubTypes.Type(value = TrtllmServeCommand.class, name = "trtllm-serve"),
    @JsonSubTypes.Type(value = VllmServeCommand.class, name = "vllm"),
})
public sealed interface ServerCommand permits TritonServerCommand, TrtllmServeCommand, VllmServeCommand {
  List<String> argv();
}
