package fineflow.workflows.plan;

/** Container resources; {@code gpus} of {@code gpuResource} are set as limits. */
public record Resources(int gpus, String gpuResource, String cpu, String memory) {
  public static Resources cpuOnly(String cpu, String memory) {
    return new Resources(0, "nvidia.com/gpu", cpu, memory);
  }
}
