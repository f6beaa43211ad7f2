package fineflow.workflows.plan;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The stages planned so far, in order: what a later stage may read from. */
final class Upstream {
  private final Map<StageName, Stage> stages = new LinkedHashMap<>();

  void add(Stage stage) {
    stages.put(stage.name(), stage);
  }

  boolean has(StageName name) {
    return stages.containsKey(name);
  }

  Stage get(StageName name) {
    Stage stage = stages.get(name);
    if (stage == null) {
      throw new IllegalStateException(name + " is not planned before it is needed");
    }
    return stage;
  }

  /** The output directory of an earlier stage. */
  String out(StageName name) {
    return Workspace.outputDir(name, get(name).cacheKey());
  }

  List<String> keys(List<StageName> names) {
    return names.stream().map(n -> get(n).cacheKey()).toList();
  }

  List<Stage> all() {
    return List.copyOf(stages.values());
  }
}
