package fineflow.workflows.spec;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** bitsandbytes settings of the frozen base model for QLoRA. */
public record QuantizationSpec(
    @JsonPropertyDescription("4 for QLoRA.") Integer bits,
    @JsonPropertyDescription("nf4 or fp4.") String quantType,
    Boolean doubleQuant,
    @JsonPropertyDescription("bfloat16 or float16.") String computeDtype) {

  public QuantizationSpec {
    bits = bits == null ? 4 : bits;
    quantType = quantType == null ? "nf4" : quantType;
    doubleQuant = doubleQuant == null || doubleQuant;
    computeDtype = computeDtype == null ? "bfloat16" : computeDtype;
  }
}
