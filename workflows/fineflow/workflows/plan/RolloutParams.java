package fineflow.workflows.plan;

import java.util.List;

/**
 * A model server's parameters (rollout and baseline): what the rollout executor and its smoke
 * test need ({@link RolloutTarget}, typed, never encoded into the container's env) and the
 * server's own settings ({@link ServerCommand}), which render its argv.
 */
public record RolloutParams(RolloutTarget target, ServerCommand server) implements StageParams {

  public RolloutParams {
    if (target == null) {
      throw new IllegalArgumentException("rollout parameters: target is required");
    }
    if (server == null) {
      throw new IllegalArgumentException("rollout parameters: server is required");
    }
  }

  /**
   * The max batch size the server must be seen to serve: Triton's, the engine's, which the smoke
   * test reads back from the served config; null for trtllm-serve and vLLM, whose batch limit is
   * a scheduler setting no endpoint reports.
   */
  public Integer servedMaxBatchSize() {
    return server instanceof TritonServerCommand triton ? triton.maxBatchSize() : null;
  }

  @Override
  public List<String> argv() {
    return server.argv();
  }
}
