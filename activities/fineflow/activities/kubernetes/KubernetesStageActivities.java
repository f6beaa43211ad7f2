package fineflow.activities.kubernetes;

import fineflow.activities.kubernetes.FailureClassifier.Verdict;
import fineflow.workflows.contract.AwaitRequest;
import fineflow.workflows.contract.CacheEntry;
import fineflow.workflows.contract.CacheLookup;
import fineflow.workflows.contract.CacheQuery;
import fineflow.workflows.contract.CleanupRequest;
import fineflow.workflows.contract.CleanupResult;
import fineflow.workflows.contract.FailureType;
import fineflow.workflows.contract.LaunchRequest;
import fineflow.workflows.contract.LaunchResult;
import fineflow.workflows.contract.PromoteRequest;
import fineflow.workflows.contract.PromoteResult;
import fineflow.workflows.contract.StageActivities;
import fineflow.workflows.contract.StageFailure;
import fineflow.workflows.contract.StageProgress;
import fineflow.workflows.contract.StageResult;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.StageKind;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The stage activities on Kubernetes: the cache in ConfigMaps, launch and await by the stage
 * kind's {@link StageExecutor}, and cleanup of everything labelled with the run.
 */
public final class KubernetesStageActivities implements StageActivities {
  private final KubernetesClient client;
  private final String defaultNamespace;
  private final Map<StageKind, StageExecutor> executors;
  private final CacheStore cache;
  private final FailureClassifier classifier = new FailureClassifier();

  /** Jobs only; rollout stages fail until an executor for them is registered. */
  public KubernetesStageActivities(KubernetesClient client, String defaultNamespace) {
    this(client, defaultNamespace, Map.of(StageKind.JOB, new JobExecutor(client)));
  }

  /**
   * @param defaultNamespace used when neither the request nor the spec's cluster section names one
   * @param executors one per stage kind (the worker passes JobExecutor and RolloutExecutor)
   */
  public KubernetesStageActivities(
      KubernetesClient client, String defaultNamespace, Map<StageKind, StageExecutor> executors) {
    this.client = client;
    this.defaultNamespace = defaultNamespace;
    this.executors = new EnumMap<>(StageKind.class);
    executors.forEach((kind, executor) -> {
      if (executor.kind() != kind) {
        throw new IllegalArgumentException("executor " + executor.getClass().getSimpleName()
            + " runs " + executor.kind() + " stages, registered for " + kind);
      }
      this.executors.put(kind, executor);
    });
    this.cache = new CacheStore(client);
  }

  @Override
  public CacheLookup lookupCache(CacheQuery query) {
    String ns = namespace(query.namespace(), null);
    return api(query.stage().id(), () -> cache.lookup(ns, query.cacheKey())
        .filter(r -> r.stage() == query.stage())
        .map(CacheLookup::hit)
        .orElse(CacheLookup.miss()));
  }

  @Override
  public void recordCache(CacheEntry entry) {
    String ns = namespace(entry.namespace(), null);
    api(entry.result().stage().id(), () -> {
      cache.record(ns, entry.runId(), entry.cacheKey(), entry.result());
      return null;
    });
  }

  @Override
  public LaunchResult launch(LaunchRequest request) {
    LaunchRequest resolved = new LaunchRequest(request.runId(),
        namespace(request.namespace(), request.cluster().namespace()), request.stage(),
        request.launch(), request.specDigest(), request.cluster());
    StageExecutor executor = executor(request.stage());
    // The rollout executor lets API errors through: classify them here (RBAC hint, retryable or not).
    return api(request.stage().name().id(), () -> executor.launch(resolved));
  }

  @Override
  public StageResult await(AwaitRequest request) {
    AwaitRequest resolved = resolved(request);
    StageExecutor executor = executor(request.stage());
    try {
      return executor.await(resolved);
    } catch (KubernetesClientException e) {
      Verdict v = classifier.apiError(e);
      if (v.type().retryable()) {
        // As JobExecutor: the stage is not known to have failed, so look again. Transient from
        // await would mean "its object died" and launch it anew.
        throw ApplicationFailure.newFailureWithCause("stage " + request.stage().name() + ": "
            + v.message() + "; looking again", FailureType.STILL_RUNNING.type(), e,
            new StageProgress("Unknown", null, null));
      }
      throw ApplicationFailure.newNonRetryableFailureWithCause(v.message(), v.type().type(), e,
          new StageFailure(request.stage().name().id(), v.type().type(), v.message(), v.hint(), List.of()));
    }
  }

  /**
   * A Job stage's progress while it certainly still runs, read from {@code reads} (the
   * watcher's informer caches); empty for other stages and whenever {@link #await} must decide.
   */
  public Optional<StageProgress> runningProgress(AwaitRequest request, JobReads reads, boolean readTail) {
    return executor(request.stage()) instanceof JobExecutor jobs
        ? jobs.runningProgress(resolved(request), reads, readTail) : Optional.empty();
  }

  private AwaitRequest resolved(AwaitRequest request) {
    return new AwaitRequest(request.runId(), namespace(request.namespace(), request.cluster().namespace()),
        request.stage(), request.objectName(), request.cluster(), request.memoryEstimate());
  }

  @Override
  public PromoteResult promote(PromoteRequest request) {
    String ns = namespace(request.namespace(), null);
    if (!(executors.get(StageKind.DEPLOYMENT) instanceof Promotion promotion)) {
      String message = "cannot promote revision " + request.revision() + ": this worker has no"
          + " executor for " + StageKind.DEPLOYMENT + " stages that promotes (it has "
          + executors.keySet() + ")";
      throw ApplicationFailure.newNonRetryableFailure(message, FailureType.BAD_ARGUMENTS.type(),
          new StageFailure("promote", FailureType.BAD_ARGUMENTS.type(), message,
              "run a worker built with every stage executor (fineflow worker)", List.of()));
    }
    return api("promote", () -> new PromoteResult(
        promotion.promote(ns, request.runId(), request.revision()), request.revision()));
  }

  @Override
  public CleanupResult cleanup(CleanupRequest request) {
    String ns = namespace(request.namespace(), null);
    String run = FineflowLabels.runValue(request.runId());
    List<String> deleted = new ArrayList<>();
    api("cleanup", () -> {
      List<String> stages = request.stages();
      delete("Job", client.batch().v1().jobs(), ns, run, false, stages, deleted);
      delete("Deployment", client.apps().deployments(), ns, run, request.keepServing(), stages, deleted);
      delete("Service", client.services(), ns, run, request.keepServing(), stages, deleted);
      // The stable track's ConfigMaps hold files its pods mount: they stay with it.
      delete("ConfigMap", client.configMaps(), ns, run, request.keepServing(), stages, deleted);
      return null;
    });
    return new CleanupResult(deleted);
  }

  private static <T extends HasMetadata, L extends KubernetesResourceList<T>> void delete(
      String kind, MixedOperation<T, L, ? extends Resource<T>> op, String ns, String run,
      boolean keepStable, List<String> stages, List<String> deleted) {
    FilterWatchListDeletable<T, L, ? extends Resource<T>> selected = op.inNamespace(ns)
        .withLabel(FineflowLabels.RUN, run)
        // Cache entries outlive runs; they never carry the run label, and this guards that.
        .withoutLabel(FineflowLabels.COMPONENT, FineflowLabels.CACHE_COMPONENT);
    if (keepStable) {
      selected = selected.withoutLabel(FineflowLabels.TRACK, "stable");
    }
    for (T item : selected.list().getItems()) {
      String name = item.getMetadata().getName();
      if (!ofStages(item, stages)) {
        continue;
      }
      // Foreground: the Job's pods (a Deployment's ReplicaSets) are gone before the Job is.
      op.inNamespace(ns).withName(name).withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
      deleted.add(kind + "/" + name);
    }
    if (!kind.equals("Job")) {
      release(kind, op, ns, run, keepStable, stages, deleted);
    }
  }

  /**
   * Servers are shared by the runs of one key, each a user label: the run leaves, and the object
   * goes only with its last user, so one run's cleanup never removes a server another still uses
   * or has just joined ({@link SharedServer}).
   */
  private static <T extends HasMetadata, L extends KubernetesResourceList<T>> void release(
      String kind, MixedOperation<T, L, ? extends Resource<T>> op, String ns, String run,
      boolean keepStable, List<String> stages, List<String> deleted) {
    String user = FineflowLabels.userLabel(run);
    for (T item : op.inNamespace(ns).withLabel(user).list().getItems()) {
      String name = item.getMetadata().getName();
      if (ofStages(item, stages) && SharedServer.leave(op.inNamespace(ns).withName(name), user, run,
          left -> keepStable && "stable".equals(left.getMetadata().getLabels().get(FineflowLabels.TRACK)))) {
        deleted.add(kind + "/" + name);
      }
    }
    // A retried cleanup: this run released these as their last user, and the delete did not happen.
    for (T item : op.inNamespace(ns).withLabel(SharedServer.RELEASED_BY, run).list().getItems()) {
      String name = item.getMetadata().getName();
      if (ofStages(item, stages) && item.getMetadata().getDeletionTimestamp() == null) {
        SharedServer.finishRelease(op.inNamespace(ns).withName(name));
        deleted.add(kind + "/" + name);
      }
    }
  }

  private static boolean ofStages(HasMetadata item, List<String> stages) {
    return stages.isEmpty() || item.getMetadata().getLabels() != null
        && stages.contains(item.getMetadata().getLabels().get(FineflowLabels.STAGE));
  }

  private StageExecutor executor(Stage stage) {
    StageExecutor executor = executors.get(stage.kind());
    if (executor == null) {
      String message = "stage " + stage.name() + " is a " + stage.kind()
          + " stage, and this worker has no executor for " + stage.kind() + " stages (it has "
          + executors.keySet() + ")";
      throw ApplicationFailure.newNonRetryableFailure(message, FailureType.BAD_ARGUMENTS.type(),
          new StageFailure(stage.name().id(), FailureType.BAD_ARGUMENTS.type(), message,
              "run a worker built with every stage executor (fineflow worker)", List.of()));
    }
    return executor;
  }

  private String namespace(String requested, String fromSpec) {
    if (requested != null && !requested.isBlank()) {
      return requested;
    }
    return fromSpec != null && !fromSpec.isBlank() ? fromSpec : defaultNamespace;
  }

  private <T> T api(String what, Supplier<T> call) {
    try {
      return call.get();
    } catch (KubernetesClientException e) {
      Verdict v = classifier.apiError(e);
      StageFailure details = new StageFailure(what, v.type().type(), v.message(), v.hint(), List.of());
      throw v.type().retryable()
          ? ApplicationFailure.newFailureWithCause(v.message(), v.type().type(), e, details)
          : ApplicationFailure.newNonRetryableFailureWithCause(v.message(), v.type().type(), e, details);
    }
  }
}
