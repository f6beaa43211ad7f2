package fineflow.workflows.spec;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * The fields of a Hugging Face {@code config.json} that decide parameter counts. Names follow
 * config.json (snake_case) in a camelCase spec, e.g. {@code hiddenSize} for hidden_size.
 */
public record ArchitectureSpec(
    @JsonPropertyDescription("config.json model_type, e.g. llama.") String modelType,
    Integer hiddenSize,
    Integer intermediateSize,
    Integer numHiddenLayers,
    Integer numAttentionHeads,
    @JsonPropertyDescription("Defaults to numAttentionHeads (no grouped-query attention).")
    Integer numKeyValueHeads,
    Integer vocabSize,
    Boolean tieWordEmbeddings) {

  public ArchitectureSpec {
    numKeyValueHeads = numKeyValueHeads == null ? numAttentionHeads : numKeyValueHeads;
    tieWordEmbeddings = tieWordEmbeddings != null && tieWordEmbeddings;
    modelType = modelType == null ? "llama" : modelType;
  }

  /** Llama-2-7B (and ELYZA-japanese-Llama-2-7b, which keeps its shape). */
  public static ArchitectureSpec llama2_7b() {
    return new ArchitectureSpec("llama", 4096, 11008, 32, 32, 32, 32000, false);
  }
}
