package fineflow.workflows.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/** A spec as YAML again, in section order, for {@code fineflow show} and for review. */
public final class SpecYaml {
  private static final ObjectMapper YAML = SpecJson.configure(YAMLMapper.builder()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR))
      .build();

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
