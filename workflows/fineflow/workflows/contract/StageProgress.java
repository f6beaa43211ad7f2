package fineflow.workflows.contract;

/**
 * What a running stage reported last: the details of a {@link FailureType#STILL_RUNNING}
 * failure and of the await activity's heartbeat.
 *
 * @param phase Pending or Running
 * @param line the last progress line of the pod's log (JSON from the trainer), may be null
 */
public record StageProgress(String phase, String podName, String line) {
}
