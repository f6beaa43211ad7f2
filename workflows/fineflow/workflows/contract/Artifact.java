package fineflow.workflows.contract;

/** A produced file or directory with its content digest and size in bytes. */
public record Artifact(String name, String path, String sha256, long sizeBytes) {
}
