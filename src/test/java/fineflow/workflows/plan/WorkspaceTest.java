package fineflow.workflows.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorkspaceTest {

  @ParameterizedTest
  @CsvSource({
      "data/dazai.json, /workspace/data/dazai.json",
      "./data/x.jsonl, /workspace/data/x.jsonl",
      "/workspace/data/x.json, /workspace/data/x.json",
      "/workspace//a/./b/../c.json, /workspace/a/c.json",
      "a/../b.json, /workspace/b.json"})
  void resolvesUnderTheWorkspace(String given, String resolved) {
    assertThat(Workspace.resolve("dataset.path", given)).isEqualTo(resolved);
  }

  @Test
  void rejectsPathsNoPodCanRead() {
    assertThatThrownBy(() -> Workspace.resolve("dataset.path", "/data/x.json"))
        .hasMessage("dataset.path: /data/x.json is outside the workspace volume; "
            + "use a path relative to (or under) /workspace");
    assertThatThrownBy(() -> Workspace.resolve("dataset.path", "/workspacex/a"))
        .hasMessageContaining("outside the workspace");
    assertThatThrownBy(() -> Workspace.resolve("dataset.path", "../x"))
        .hasMessageContaining("climbs out of the workspace volume (/workspace)");
    assertThatThrownBy(() -> Workspace.resolve("dataset.path", "/workspace/../etc/passwd"))
        .hasMessageContaining("climbs out of the workspace volume (/workspace)");
    assertThatThrownBy(() -> Workspace.resolve("dataset.path", " "))
        .hasMessage("dataset.path: a path is required");
  }

  @Test
  void mountsMirrorTheWorkspaceLayout() {
    assertThat(Workspace.readOnly("/workspace/cache/train-abc")).contains(
        new VolumeMount("cache/train-abc", "/workspace/cache/train-abc", true));
    assertThat(Workspace.readOnly("/opt/x")).isEmpty();
    assertThat(Workspace.outputDir(StageName.ENGINE_BUILD, "0123456789abcdef"))
        .isEqualTo("/workspace/cache/engine-build-0123456789ab");
  }
}
