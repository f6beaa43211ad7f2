package fineflow.workflows.format;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * Every YAML mapper the code uses, built once; like {@link Json}, each variant is named for how it
 * differs from Jackson's defaults. (Kubernetes manifests are written by Fabric8's own serializer.)
 */
public final class Yaml {
  private static final ObjectMapper DEFAULTS = YAMLMapper.builder().build();
  private static final ObjectMapper SPEC_RENDERING = Json.spec(YAMLMapper.builder()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR))
      .build();

  private Yaml() {
  }

  /** Jackson's defaults: for reading YAML into trees (specs, {@code --set} values). */
  public static ObjectMapper mapper() {
    return DEFAULTS;
  }

  /**
   * Specs written for people: the spec settings ({@link Json}), in declaration order, no
   * {@code ---}, quotes only where YAML needs them, list items indented under their key.
   */
  public static ObjectMapper specRendering() {
    return SPEC_RENDERING;
  }
}
