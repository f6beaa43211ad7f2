package fineflow.activities.kubernetes;

import fineflow.activities.kubernetes.FailureClassifier.Evidence;
import fineflow.activities.kubernetes.FailureClassifier.Verdict;
import fineflow.workflows.contract.AwaitRequest;
import fineflow.workflows.contract.FailureType;
import fineflow.workflows.contract.LaunchRequest;
import fineflow.workflows.contract.LaunchResult;
import fineflow.workflows.contract.StageFailure;
import fineflow.workflows.contract.StageProgress;
import fineflow.workflows.contract.StageResult;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.StageKind;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.ScalableResource;
import io.fabric8.kubernetes.api.model.batch.v1.JobList;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs batch stages as Jobs. Launch creates the Job or adopts the one a previous attempt created;
 * await makes targeted reads (the Job by name, its pods by the {@code job-name} label, their log
 * tail) and reports still running, the result, or the classified failure.
 */
public final class JobExecutor implements StageExecutor {
  private final KubernetesClient client;
  private final JobFactory factory = new JobFactory();
  private final FailureClassifier classifier = new FailureClassifier();
  private final PodLogs logs;
  private final Clock clock;
  /** The claim's data key holding the Job's name. */
  static final String CLAIM_JOB = "job";
  /** Creates of the claim retried while stale claims are replaced by racing launches. */
  private static final int CLAIM_TRIES = 5;
  /** The reads of {@link #await(AwaitRequest)}: the Job by name, its pods by label. */
  private final JobReads api;

  public JobExecutor(KubernetesClient client) {
    this(client, Clock.systemUTC());
  }

  /** @param clock the time unschedulable pods are measured against */
  public JobExecutor(KubernetesClient client, Clock clock) {
    this.client = client;
    this.api = new JobReads() {
      @Override
      public Job job(String namespace, String name) {
        return jobs(namespace).withName(name).get();
      }

      @Override
      public List<Pod> pods(String namespace, String jobName) {
        return client.pods().inNamespace(namespace).withLabel(FineflowLabels.JOB_NAME, jobName).list().getItems();
      }
    };
    this.logs = new PodLogs(client);
    this.clock = clock;
  }

  @Override
  public StageKind kind() {
    return StageKind.JOB;
  }

  @Override
  public LaunchResult launch(LaunchRequest request) {
    Job job;
    try {
      job = factory.job(request);
    } catch (IllegalArgumentException e) {
      throw failure(request.stage(), new Verdict(FailureType.BAD_ARGUMENTS, e.getMessage(),
          "the planner built a stage this executor cannot run"), List.of(), null);
    }
    String name = job.getMetadata().getName();
    String ns = request.namespace();
    try {
      Job existing = jobs(ns).withName(name).get();
      if (existing != null) {
        return adopt(existing, request);
      }
      Optional<String> running = runningOfKey(ns, request.stage());
      if (running.isPresent()) {
        return new LaunchResult(running.get(), true);
      }
      jobs(ns).resource(job).create();
      Optional<String> other = claimKey(ns, request.stage(), name);
      if (other.isPresent()) {
        // Another run's Job of the key was claimed first; nobody follows ours (only claimed
        // Jobs are followed), so it goes before its pod writes the key's output beside that one.
        jobs(ns).withName(name).withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
        return new LaunchResult(other.get(), true);
      }
      return new LaunchResult(name, false);
    } catch (KubernetesClientException e) {
      Job raced = e.getCode() == 409 ? existingAfterConflict(request.namespace(), name) : null;
      if (raced != null) {
        // Another attempt of this activity created it between our read and our create.
        return adopt(raced, request);
      }
      // A 409 with nothing to adopt (deleted meanwhile) is Transient: the retry creates it.
      throw failure(request.stage(), classifier.apiError(e), List.of(), e);
    }
  }

  /**
   * Identical runs (issue 13) reach a stage at the same moment: their Jobs would write the same
   * key's output folder at once and, for the benchmark, load the shared servers together and
   * measure each other. So one Job runs per key: the first launch claims the key with a
   * ConfigMap naming its Job (a create is atomic: one wins), and the others follow that Job,
   * whose result is every run's. A claim whose Job finished or is gone is stale: a stage that
   * always runs (model-fetch, dataset-prep) must look at its input again, not read an earlier
   * run's look.
   */
  static String claimName(Stage stage) {
    return "fineflow-job-" + stage.name().id() + "-" + stage.shortKey();
  }

  /** The Job a live claim of the stage's key names, if it is unfinished. */
  private Optional<String> runningOfKey(String ns, Stage stage) {
    ConfigMap claim = client.configMaps().inNamespace(ns).withName(claimName(stage)).get();
    return claim == null ? Optional.empty() : liveJob(ns, claim, stage);
  }

  /** Claims the key for {@code job}; the other Job when another launch's live claim holds it. */
  private Optional<String> claimKey(String ns, Stage stage, String job) {
    ConfigMap mine = new ConfigMapBuilder().withNewMetadata().withName(claimName(stage)).withNamespace(ns)
        .addToLabels(FineflowLabels.MANAGED_BY, FineflowLabels.FINEFLOW)
        .addToLabels(FineflowLabels.STAGE, stage.name().id())
        .addToAnnotations(FineflowLabels.CACHE_KEY_ANNOTATION, stage.cacheKey())
        .endMetadata().addToData(CLAIM_JOB, job).build();
    for (int tries = 1; ; tries++) {
      try {
        client.configMaps().inNamespace(ns).resource(mine).create();
        return Optional.empty();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || tries >= CLAIM_TRIES) {
          throw e;
        }
      }
      ConfigMap held = client.configMaps().inNamespace(ns).withName(claimName(stage)).get();
      if (held == null) {
        continue;
      }
      Optional<String> other = liveJob(ns, held, stage);
      if (other.isPresent()) {
        return other.get().equals(job) ? Optional.empty() : other;
      }
      try {
        // Stale; locked to what was read, so a claim made meanwhile is not removed.
        client.configMaps().inNamespace(ns).withName(claimName(stage))
            .lockResourceVersion(held.getMetadata().getResourceVersion()).delete();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 && e.getCode() != 404) {
          throw e;
        }
      }
    }
  }

  private Optional<String> liveJob(String ns, ConfigMap claim, Stage stage) {
    String name = claim.getData() == null ? null : claim.getData().get(CLAIM_JOB);
    boolean sameKey = claim.getMetadata().getAnnotations() != null
        && stage.cacheKey().equals(claim.getMetadata().getAnnotations().get(FineflowLabels.CACHE_KEY_ANNOTATION));
    if (name == null || !sameKey) {
      return Optional.empty();
    }
    Job job = jobs(ns).withName(name).get();
    return job == null || job.getMetadata().getDeletionTimestamp() != null || finished(job)
        ? Optional.empty() : Optional.of(name);
  }

  private Job existingAfterConflict(String ns, String name) {
    try {
      return jobs(ns).withName(name).get();
    } catch (KubernetesClientException e) {
      return null;
    }
  }

  /**
   * The progress of a Job stage that is still running by {@code reads} with nothing to decide
   * (no result, no failure verdict, not being failed by the Job controller), or empty when
   * {@link #await} must decide. Reads only, acts on nothing: the watcher's periodic re-check
   * answers most waiting stages from its informer caches this way.
   *
   * @param readTail false to leave the log tail unread (the progress line stays unknown)
   */
  public Optional<StageProgress> runningProgress(AwaitRequest request, JobReads reads, boolean readTail) {
    String ns = request.namespace();
    Job job = reads.job(ns, request.objectName());
    if (job == null || finished(job) || hasCondition(job, "FailureTarget")) {
      return Optional.empty();
    }
    Pod pod = newestPod(reads, ns, job).orElse(null);
    if (succeeded(job, pod) || containerEnded(pod)) {
      return Optional.empty();
    }
    List<String> tail = started(pod) && readTail ? tail(ns, pod) : List.of();
    if (classifier.classify(new Evidence(job, pod, tail, clock.instant(), request.cluster(),
        request.memoryEstimate())).isPresent()) {
      return Optional.empty();
    }
    return Optional.of(progress(job, pod, tail));
  }

  @Override
  public StageResult await(AwaitRequest request) {
    Stage stage = request.stage();
    String ns = request.namespace();
    try {
      Job job = api.job(ns, request.objectName());
      if (job == null) {
        throw failure(stage, new Verdict(FailureType.STAGE_FAILED,
            "Job " + request.objectName() + " no longer exists in namespace " + ns,
            "it was deleted (by hand, or by ttlSecondsAfterFinished before its result was "
                + "read); resume to launch the stage again"), List.of(), null);
      }
      Pod pod = newestPod(api, ns, job).orElse(null);
      if (succeeded(job, pod)) {
        return collect(stage, job, pod);
      }
      List<String> tail = started(pod) ? tail(ns, pod) : List.of();
      if (hasCondition(job, "FailureTarget") && !finished(job)) {
        // The Job controller decided the Job fails and is terminating its pods (batch/v1 Job
        // conditions: FailureTarget precedes Failed). A pod it stopped (exit 143 at a deadline)
        // is no verdict of its own: the Failed condition follows with the reason.
        throw stillRunning(stage, job, pod, tail);
      }
      Optional<Verdict> verdict = classifier.classify(new Evidence(job, pod, tail,
          clock.instant(), request.cluster(), request.memoryEstimate()));
      if (verdict.isPresent()) {
        if (!finished(job) && !containerEnded(pod)) {
          // Stuck before it could fail on its own (image pull, unschedulable): free its GPU
          // and its queue slot now instead of at activeDeadlineSeconds. A container that ended
          // is not stuck: the Job controller counts it a moment later (as on a real cluster),
          // and deleting the Job would delete the pod and its log with it.
          jobs(ns).withName(job.getMetadata().getName())
              .withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
        }
        throw failure(stage, verdict.get(), tail, null);
      }
      throw stillRunning(stage, job, pod, tail);
    } catch (KubernetesClientException e) {
      Verdict v = classifier.apiError(e);
      boolean refusedByAServerNotReady = (e.getCode() == 401 || e.getCode() == 403) && !serverReady();
      if (v.type().retryable() || refusedByAServerNotReady) {
        // The stage is not known to have failed, so await again. Transient from await means
        // "the Job died" and makes the workflow launch the stage anew, next to a live Job.
        throw ApplicationFailure.newFailureWithCause("stage " + stage.name() + ": " + v.message()
            + (refusedByAServerNotReady ? " (the API server is not ready yet)" : "") + "; looking again",
            FailureType.STILL_RUNNING.type(), e, new StageProgress("Unknown", null, null));
      }
      throw failure(stage, v, List.of(), e);
    }
  }

  /**
   * The API server's own readiness ({@code /readyz}, readable by anyone): a server just
   * (re)started serves requests before its authorizer has synced the Roles and refuses them with
   * 403 meanwhile (found restarting the real control plane). Such a refusal is no verdict on the
   * Role; one from a ready server is.
   */
  private boolean serverReady() {
    try {
      String answer = client.raw(client.getMasterUrl().toString().replaceAll("/+$", "") + "/readyz");
      return answer != null && answer.strip().equals("ok");
    } catch (KubernetesClientException e) {
      return false;
    }
  }

  private LaunchResult adopt(Job existing, LaunchRequest request) {
    if (existing.getMetadata().getDeletionTimestamp() != null) {
      // Being deleted (a cleanup, or a stuck Job we removed): never adopt it; once it is gone,
      // the launch activity's retry creates a fresh one of the same name.
      throw failure(request.stage(), new Verdict(FailureType.TRANSIENT,
          "Job " + existing.getMetadata().getName() + " is being deleted; launching again once it is gone",
          "retried automatically"), List.of(), null);
    }
    String owner = existing.getMetadata().getLabels() == null ? null
        : existing.getMetadata().getLabels().get(FineflowLabels.RUN);
    if (!FineflowLabels.runValue(request.runId()).equals(owner)) {
      throw failure(request.stage(), new Verdict(FailureType.BAD_ARGUMENTS,
          "Job " + existing.getMetadata().getName() + " already exists and belongs to run "
              + owner + ", not " + request.runId(),
          "delete that Job or use another run id"), List.of(), null);
    }
    return new LaunchResult(existing.getMetadata().getName(), true);
  }

  private StageResult collect(Stage stage, Job job, Pod pod) {
    String jobName = job.getMetadata().getName();
    if (pod == null) {
      throw failure(stage, new Verdict(FailureType.STAGE_FAILED,
          "Job " + jobName + " succeeded but its pod is gone, and with it the result",
          "resume to run the stage again"), List.of(), null);
    }
    String message = containerStatus(pod)
        .map(cs -> cs.getState() == null || cs.getState().getTerminated() == null ? null
            : cs.getState().getTerminated().getMessage())
        .orElse(null);
    try {
      return StageResultJson.fromTerminationMessage(message, stage.name(), stage.cacheKey(),
          jobName, pod.getMetadata().getName());
    } catch (IllegalArgumentException e) {
      throw failure(stage, new Verdict(FailureType.OUTPUT_INVALID,
          "stage " + stage.name() + " succeeded but " + e.getMessage(),
          "the stage program must write its result JSON to " + JobFactory.TERMINATION_LOG),
          tailOrEmpty(job.getMetadata().getNamespace(), pod), null);
    }
  }

  private ApplicationFailure stillRunning(Stage stage, Job job, Pod pod, List<String> tail) {
    StageProgress progress = progress(job, pod, tail);
    return ApplicationFailure.newFailure("stage " + stage.name() + " is " + progress.phase(),
        FailureType.STILL_RUNNING.type(), progress);
  }

  private StageProgress progress(Job job, Pod pod, List<String> tail) {
    boolean queued = job.getSpec() != null && Boolean.TRUE.equals(job.getSpec().getSuspend());
    String phase = pod == null ? (queued ? "Queued" : "Pending") : pod.getStatus().getPhase();
    String podName = pod == null ? null : pod.getMetadata().getName();
    return new StageProgress(phase, podName, logs.lastProgress(tail).orElse(null));
  }

  private ApplicationFailure failure(Stage stage, Verdict v, List<String> tail, Throwable cause) {
    String message = "stage " + stage.name() + ": " + v.message();
    StageFailure details = new StageFailure(stage.name().id(), v.type().type(), v.message(),
        v.hint(), tail);
    if (v.type().retryable()) {
      return cause == null
          ? ApplicationFailure.newFailure(message, v.type().type(), details)
          : ApplicationFailure.newFailureWithCause(message, v.type().type(), cause, details);
    }
    return cause == null
        ? ApplicationFailure.newNonRetryableFailure(message, v.type().type(), details)
        : ApplicationFailure.newNonRetryableFailureWithCause(message, v.type().type(), cause, details);
  }

  private static Optional<Pod> newestPod(JobReads reads, String ns, Job job) {
    String uid = job.getMetadata().getUid();
    List<Pod> pods = reads.pods(ns, job.getMetadata().getName()).stream()
        .filter(p -> ownedBy(p, uid))
        .toList();
    return PodLogs.newest(pods);
  }

  private static boolean ownedBy(Pod pod, String uid) {
    List<OwnerReference> refs = pod.getMetadata().getOwnerReferences();
    return uid == null || refs == null || refs.isEmpty()
        || refs.stream().anyMatch(r -> Objects.equals(uid, r.getUid()));
  }

  private List<String> tail(String ns, Pod pod) {
    try {
      return logs.tail(ns, pod.getMetadata().getName(),
          pod.getSpec().getContainers().get(0).getName(), PodLogs.FAILURE_TAIL_LINES);
    } catch (LogUnavailableException e) {
      return List.of();
    }
  }

  private List<String> tailOrEmpty(String ns, Pod pod) {
    return started(pod) ? tail(ns, pod) : List.of();
  }

  /** True when a container of the pod (an init container too) has terminated. */
  private static boolean containerEnded(Pod pod) {
    if (pod == null || pod.getStatus() == null) {
      return false;
    }
    List<ContainerStatus> all = new java.util.ArrayList<>();
    if (pod.getStatus().getInitContainerStatuses() != null) {
      all.addAll(pod.getStatus().getInitContainerStatuses());
    }
    if (pod.getStatus().getContainerStatuses() != null) {
      all.addAll(pod.getStatus().getContainerStatuses());
    }
    return all.stream().anyMatch(cs -> cs.getState() != null && cs.getState().getTerminated() != null
        && cs.getState().getTerminated().getExitCode() != null && cs.getState().getTerminated().getExitCode() != 0);
  }

  /** True once the container ran, so that it has a log. */
  private static boolean started(Pod pod) {
    return containerStatus(pod)
        .map(cs -> cs.getState() != null
            && (cs.getState().getRunning() != null || cs.getState().getTerminated() != null))
        .orElse(false);
  }

  private static Optional<ContainerStatus> containerStatus(Pod pod) {
    if (pod == null || pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getContainerStatuses().stream().findFirst();
  }

  private static boolean succeeded(Job job, Pod pod) {
    boolean complete = hasCondition(job, "Complete") || hasCondition(job, "SuccessCriteriaMet");
    return complete || (pod != null && "Succeeded".equals(pod.getStatus().getPhase()));
  }

  private static boolean finished(Job job) {
    return hasCondition(job, "Complete") || hasCondition(job, "Failed");
  }

  private static boolean hasCondition(Job job, String type) {
    return job.getStatus() != null && job.getStatus().getConditions() != null
        && job.getStatus().getConditions().stream()
            .anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private NonNamespaceOperation<Job, JobList, ScalableResource<Job>> jobs(String namespace) {
    return client.batch().v1().jobs().inNamespace(namespace);
  }
}
