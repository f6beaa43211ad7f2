package fineflow.workflows.plan;

/** A sub-path of the workspace volume mounted into the stage's container. */
public record VolumeMount(String subPath, String mountPath, boolean readOnly) {
}
