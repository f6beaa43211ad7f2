package fineflow.workflows.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.workflows.format.Yaml;

/** A spec as YAML again, in section order, for {@code fineflow show} and for review. */
public final class SpecYaml {
  private static final ObjectMapper YAML = Yaml.specRendering();

  private SpecYaml() {
  }

  /** Every field, defaults resolved: exactly what the planner sees. */
  public static String render(PipelineSpec spec) {
    return write(spec);
  }

  /** Only what differs from the defaults: the spec as one would write it. */
  public static String renderMinimal(PipelineSpec spec) {
    return write(SpecTree.minimal(spec));
  }

  private static String write(Object value) {
    try {
      return YAML.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a spec always renders as YAML", e);
    }
  }
}
