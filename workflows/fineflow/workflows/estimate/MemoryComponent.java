package fineflow.workflows.estimate;

/** What a share of the estimated GPU memory holds, in the order the breakdown lists them. */
public enum MemoryComponent {
  FROZEN_WEIGHTS("frozenWeights", "frozen weights"),
  QUANTIZATION_CONSTANTS("quantizationConstants", "4-bit quantization constants"),
  TRAINABLE_WEIGHTS("trainableWeights", "trainable weights"),
  GRADIENTS("gradients", "gradients"),
  OPTIMIZER_STATE("optimizerState", "optimizer state"),
  PAGED_OPTIMIZER_STATE("pagedOptimizerState", "paged optimizer state (CUDA managed memory, outside PyTorch's allocator)"),
  ACTIVATIONS("activations", "activations and logits (peak)"),
  OPTIMIZER_STEP("optimizerStep", "optimizer step temporaries (beyond activations)"),
  RUNTIME_WORKSPACES("runtimeWorkspaces", "cuBLAS workspaces"),
  CUDA_CONTEXT("cudaContext", "CUDA context (outside PyTorch's allocator)");

  private final String key;
  private final String label;

  MemoryComponent(String key, String label) {
    this.key = key;
    this.label = label;
  }

  /** The key in JSON output. */
  public String key() {
    return key;
  }

  /** The row title in text output. */
  public String label() {
    return label;
  }
}
