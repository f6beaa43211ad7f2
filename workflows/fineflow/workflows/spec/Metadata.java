package fineflow.workflows.spec;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Map;

public record Metadata(
    @JsonPropertyDescription("Pipeline name (DNS-1123 label); run ids are <name>-<short hash>.")
    String name,
    @JsonPropertyDescription("Free-form labels, copied to the run's memo.")
    Map<String, String> labels,
    @JsonPropertyDescription("Free-form description shown in the Temporal UI summary.")
    String description) {

  public Metadata {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }
}
