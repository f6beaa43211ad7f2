package fineflow.activities.stages.tritonrepo;

import java.util.Arrays;
import java.util.Optional;

/**
 * TensorRT-LLM dtype names ↔ Triton data types. Keeping the one dtype across engine, LoRA weights
 * and Triton tensors is what prevents the {@code std::bad_cast} at start-up
 * (docs/manual-procedure.md "Pitfalls").
 */
public enum TritonDataType {
  FP16("float16", "TYPE_FP16"),
  BF16("bfloat16", "TYPE_BF16"),
  FP32("float32", "TYPE_FP32");

  private final String dtype;
  private final String triton;

  TritonDataType(String dtype, String triton) {
    this.dtype = dtype;
    this.triton = triton;
  }

  public String dtype() {
    return dtype;
  }

  public String triton() {
    return triton;
  }

  public static Optional<TritonDataType> ofDtype(String dtype) {
    return Arrays.stream(values()).filter(t -> t.dtype.equals(dtype)).findFirst();
  }

  public static Optional<TritonDataType> ofTriton(String triton) {
    return Arrays.stream(values()).filter(t -> t.triton.equals(triton)).findFirst();
  }
}
