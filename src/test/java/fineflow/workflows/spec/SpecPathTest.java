package fineflow.workflows.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SpecPathTest {

  @Test
  void plainKeysIndexesAndQuotedKeys() {
    String path = SpecPath.child(SpecPath.index(SpecPath.child("cluster", "tolerations"), 2), "key");
    assertThat(path).isEqualTo("cluster.tolerations[2].key");
    assertThat(SpecPath.parse(path)).containsExactly("cluster", "tolerations", 2, "key");
    String quoted = SpecPath.child("cluster.nodeSelector", "nvidia.com/gpu.product");
    assertThat(quoted).isEqualTo("cluster.nodeSelector[\"nvidia.com/gpu.product\"]");
    assertThat(SpecPath.parse(quoted)).isEqualTo(List.of("cluster", "nodeSelector", "nvidia.com/gpu.product"));
  }

  @Test
  void badSyntaxSaysWhere() {
    assertThatThrownBy(() -> SpecPath.parse("a..b")).hasMessageContaining("empty key at position 2");
    assertThatThrownBy(() -> SpecPath.parse("a.")).hasMessageContaining("ends with '.'");
    assertThatThrownBy(() -> SpecPath.parse("a[x]")).hasMessageContaining("expected [INDEX]");
    assertThatThrownBy(() -> SpecPath.parse("a[\"x]")).hasMessageContaining("unterminated");
    assertThatThrownBy(() -> SpecPath.parse("")).hasMessageContaining("empty path");
  }
}
