package fineflow.workflows.plan;

import java.util.List;

/**
 * tritonserver over a filled model repository. One GPU: one process, with {@code --backend-config}
 * raising the tensorrtllm backend's default-max-batch-size (stuck at 4 in auto-completed configs:
 * docs/manual-procedure.md "Pitfalls"). Tensor/pipeline parallel engines: one MPI rank per GPU,
 * the command {@code launch_triton_server.py --world_size=N --model_repo=R} builds (TL
 * triton_backend/scripts/launch_triton_server.py, {@code get_cmd}), run in the foreground: the
 * script itself starts it with {@code Popen} and returns, so the container would exit, and it
 * cannot pass more {@code --backend-config}. Ranks above 0 load only the tensorrt_llm model and
 * each rank's python models get their own shared-memory prefix. The script adds the port flags
 * twice; once is enough.
 *
 * @param maxBatchSize the engine's ({@code engine.maxBatchSize}); the filled config.pbtxt says the
 *     same, this is the backend's default for what auto-completes
 */
public record TritonServerCommand(String modelRepository, int maxBatchSize, int worldSize) implements ServerCommand {
  /** The repository's TensorRT-LLM model, the one every MPI rank loads. */
  static final String ENGINE_MODEL = "tensorrt_llm";

  @Override
  public List<String> argv() {
    if (worldSize <= 1) {
      return new Argv("tritonserver")
          .optEq("--model-repository", modelRepository)
          .optEq("--backend-config", "tensorrtllm,default-max-batch-size=" + maxBatchSize)
          .opt("--http-port", ServingEndpoint.HTTP_PORT)
          .opt("--grpc-port", ServingEndpoint.GRPC_PORT)
          .opt("--metrics-port", ServingEndpoint.METRICS_PORT)
          .build();
    }
    Argv argv = new Argv("mpirun", "--allow-run-as-root");
    for (int rank = 0; rank < worldSize; rank++) {
      argv.opt("-n", 1).add("tritonserver")
          .optEq("--model-repository", modelRepository)
          .optEq("--grpc-port", ServingEndpoint.GRPC_PORT)
          .optEq("--http-port", ServingEndpoint.HTTP_PORT)
          .optEq("--metrics-port", ServingEndpoint.METRICS_PORT);
      if (rank != 0) {
        argv.optEq("--model-control-mode", "explicit").optEq("--load-model", ENGINE_MODEL);
      }
      argv.add("--disable-auto-complete-config")
          .optEq("--backend-config", "python,shm-region-prefix-name=prefix" + rank + "_");
      if (rank < worldSize - 1) {
        argv.add(":");
      }
    }
    return argv.build();
  }
}
