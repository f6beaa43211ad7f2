package fineflow.workflows.plan;

import java.util.List;

/**
 * A model server's parameters (rollout and baseline): what the rollout executor and its smoke
 * test need ({@link RolloutTarget}, typed, never encoded into the container's env) and the
 * server's command. The servers are NVIDIA's and vLLM's programs, which read nothing but their
 * argv: the planner renders it once from the spec ({@code Rollout}), and it is carried here as
 * rendered.
 *
 * @param command the server's argv (tritonserver, mpirun, trtllm-serve or vllm)
 */
public record RolloutParams(RolloutTarget target, List<String> command) implements StageParams {

  public RolloutParams {
    if (target == null) {
      throw new IllegalArgumentException("rollout parameters: target is required");
    }
    command = List.copyOf(command);
  }

  @Override
  public List<String> argv() {
    return command;
  }
}
