package fineflow.workflows.estimate;

import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Estimated GPU memory of one fine-tuning run, by component.
 *
 * @param totalParams base model plus adapters (what PEFT reports as "all params")
 * @param trainableParams adapters for LoRA/QLoRA, everything for full fine-tuning
 * @param breakdown bytes by component, in {@link MemoryComponent} order
 */
public record MemoryEstimate(long totalParams, long trainableParams, Map<MemoryComponent, Long> breakdown) {

  public MemoryEstimate {
    breakdown = Collections.unmodifiableMap(new LinkedHashMap<>(breakdown));
  }

  /** Peak device memory, the CUDA context included: what nvidia-smi would show at the peak. */
  public long totalBytes() {
    return breakdown.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Same as {@link #totalBytes()}; the name used in JSON output. */
  public long estimatedBytes() {
    return totalBytes();
  }

  /**
   * Peak of PyTorch's allocator (torch.cuda.max_memory_allocated): the total less what lives
   * outside it, the CUDA context and bitsandbytes' paged optimizer state.
   */
  public long allocatedBytes() {
    return totalBytes() - bytes(MemoryComponent.CUDA_CONTEXT) - bytes(MemoryComponent.PAGED_OPTIMIZER_STATE);
  }

  public long bytes(MemoryComponent component) {
    return breakdown.getOrDefault(component, 0L);
  }

  public boolean fits(long gpuBytes) {
    return totalBytes() <= gpuBytes;
  }

  /** Trainable share of all parameters, e.g. 0.001481 for Llama-2-7B LoRA r=4. */
  public double trainableFraction() {
    return totalParams == 0 ? 0 : (double) trainableParams / totalParams;
  }

  /** The components holding the most memory, largest first. */
  public List<MemoryComponent> largest(int count) {
    return breakdown.entrySet().stream()
        .filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<MemoryComponent, Long>comparingByValue(Comparator.reverseOrder()))
        .limit(count)
        .map(Map.Entry::getKey)
        .toList();
  }
}
