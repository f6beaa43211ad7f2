package fineflow.workflows.spec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SpecDigestTest {
  private static final String A = """
      metadata: {name: digest}
      model: {id: org/model}
      cluster:
        nodeSelector: {zone: a, gpu: h100, pool: llm, tier: prod}
      serving:
        backend: trtllm-serve
        extraOptions: {moe_config: {backend: TRITON}, enable_attention_dp: false}
      """;
  private static final String B = """
      serving:
        extraOptions: {enable_attention_dp: false, moe_config: {backend: TRITON}}
        backend: trtllm-serve
      cluster:
        nodeSelector: {tier: prod, pool: llm, gpu: h100, zone: a}
      model: {id: org/model}
      metadata: {name: digest}
      """;

  @Test
  void keyOrderDoesNotChangeTheDigest() {
    String a = SpecDigest.of(SpecLoader.load(A, "a"));
    assertThat(a).matches("[0-9a-f]{64}");
    assertThat(SpecDigest.of(SpecLoader.load(B, "b"))).isEqualTo(a);
    assertThat(SpecJson.canonical(SpecLoader.load(B, "b"))).isEqualTo(SpecJson.canonical(SpecLoader.load(A, "a")));
  }

  @Test
  void anyValueChangesTheDigest() {
    String a = SpecDigest.of(SpecLoader.load(A, "a"));
    assertThat(SpecDigest.of(SpecLoader.load(A.replace("zone: a", "zone: b"), "a2"))).isNotEqualTo(a);
    assertThat(SpecDigest.of(SpecLoader.load(A + "engine: {maxBatchSize: 8}\n", "a3"))).isNotEqualTo(a);
  }

  @Test
  void canonicalJsonIsSortedAndUsesYamlNames() {
    String json = SpecJson.canonical(SpecLoader.load(A, "a"));
    assertThat(json).contains("\"backend\":\"trtllm-serve\"")
        .contains("{\"gpu\":\"h100\",\"pool\":\"llm\",\"tier\":\"prod\",\"zone\":\"a\"}")
        .doesNotContain("null");
    assertThat(json.indexOf("\"benchmark\"")).isLessThan(json.indexOf("\"cluster\""));
  }
}
