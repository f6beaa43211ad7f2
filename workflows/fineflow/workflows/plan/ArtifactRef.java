package fineflow.workflows.plan;

/** An artifact a stage produces, at a path on the workspace volume. */
public record ArtifactRef(String name, String path) {
}
