package fineflow.workflows.estimate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.workflows.format.Json;
import fineflow.workflows.spec.ArchitectureSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The shape of a dense Llama-style decoder (Llama, Mistral, Qwen2, SmolLM, ...): the fields of a
 * Hugging Face {@code config.json} that decide parameter counts and activation sizes.
 *
 * @param headDim config.json {@code head_dim}; hidden_size / num_attention_heads when absent
 * @param attentionBias q/k/v/o carry biases (config.json {@code attention_bias}, Qwen2 always)
 * @param mlpBias gate/up/down carry biases (config.json {@code mlp_bias})
 */
public record ModelConfig(
    String modelType,
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int numKeyValueHeads,
    int headDim,
    int vocabSize,
    boolean tieWordEmbeddings,
    boolean attentionBias,
    boolean mlpBias) {

  private static final ObjectMapper JSON = Json.mapper();

  public ModelConfig {
    List<String> problems = new ArrayList<>();
    positive(problems, "hidden_size", hiddenSize);
    positive(problems, "intermediate_size", intermediateSize);
    positive(problems, "num_hidden_layers", numHiddenLayers);
    positive(problems, "num_attention_heads", numAttentionHeads);
    positive(problems, "num_key_value_heads", numKeyValueHeads);
    positive(problems, "head_dim", headDim);
    positive(problems, "vocab_size", vocabSize);
    if (numKeyValueHeads > 0 && numAttentionHeads % numKeyValueHeads != 0) {
      problems.add("num_attention_heads (" + numAttentionHeads
          + ") must be a multiple of num_key_value_heads (" + numKeyValueHeads + ")");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("model config: " + String.join("; ", problems));
    }
  }

  /** A Llama-style config without biases and with head_dim = hidden / heads. */
  public static ModelConfig llama(int hiddenSize, int intermediateSize, int layers, int heads,
      int kvHeads, int vocabSize, boolean tieWordEmbeddings) {
    return new ModelConfig("llama", hiddenSize, intermediateSize, layers, heads, kvHeads,
        heads > 0 ? hiddenSize / heads : 0, vocabSize, tieWordEmbeddings, false, false);
  }

  /**
   * Reads a Hugging Face {@code config.json} (its text; the caller reads the file).
   *
   * @throws IllegalArgumentException naming every missing or invalid field, or a mixture-of-experts
   *     model, whose expert weights this dense formula would miscount
   */
  public static ModelConfig fromConfigJson(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("config.json is not valid JSON (line "
          + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + "): "
          + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("config.json must be a JSON object");
    }
    for (String moe : List.of("num_local_experts", "num_experts", "n_routed_experts")) {
      if (root.path(moe).asInt(0) > 1) {
        throw new IllegalArgumentException("config.json has " + moe + "=" + root.get(moe).asInt()
            + ": mixture-of-experts models are not supported by the estimator (dense decoders only)");
      }
    }
    List<String> missing = new ArrayList<>();
    int hidden = required(root, "hidden_size", missing);
    int intermediate = required(root, "intermediate_size", missing);
    int layers = required(root, "num_hidden_layers", missing);
    int heads = required(root, "num_attention_heads", missing);
    int vocab = required(root, "vocab_size", missing);
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("config.json lacks " + String.join(", ", missing));
    }
    String type = root.path("model_type").asText("llama");
    int kvHeads = root.path("num_key_value_heads").isNumber() ? root.get("num_key_value_heads").asInt() : heads;
    int headDim = root.path("head_dim").isNumber() ? root.get("head_dim").asInt() : hidden / heads;
    return new ModelConfig(type, hidden, intermediate, layers, heads, kvHeads, headDim, vocab,
        root.path("tie_word_embeddings").asBoolean(false),
        root.path("attention_bias").asBoolean("qwen2".equals(type)),
        root.path("mlp_bias").asBoolean(false));
  }

  /**
   * The spec's {@code model.architecture}.
   *
   * @throws IllegalArgumentException naming the fields the estimate needs and the spec lacks
   */
  public static ModelConfig fromArchitecture(ArchitectureSpec a) {
    List<String> missing = new ArrayList<>();
    if (a.hiddenSize() == null) {
      missing.add("hiddenSize");
    }
    if (a.intermediateSize() == null) {
      missing.add("intermediateSize");
    }
    if (a.numHiddenLayers() == null) {
      missing.add("numHiddenLayers");
    }
    if (a.numAttentionHeads() == null) {
      missing.add("numAttentionHeads");
    }
    if (a.vocabSize() == null) {
      missing.add("vocabSize");
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("model.architecture lacks " + String.join(", ", missing));
    }
    return new ModelConfig(a.modelType(), a.hiddenSize(), a.intermediateSize(),
        a.numHiddenLayers(), a.numAttentionHeads(), a.numKeyValueHeads(),
        a.numAttentionHeads() > 0 ? a.hiddenSize() / a.numAttentionHeads() : 0, a.vocabSize(),
        a.tieWordEmbeddings(), "qwen2".equals(a.modelType()), false);
  }

  /** Width of the query projection's output (and the attention output). */
  public long queryDim() {
    return (long) numAttentionHeads * headDim;
  }

  /** Width of the key and value projections' outputs (smaller than queryDim under GQA). */
  public long keyValueDim() {
    return (long) numKeyValueHeads * headDim;
  }

  /** The seven linear layers of one decoder layer, with their shapes. */
  public List<Projection> projections() {
    long h = hiddenSize;
    long i = intermediateSize;
    return List.of(
        new Projection("q_proj", h, queryDim(), attentionBias),
        new Projection("k_proj", h, keyValueDim(), attentionBias),
        new Projection("v_proj", h, keyValueDim(), attentionBias),
        new Projection("o_proj", queryDim(), h, false),
        new Projection("gate_proj", h, i, mlpBias),
        new Projection("up_proj", h, i, mlpBias),
        new Projection("down_proj", i, h, mlpBias));
  }

  /** Weights (and biases) of the seven projections of one layer: the part QLoRA quantizes. */
  public long linearParamsPerLayer() {
    return projections().stream().mapToLong(Projection::params).sum();
  }

  /** The token embedding matrix. */
  public long embeddingParams() {
    return (long) vocabSize * hiddenSize;
  }

  /** The output projection; zero when tied to the embeddings. */
  public long lmHeadParams() {
    return tieWordEmbeddings ? 0 : embeddingParams();
  }

  /** Two RMSNorm weights per layer plus the final norm. */
  public long normParams() {
    return (2L * numHiddenLayers + 1) * hiddenSize;
  }

  /** All base-model parameters. Llama-2-7B: 6,738,415,616. */
  public long totalParams() {
    return embeddingParams() + lmHeadParams() + normParams()
        + numHiddenLayers * linearParamsPerLayer();
  }

  private static int required(JsonNode root, String field, List<String> missing) {
    JsonNode value = root.get(field);
    if (value == null || !value.isIntegralNumber()) {
      missing.add(field);
      return 0;
    }
    return value.asInt();
  }

  private static void positive(List<String> problems, String field, int value) {
    if (value <= 0) {
      problems.add(field + " must be > 0 (is " + value + ")");
    }
  }

  /** One linear layer: {@code out x in} weights, plus a bias of {@code out} when present. */
  public record Projection(String name, long inFeatures, long outFeatures, boolean bias) {
    public long params() {
      return inFeatures * outFeatures + (bias ? outFeatures : 0);
    }
  }
}
