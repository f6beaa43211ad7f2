package fineflow.activities.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;

/**
 * Where a Job stage's status read takes its Job and pods from: the API server (one GET and one
 * list per read), or the {@link StageWatcher}'s informer caches (none), which its periodic
 * re-check of every waiting stage uses.
 */
public interface JobReads {
  /** The Job, or null when there is none. */
  Job job(String namespace, String name);

  /** The pods of the Job named {@code jobName} (by the Job controller's {@code job-name} label). */
  List<Pod> pods(String namespace, String jobName);
}
