package fineflow.workflows.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fineflow.workflows.spec.ArchitectureSpec;
import org.junit.jupiter.api.Test;

class ModelConfigTest {

  @Test
  void readsLlama2ConfigJson() {
    ModelConfig m = Fixtures.llama2_7b();
    assertThat(m.hiddenSize()).isEqualTo(4096);
    assertThat(m.intermediateSize()).isEqualTo(11008);
    assertThat(m.numHiddenLayers()).isEqualTo(32);
    assertThat(m.numKeyValueHeads()).isEqualTo(32);
    assertThat(m.headDim()).isEqualTo(128);
    assertThat(m.vocabSize()).isEqualTo(32000);
    assertThat(m.tieWordEmbeddings()).isFalse();
  }

  @Test
  void llama2_7bHasItsPublishedParameterCount() {
    assertThat(Fixtures.llama2_7b().totalParams()).isEqualTo(6_738_415_616L);
  }

  @Test
  void groupedQueryAttentionNarrowsKeyAndValue() {
    // TinyLlama-1.1B: 32 query heads, 4 key/value heads; 1,100,048,384 parameters.
    ModelConfig m = Fixtures.tinyLlama1b();
    assertThat(m.keyValueDim()).isEqualTo(256);
    assertThat(m.projections().get(1).outFeatures()).isEqualTo(256);
    assertThat(m.totalParams()).isEqualTo(1_100_048_384L);
  }

  @Test
  void tiedEmbeddingsHaveNoSeparateLmHead() {
    // SmolLM2-135M (configs/demo.yaml): 134,515,008 parameters with the embeddings tied.
    ModelConfig m = ModelConfig.llama(576, 1536, 30, 9, 3, 49152, true);
    assertThat(m.lmHeadParams()).isZero();
    assertThat(m.totalParams()).isEqualTo(134_515_008L);
  }

  @Test
  void explicitHeadDimAndBiasesCount() {
    ModelConfig m = ModelConfig.fromConfigJson("""
        {"model_type": "qwen2", "hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24,
         "num_attention_heads": 14, "num_key_value_heads": 2, "vocab_size": 151936, "tie_word_embeddings": true}
        """);
    // Qwen2.5-0.5B: q/k/v carry biases; 494,032,768 parameters.
    assertThat(m.attentionBias()).isTrue();
    assertThat(m.totalParams()).isEqualTo(494_032_768L);
    assertThat(ModelConfig.fromConfigJson("""
        {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 1, "num_attention_heads": 2,
         "head_dim": 48, "vocab_size": 10}
        """).queryDim()).isEqualTo(96);
  }

  @Test
  void specArchitectureGivesTheSameShape() {
    assertThat(ModelConfig.fromArchitecture(ArchitectureSpec.llama2_7b())).isEqualTo(Fixtures.llama2_7b());
  }

  @Test
  void namesEveryMissingField() {
    assertThatThrownBy(() -> ModelConfig.fromConfigJson("{\"hidden_size\": 4096, \"vocab_size\": \"big\"}"))
        .hasMessage("config.json lacks intermediate_size, num_hidden_layers, num_attention_heads, vocab_size");
    assertThatThrownBy(() -> ModelConfig.fromArchitecture(
        new ArchitectureSpec("llama", 4096, null, 32, null, null, 32000, false)))
        .hasMessage("model.architecture lacks intermediateSize, numAttentionHeads");
  }

  @Test
  void rejectsBadJsonWithItsPosition() {
    assertThatThrownBy(() -> ModelConfig.fromConfigJson("{\n  \"hidden_size\": 4096,\n  oops\n}"))
        .hasMessageStartingWith("config.json is not valid JSON (line 3, column");
    assertThatThrownBy(() -> ModelConfig.fromConfigJson("[1]")).hasMessage("config.json must be a JSON object");
  }

  @Test
  void rejectsInconsistentShapes() {
    assertThatThrownBy(() -> ModelConfig.llama(4096, 11008, 32, 32, 5, 32000, false))
        .hasMessageContaining("num_attention_heads (32) must be a multiple of num_key_value_heads (5)");
    assertThatThrownBy(() -> ModelConfig.llama(4096, 0, 32, 32, 32, 32000, false))
        .hasMessageContaining("intermediate_size must be > 0 (is 0)");
  }

  @Test
  void rejectsMixtureOfExperts() {
    assertThatThrownBy(() -> ModelConfig.fromConfigJson("""
        {"model_type": "gpt_oss", "hidden_size": 2880, "intermediate_size": 2880, "num_hidden_layers": 24,
         "num_attention_heads": 64, "num_key_value_heads": 8, "vocab_size": 201088, "num_local_experts": 32}
        """)).hasMessageContaining("num_local_experts=32: mixture-of-experts models are not supported");
  }
}
