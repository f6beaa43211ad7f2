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

  @Override
  public List<String> argv() {
    return server.argv();
  }
}
