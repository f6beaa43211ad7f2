package fineflow.workflows.plan;

import java.util.List;
import java.util.Optional;

/**
 * The ordered stages of one spec revision.
 *
 * @param specDigest sha256 of the canonical spec JSON the plan was made from
 */
public record Plan(String pipeline, String specDigest, List<Stage> stages) {
  public Plan {
    stages = List.copyOf(stages);
  }

  public Optional<Stage> stage(StageName name) {
    return stages.stream().filter(s -> s.name() == name).findFirst();
  }
}
