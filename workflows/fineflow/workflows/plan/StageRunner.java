package fineflow.workflows.plan;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * fineflow's wrapper around the NVIDIA tools ({@code stage_runner.py}, mounted from the
 * {@code fineflow-programs} ConfigMap): checks inputs before the tool runs and outputs after,
 * then writes the termination message. It turns the manual run's start-up crashes at serving time
 * ({@code map::at}, {@code std::bad_cast}: docs/manual-procedure.md "Pitfalls") into a clear exit 2
 * of the stage that causes them.
 */
final class StageRunner {
  static final String PROGRAM = Programs.path("stage_runner.py");

  private final StageName stage;
  private final Map<String, String> expect = new LinkedHashMap<>();

  StageRunner(StageName stage) {
    this.stage = stage;
  }

  StageRunner expect(String key, Object value) {
    expect.put(key, Argv.text(value));
    return this;
  }

  /** {@code python3 stage_runner.py --stage S --out $(OUT) --expect k=v… -- TOOL…}. */
  List<String> wrap(List<String> tool) {
    Argv argv = new Argv("python3", PROGRAM, "--stage", stage.id(), "--out", CacheKey.OUT);
    expect.forEach((k, v) -> argv.opt("--expect", k + "=" + v));
    return argv.add("--").addAll(tool).build();
  }
}
