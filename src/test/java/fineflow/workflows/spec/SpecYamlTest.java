package fineflow.workflows.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class SpecYamlTest {

  @Test
  void rendersInSectionOrderWithYamlNames() throws IOException {
    String yaml = SpecYaml.render(ConfigsTest.load("gpt-oss-20b-trtllm-serve.yaml"));
    assertThat(yaml).startsWith("apiVersion: fineflow/v1\nkind: Pipeline\nmetadata:");
    assertThat(yaml.indexOf("\nmodel:")).isLessThan(yaml.indexOf("\nengine:"));
    assertThat(yaml).contains("backend: trtllm-serve", "  maxBatchSize: 256").doesNotContain("TRTLLM_SERVE");
  }

  @Test
  void minimalRenderingLeavesOutDefaults() throws IOException {
    PipelineSpec demo = ConfigsTest.load("demo.yaml");
    String minimal = SpecYaml.renderMinimal(demo);
    assertThat(minimal).contains("maxBatchSize: 4", "id: HuggingFaceTB/SmolLM2-135M-Instruct")
        .doesNotContain("calibSize", "ttlSecondsAfterFinished", "apiVersion");
    assertThat(minimal.length()).isLessThan(SpecYaml.render(demo).length() / 2);
  }
}
