package fineflow.workflows.spec;

import java.util.List;

/** A valid spec and the warnings it raised (things that are allowed but probably not meant). */
public record LoadedSpec(PipelineSpec spec, List<SpecProblem> warnings) {
  public LoadedSpec {
    warnings = List.copyOf(warnings);
  }
}
