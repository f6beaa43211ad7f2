package fineflow.workflows.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class SpecSchemaTest {

  @Test
  void describesEverySectionStrictly() throws Exception {
    JsonNode schema = SpecJson.mapper().readTree(SpecSchema.generate());
    assertThat(schema.path("$schema").asText()).contains("2020-12");
    JsonNode properties = schema.path("properties");
    assertThat(properties.fieldNames()).toIterable().containsExactly("apiVersion", "kind", "metadata",
        "model", "dataset", "training", "engine", "serving", "benchmark", "cluster");
    assertThat(schema.path("additionalProperties").asBoolean(true)).isFalse();
    assertThat(schema.path("required")).extracting(JsonNode::asText).contains("metadata", "model");
    assertThat(properties.path("apiVersion").path("const").asText()).isEqualTo("fineflow/v1");
  }

  @Test
  void enumsUseTheirYamlNamesAndFieldsKeepDescriptionsAndDefaults() {
    String schema = SpecSchema.generate();
    assertThat(schema).contains("\"trtllm-serve\"", "\"paged_adamw_8bit\"", "\"qlora\"", "\"genai-perf\"")
        .doesNotContain("TRTLLM_SERVE")
        .contains("--max_lora_rank; must be >= training.lora.r.")
        .contains("\"maxBatchSize\"");
    assertThat(schema.replaceAll("\\s", "")).contains("\"default\":16").contains("\"additionalProperties\":false");
  }
}
