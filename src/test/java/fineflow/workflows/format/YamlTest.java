package fineflow.workflows.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class YamlTest {
  @Test
  void specRenderingYamlHasNoDocumentMarkerAndIndentsListItems() throws Exception {
    record Doc(String name, List<String> items) {
    }

    assertThat(Yaml.specRendering().writeValueAsString(new Doc("a", List.of("x"))))
        .isEqualTo("name: a\nitems:\n  - x\n");
    assertThat(Yaml.mapper().writeValueAsString(new Doc("a", List.of("x"))))
        .isEqualTo("---\nname: \"a\"\nitems:\n- \"x\"\n");
  }
}
