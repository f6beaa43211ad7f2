package fineflow.workflows.estimate;

import fineflow.workflows.spec.Optimizer;
import fineflow.workflows.spec.Precision;
import fineflow.workflows.spec.TrainingMethod;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Peak GPU memory of a fine-tuning run with fineflow's trainer ({@code train.py}: transformers
 * Trainer + peft, one GPU), from the model's shape. No lookup table: every term follows from
 * what the libraries allocate, with its source in a comment. docs/estimator.md compares the
 * result with the manual run's figures and docs/gpu-checks.md with measurements.
 *
 * <p>Model states (weights, gradients, optimizer) follow Rajbhandari et al. 2020, "ZeRO" §3
 * (bytes per parameter by precision and optimizer). Activations adapt Korthikanti et al. 2022,
 * "Reducing Activation Recomputation in Large Transformer Models" §4 (per-layer
 * {@code sbh(34 + 5as/h)}), to a Llama layer as transformers runs it: RMSNorm instead of
 * LayerNorm, SwiGLU, grouped-query attention, no dropout in the base model, and SDPA
 * flash/memory-efficient attention, which keeps no seq x seq matrix. QLoRA storage follows
 * Dettmers et al. 2023, "QLoRA" §3.
 */
public final class MemoryEstimator {
  private static final long MIB = 1L << 20;

  /**
   * CUDA context and the kernels' module memory, outside PyTorch's allocator. Measured as device
   * memory in use minus torch.cuda.memory_reserved: 767 MiB on an H200 with PyTorch 2.11 / CUDA 13
   * (docs/gpu-checks.md), in every run whatever the model size; typically 0.3-0.8 GiB elsewhere.
   */
  static final long CUDA_CONTEXT_BYTES = 768 * MIB;

  /**
   * cuBLAS workspaces, which PyTorch allocates through its caching allocator (so they count in
   * max_memory_allocated): CUBLAS_WORKSPACE_CONFIG defaults to :4096:8 = 32 MiB per handle on
   * Hopper, and training uses two handles, the forward thread's and autograd's backward thread's.
   */
  static final long RUNTIME_WORKSPACE_BYTES = 2 * 32 * MIB;

  /**
   * Bytes per logit at the start of backward: transformers' ForCausalLMLoss upcasts the logits to
   * fp32 (4) and cross-entropy keeps its fp32 log-softmax (4) while autograd materialises the fp32
   * gradient (4); the 16-bit logits are freed by then.
   */
  static final int TRAIN_BYTES_PER_LOGIT = 12;

  /** Evaluation (no grad): 16-bit logits (2), their fp32 copy (4) and the log-softmax (4). */
  static final int EVAL_BYTES_PER_LOGIT = 10;

  /** RMSNorm (transformers' LlamaRMSNorm) upcasts its input to fp32 and keeps it for backward. */
  private static final int NORM_SAVED_BYTES = 4;

  private MemoryEstimator() {
  }

  public static MemoryEstimate estimate(EstimateInput in) {
    ModelConfig m = in.model();
    long adapters = in.method().usesAdapters() ? loraParams(m, in.loraR(), in.loraTargets()) : 0;
    long trainable = in.method().usesAdapters() ? adapters : m.totalParams();
    int trainableBytes = trainableBytes(in);

    Map<MemoryComponent, Long> b = new EnumMap<>(MemoryComponent.class);
    b.put(MemoryComponent.FROZEN_WEIGHTS, frozenWeightBytes(in));
    b.put(MemoryComponent.QUANTIZATION_CONSTANTS, quantizationConstantBytes(in));
    b.put(MemoryComponent.TRAINABLE_WEIGHTS, trainable * trainableBytes);
    // Gradients have the dtype of their parameters (fp32 adapters, fp32 master weights).
    b.put(MemoryComponent.GRADIENTS, trainable * trainableBytes);
    OptimizerState state = optimizerState(in, trainableTensorSizes(in), trainableBytes);
    b.put(MemoryComponent.OPTIMIZER_STATE, state.onAllocator());
    b.put(MemoryComponent.PAGED_OPTIMIZER_STATE, state.paged());
    long activations = activationBytes(in, trainable, trainableBytes);
    b.put(MemoryComponent.ACTIVATIONS, activations);
    // The step runs after backward has freed the activations, so only its excess adds up.
    b.put(MemoryComponent.OPTIMIZER_STEP, Math.max(0, optimizerStepBytes(in.optimizer(), trainable, trainableBytes) - activations));
    b.put(MemoryComponent.RUNTIME_WORKSPACES, RUNTIME_WORKSPACE_BYTES);
    b.put(MemoryComponent.CUDA_CONTEXT, CUDA_CONTEXT_BYTES);
    return new MemoryEstimate(m.totalParams() + adapters, trainable, b);
  }

  /**
   * LoRA adds A (r x in) and B (out x r) beside each targeted projection of every layer
   * (Hu et al. 2021, "LoRA" §4.1): r * (in + out) parameters per target per layer.
   */
  public static long loraParams(ModelConfig m, int r, List<String> targets) {
    long perLayer = m.projections().stream()
        .filter(p -> targets.contains(p.name()))
        .mapToLong(p -> (long) r * (p.inFeatures() + p.outFeatures()))
        .sum();
    return perLayer * m.numHiddenLayers();
  }

  /**
   * Full fine-tuning keeps fp32 master weights under autocast (train.py loads fp32; the Trainer
   * refuses to unscale fp16 gradients); adapters have the dtype PEFT gives them.
   */
  private static int trainableBytes(EstimateInput in) {
    return in.method() == TrainingMethod.FULL ? 4 : bytes(in.adapterPrecision());
  }

  private static long frozenWeightBytes(EstimateInput in) {
    ModelConfig m = in.model();
    return switch (in.method()) {
      case FULL -> 0;
      case LORA -> m.totalParams() * bytes(in.precision());
      // NF4 packs two 4-bit values per byte; embeddings, lm_head and norms are not quantized
      // (bitsandbytes skips lm_head, replaces only nn.Linear) and prepare_model_for_kbit_training
      // casts every remaining 16-bit parameter to fp32.
      case QLORA -> m.numHiddenLayers() * m.linearParamsPerLayer() / 2
          + (m.embeddingParams() + m.lmHeadParams() + m.normParams()) * bytes(in.unquantizedPrecision());
    };
  }

  /**
   * QLoRA §3: one absmax per block of 64 weights, fp32 (32/64 = 0.5 bits per parameter); with
   * double quantization the absmax values are stored in 8 bits with one fp32 constant per 256 of
   * them (8/64 + 32/(64*256) = 0.127 bits per parameter).
   */
  private static long quantizationConstantBytes(EstimateInput in) {
    if (in.method() != TrainingMethod.QLORA) {
      return 0;
    }
    double bitsPerParam = in.doubleQuant() ? 8.0 / 64 + 32.0 / (64 * 256) : 32.0 / 64;
    ModelConfig m = in.model();
    return Math.round(m.numHiddenLayers() * m.linearParamsPerLayer() * bitsPerParam / 8);
  }

  /**
   * bitsandbytes' optimizers keep the state of a tensor of at least this many elements in paged
   * (CUDA managed) memory, outside PyTorch's allocator; smaller ones get ordinary tensors
   * (bitsandbytes Optimizer8bit.get_state_buffer: {@code A.numel() < 1e5}).
   */
  static final long PAGED_MIN_ELEMENTS = 100_000;

  /** bitsandbytes' 8-bit optimizers keep 32-bit state for tensors smaller than this (min_8bit_size). */
  static final long EIGHT_BIT_MIN_ELEMENTS = 4096;

  /** Optimizer state in PyTorch's allocator and in paged memory. */
  record OptimizerState(long onAllocator, long paged) {
  }

  /**
   * Optimizer state tensor by tensor: whether bitsandbytes pages it and whether an 8-bit
   * optimizer keeps it in 8 bits depend on each tensor's size. Measured: the r=64 adapters'
   * paged_adamw_32bit state did not show in torch.cuda.max_memory_allocated, the r=4 adapters'
   * paged_adamw_8bit state (every tensor under 1e5 elements) did (docs/gpu-checks.md, QLoRA).
   */
  static OptimizerState optimizerState(EstimateInput in, List<Long> tensorSizes, int trainableBytes) {
    Optimizer o = in.optimizer();
    boolean pagedOptimizer = o == Optimizer.PAGED_ADAMW_32BIT || o == Optimizer.PAGED_ADAMW_8BIT;
    boolean eightBit = o == Optimizer.PAGED_ADAMW_8BIT || o == Optimizer.ADAMW_8BIT;
    double onAllocator = 0;
    double paged = 0;
    for (long n : tensorSizes) {
      double bytes = n * (eightBit && n < EIGHT_BIT_MIN_ELEMENTS ? 8 : optimizerStateBytes(o, trainableBytes));
      if (pagedOptimizer && n >= PAGED_MIN_ELEMENTS) {
        paged += bytes;
      } else {
        onAllocator += bytes;
      }
    }
    return new OptimizerState(Math.round(onAllocator), Math.round(paged));
  }

  /**
   * Element counts of the trainable tensors: lora_A (r x in) and lora_B (out x r) per target per
   * layer; for full fine-tuning every weight (embeddings, lm_head unless tied, projections, norms).
   */
  static List<Long> trainableTensorSizes(EstimateInput in) {
    ModelConfig m = in.model();
    List<Long> sizes = new ArrayList<>();
    for (int layer = 0; layer < m.numHiddenLayers(); layer++) {
      for (ModelConfig.Projection p : m.projections()) {
        if (in.method().usesAdapters()) {
          if (in.loraTargets().contains(p.name())) {
            sizes.add((long) in.loraR() * p.inFeatures());
            sizes.add((long) in.loraR() * p.outFeatures());
          }
        } else {
          sizes.add(p.inFeatures() * p.outFeatures());
          if (p.bias()) {
            sizes.add(p.outFeatures());
          }
        }
      }
    }
    if (!in.method().usesAdapters()) {
      sizes.add(m.embeddingParams());
      if (m.lmHeadParams() > 0) {
        sizes.add(m.lmHeadParams());
      }
      long norms = m.normParams();
      for (long left = norms; left > 0; left -= m.hiddenSize()) {
        sizes.add(Math.min(left, m.hiddenSize()));
      }
    }
    return sizes;
  }

  /**
   * State per trainable parameter. torch AdamW keeps two moments in the parameter's dtype;
   * bitsandbytes' 32-bit optimizers keep two fp32 moments, its 8-bit ones two 8-bit moments with
   * one fp32 absmax per block of 256 (Dettmers et al. 2022, "8-bit Optimizers via Block-wise
   * Quantization"). Paged state can be evicted to host memory under pressure; it is counted in
   * the total on the GPU, the upper bound (measured: it was resident in the QLoRA checks).
   * transformers' "sgd" is torch SGD without momentum: no state.
   */
  static double optimizerStateBytes(Optimizer optimizer, int trainableBytes) {
    return switch (optimizer) {
      case ADAMW, ADAMW_TORCH -> 2.0 * trainableBytes;
      case PAGED_ADAMW_32BIT -> 8;
      case PAGED_ADAMW_8BIT, ADAMW_8BIT -> 2 + 2 * 4.0 / 256;
      case SGD -> 0;
    };
  }

  /**
   * Temporaries of optimizer.step(): torch's multi-tensor (foreach) AdamW computes
   * sqrt(exp_avg_sq) for a whole parameter group at once, one moment-sized buffer.
   * bitsandbytes' optimizers update in place, kernel by kernel.
   */
  private static long optimizerStepBytes(Optimizer optimizer, long trainable, int trainableBytes) {
    return optimizer == Optimizer.ADAMW || optimizer == Optimizer.ADAMW_TORCH ? trainable * trainableBytes : 0;
  }

  /**
   * The forward/backward peak beyond model states: saved activations plus the loss's logits, or
   * evaluation's working set when larger. With gradient checkpointing (non-reentrant, one
   * checkpoint per decoder layer) only each layer's input is kept, and backward recomputes one
   * layer at a time (Korthikanti et al. §4.3: "2sbhL" plus one layer's activations).
   */
  private static long activationBytes(EstimateInput in, long trainable, int trainableBytes) {
    ModelConfig m = in.model();
    long tokens = in.tokens();
    long perLayer = savedPerLayer(in, tokens);
    long logits = tokens * m.vocabSize() * TRAIN_BYTES_PER_LOGIT + lmHeadCopy(in);
    long dequantized = dequantizationBuffer(in);
    long training = in.gradientCheckpointing()
        ? m.numHiddenLayers() * residualBytes(in) * tokens * m.hiddenSize()
            + Math.max(perLayer + dequantized, logits)
        : m.numHiddenLayers() * perLayer + logits + dequantized;
    long evalTokens = (long) in.evalMicroBatch() * in.seqLen();
    long evaluation = evalTokens * m.vocabSize() * EVAL_BYTES_PER_LOGIT
        + 3L * mlpBytes(in) * evalTokens * m.intermediateSize() + dequantized;
    return Math.max(training, evaluation) + autocastWeightCache(in, trainable, trainableBytes);
  }

  /**
   * Tensors one decoder layer saves for backward, for {@code tokens} tokens (Korthikanti et al.
   * Table 2, adapted to what a Llama layer saves in PyTorch):
   * <ul>
   *   <li>two RMSNorms: their fp32 input, 4 bytes x hidden each;
   *   <li>attention: q, k, v and the output, kept by SDPA in the compute dtype (k and v narrower
   *       under GQA); eager attention adds the fp32 softmax and its 16-bit copy, 6 x heads x s^2;
   *   <li>SwiGLU: the gate output (SiLU's input), SiLU's output and the up output, 3 x intermediate;
   *   <li>inputs of trainable linears: full fine-tuning keeps the autocast copies of the q/k/v
   *       input, the o input, the gate/up input and the down input; LoRA keeps, per target, the
   *       dropout mask (1 byte) and the dropped-out input that lora_A's weight gradient needs.
   *       Frozen projections keep nothing: their weight gradient is never computed.
   * </ul>
   */
  private static long savedPerLayer(EstimateInput in, long tokens) {
    ModelConfig m = in.model();
    int compute = computeBytes(in);
    long norms = 2L * NORM_SAVED_BYTES * tokens * m.hiddenSize();
    long attention = compute * tokens * (2 * m.queryDim() + 2 * m.keyValueDim());
    if (!in.flashAttention()) {
      attention += 6L * m.numAttentionHeads() * in.seqLen() * (long) in.seqLen() * in.microBatch();
    }
    long mlp = 3L * mlpBytes(in) * tokens * m.intermediateSize();
    long linearInputs;
    if (in.method() == TrainingMethod.FULL) {
      linearInputs = compute * tokens * (2L * m.hiddenSize() + m.queryDim() + m.intermediateSize());
    } else {
      int perElement = (in.loraDropout() > 0 ? 1 : 0) + compute;
      linearInputs = m.projections().stream()
          .filter(p -> in.loraTargets().contains(p.name()))
          .mapToLong(p -> perElement * tokens * p.inFeatures())
          .sum();
    }
    return norms + attention + mlp + linearInputs;
  }

  /**
   * QLoRA's lm_head is fp32 after prepare_model_for_kbit_training; autocast casts it to the
   * compute dtype for the logits matmul and autograd keeps that copy (V x h) until lm_head's
   * backward, to compute the hidden states' gradient. Not cached: it needs no gradient. Measured:
   * the QLoRA runs' peak came at the loss, this copy included (docs/gpu-checks.md, QLoRA).
   */
  private static long lmHeadCopy(EstimateInput in) {
    boolean cast = in.method() == TrainingMethod.QLORA && in.precision() != Precision.FP32
        && in.unquantizedPrecision() == Precision.FP32;
    return cast ? computeBytes(in) * (long) in.model().vocabSize() * in.model().hiddenSize() : 0;
  }

  /**
   * bitsandbytes dequantizes a 4-bit weight to the compute dtype for each matmul, forward and
   * backward; the largest projection's copy is the transient that matters.
   */
  private static long dequantizationBuffer(EstimateInput in) {
    if (in.method() != TrainingMethod.QLORA) {
      return 0;
    }
    long largest = in.model().projections().stream()
        .mapToLong(p -> p.inFeatures() * p.outFeatures()).max().orElse(0);
    return computeBytes(in) * largest;
  }

  /**
   * Under autocast, PyTorch caches the 16-bit copy of every fp32 weight that needs a gradient for
   * the rest of the forward pass (torch.autocast's weight cache).
   */
  private static long autocastWeightCache(EstimateInput in, long trainable, int trainableBytes) {
    return in.precision() != Precision.FP32 && trainableBytes == 4 ? 2 * trainable : 0;
  }

  /** Element size of matmul inputs and outputs: 16-bit under autocast, else fp32. */
  private static int computeBytes(EstimateInput in) {
    return in.precision() == Precision.FP32 ? 4 : 2;
  }

  /**
   * Element size of the residual stream, which carries the embedding's dtype: fp32 master
   * weights for full fine-tuning, the unquantized dtype for QLoRA, the precision for LoRA.
   */
  private static int residualBytes(EstimateInput in) {
    return switch (in.method()) {
      case FULL -> 4;
      case QLORA -> bytes(in.unquantizedPrecision());
      case LORA -> bytes(in.precision());
    };
  }

  /**
   * Element size of the SwiGLU intermediates: bitsandbytes' Linear4bit casts its output back to
   * its input's dtype (fp32 after prepare_model_for_kbit_training), autocast linears give 16 bits.
   */
  private static int mlpBytes(EstimateInput in) {
    return in.method() == TrainingMethod.QLORA ? bytes(in.unquantizedPrecision()) : computeBytes(in);
  }

  private static int bytes(Precision p) {
    return p == Precision.FP32 ? 4 : 2;
  }
}
