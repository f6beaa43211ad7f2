package fineflow.workers.dev;

import fineflow.workflows.plan.StageParams;
import java.util.List;
import java.util.Optional;

/** Reads flag values out of a stage's argv, as the simulated container runtime sees it. */
record StageArgs(List<String> argv) {

  Optional<String> flag(String name) {
    for (int i = 0; i < argv.size(); i++) {
      String a = argv.get(i);
      if (a.equals(name) && i + 1 < argv.size()) {
        return Optional.of(argv.get(i + 1));
      }
      if (a.startsWith(name + "=")) {
        return Optional.of(a.substring(name.length() + 1));
      }
    }
    return Optional.empty();
  }

  /**
   * The stage's parameters, as its program reads them: the JSON after {@value StageParams#OPTION}.
   * Empty when the container was not given any (a pod spec fineflow did not plan).
   */
  <T extends StageParams> Optional<T> params(Class<T> type) {
    return flag(StageParams.OPTION).map(json -> StageParams.fromJson(json, type));
  }

  int intFlag(String name, int fallback) {
    return flag(name).map(Integer::parseInt).orElse(fallback);
  }

  /** The tool's argv after {@code --} (stage_runner.py wraps NVIDIA tools that way). */
  StageArgs tool() {
    int i = argv.indexOf("--");
    return i < 0 ? this : new StageArgs(argv.subList(i + 1, argv.size()));
  }
}
