package fineflow.workflows.contract;

/** @param adopted true when the object already existed (a retried launch) and was reused */
public record LaunchResult(String objectName, boolean adopted) {
}
