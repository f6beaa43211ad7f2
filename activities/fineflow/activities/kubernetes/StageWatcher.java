package fineflow.activities.kubernetes;

import fineflow.activities.DaemonThreads;
import fineflow.workflows.contract.AwaitRequest;
import fineflow.workflows.contract.FailureType;
import fineflow.workflows.contract.StageProgress;
import fineflow.workflows.contract.StageResult;
import fineflow.workflows.plan.StageKind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.temporal.client.ActivityCompletionClient;
import io.temporal.client.ActivityCompletionException;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes await activities asynchronously: one shared informer per namespace on fineflow's
 * Jobs and Deployments wakes the check of the stage whose object changed, so the next stage
 * starts within milliseconds of a pod's end, with no thread and no Temporal retry per
 * waiting stage. A slow tick re-checks every waiting stage for what no event announces
 * (unschedulable too long, readiness timeouts) and heartbeats its progress line; if this
 * worker dies, the heartbeat timeout makes Temporal retry the await on another worker.
 *
 * <p>Checks of one stage never overlap: events and ticks that arrive while one runs fold into
 * one more check after it (a rollout check may promote or roll back; two at once could do
 * both). Deployment checks run on their own threads: their HTTP smoke test takes minutes at
 * worst, and must not hold up the Job checks and heartbeats of the shared pool.
 */
public final class StageWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StageWatcher.class);

  private static final java.util.Set<String> TERMINAL_CONDITIONS =
      java.util.Set.of("Complete", "Failed", "FailureTarget", "SuccessCriteriaMet");

  private final KubernetesClient client;
  private final ActivityCompletionClient completions;
  private final Function<AwaitRequest, StageResult> check;
  /** By object and run: the runs sharing a server (or a Job of one key) each wait on it. */
  private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
  /** The waiting keys of each object ({@code namespace/name}), for its events. */
  private final Map<String, Set<String>> byObject = new ConcurrentHashMap<>();
  private final Map<String, List<SharedIndexInformer<? extends HasMetadata>>> informers = new ConcurrentHashMap<>();
  private final ScheduledExecutorService ticker;
  private final ExecutorService checks;
  private final ExecutorService rolloutChecks;
  /** Keys with a check queued or running, and keys asked to be checked (again). */
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private final Set<String> requested = ConcurrentHashMap.newKeySet();

  private record Waiting(byte[] taskToken, AwaitRequest request) {
  }

  /**
   * @param check one status read of a stage: returns its result, or throws the await
   *     activity's failures ({@code StillRunning} while it runs)
   * @param tick how often every waiting stage is re-checked and heartbeated
   */
  public StageWatcher(KubernetesClient client, ActivityCompletionClient completions,
      Function<AwaitRequest, StageResult> check, Duration tick, int checkThreads) {
    this.client = client;
    this.completions = completions;
    this.check = check;
    this.ticker = Executors.newSingleThreadScheduledExecutor(new DaemonThreads("fineflow-await-tick"));
    this.checks = Executors.newFixedThreadPool(checkThreads, new DaemonThreads("fineflow-await-check"));
    // At most one thread per waiting rollout (checks of a key are serialized).
    this.rolloutChecks = Executors.newCachedThreadPool(new DaemonThreads("fineflow-await-rollout"));
    ticker.scheduleWithFixedDelay(this::checkAll, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Waits for the stage of {@code request}; the activity must not complete on return. */
  public void register(byte[] taskToken, AwaitRequest request) {
    ensureInformers(request.namespace());
    String object = key(request.namespace(), request.objectName());
    String key = object + "|" + request.runId();
    byObject.computeIfAbsent(object, o -> ConcurrentHashMap.newKeySet()).add(key);
    waiting.put(key, new Waiting(taskToken, request));
    // The object may have finished between the activity's first check and this registration,
    // its event dropped as nobody waited: the informer's cache has it then. Read after the
    // put, so an event later than the read finds the stage waiting. A Job still running needs
    // no read now (saves a Job, pod and log read per stage): its end is an event.
    HasMetadata cached = cachedObject(request.namespace(), request.objectName());
    if (cached == null || settled(cached)) {
      schedule(key);
    }
  }

  private HasMetadata cachedObject(String namespace, String name) {
    for (SharedIndexInformer<? extends HasMetadata> informer : informers.getOrDefault(namespace, List.of())) {
      HasMetadata obj = informer.getStore().getByKey(namespace + "/" + name);
      if (obj != null) {
        return obj;
      }
    }
    return null;
  }

  /** Stages waited on now. */
  public int waitingCount() {
    return waiting.size();
  }

  private void ensureInformers(String namespace) {
    informers.computeIfAbsent(namespace, ns -> {
      List<SharedIndexInformer<? extends HasMetadata>> list = new ArrayList<>();
      list.add(client.batch().v1().jobs().inNamespace(ns)
          .withLabel(FineflowLabels.MANAGED_BY, FineflowLabels.FINEFLOW).inform(handler()));
      list.add(client.apps().deployments().inNamespace(ns)
          .withLabel(FineflowLabels.MANAGED_BY, FineflowLabels.FINEFLOW).inform(handler()));
      return list;
    });
  }

  private <T extends HasMetadata> ResourceEventHandler<T> handler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        if (settled(obj)) {
          changed(obj);
        }
      }

      @Override
      public void onUpdate(T oldObj, T obj) {
        if (settled(obj)) {
          changed(obj);
        }
      }

      @Override
      public void onDelete(T obj, boolean unknownFinalState) {
        changed(obj);
      }
    };
  }

  /**
   * A Job event is worth a check only once the Job has finished: the pod's start and the
   * Job's intermediate updates would each cost a status read (Job, pods, log) and a heartbeat
   * that learn only "still running" (measured: 4 checks per stage before, 2 after; see
   * docs/performance.md). What no Job event announces (unschedulable pods, progress lines) the
   * tick reads. Deployments are checked on every change: their readiness is a status change.
   */
  static boolean settled(HasMetadata obj) {
    if (!(obj instanceof Job job)) {
      return true;
    }
    JobStatus status = job.getStatus();
    if (status == null) {
      return false;
    }
    boolean counted = (status.getSucceeded() != null && status.getSucceeded() > 0)
        || (status.getFailed() != null && status.getFailed() > 0);
    boolean terminal = status.getConditions() != null && status.getConditions().stream()
        .anyMatch(c -> "True".equals(c.getStatus()) && TERMINAL_CONDITIONS.contains(c.getType()));
    return counted || terminal;
  }

  private void changed(HasMetadata obj) {
    Set<String> keys = byObject.get(key(obj.getMetadata().getNamespace(), obj.getMetadata().getName()));
    if (keys != null) {
      keys.forEach(this::schedule);
    }
  }

  /** Stops waiting on {@code w}; false when it was no longer waited on (completed meanwhile). */
  private boolean forget(String key, Waiting w) {
    if (!waiting.remove(key, w)) {
      return false;
    }
    String object = key(w.request().namespace(), w.request().objectName());
    byObject.computeIfPresent(object, (o, keys) -> {
      keys.remove(key);
      return keys.isEmpty() ? null : keys;
    });
    return true;
  }

  private void checkAll() {
    waiting.keySet().forEach(this::schedule);
  }

  /** Checks the stage soon, after the check of it that runs now, if any. */
  private void schedule(String key) {
    Waiting w = waiting.get(key);
    if (w == null) {
      return;
    }
    requested.add(key);
    if (inFlight.add(key)) {
      executorFor(w).execute(() -> drain(key));
    }
  }

  private void drain(String key) {
    try {
      while (requested.remove(key)) {
        check(key);
      }
    } finally {
      inFlight.remove(key);
    }
    // Asked for between the last check and leaving: nobody else will run it.
    if (requested.contains(key)) {
      schedule(key);
    }
  }

  private ExecutorService executorFor(Waiting w) {
    return w.request().stage().kind() == StageKind.DEPLOYMENT
        ? rolloutChecks : checks;
  }

  private void check(String key) {
    Waiting w = waiting.get(key);
    if (w == null) {
      return;
    }
    try {
      StageResult result = check.apply(w.request());
      if (forget(key, w)) {
        completions.complete(w.taskToken(), result);
      }
    } catch (ApplicationFailure f) {
      if (FailureType.STILL_RUNNING.type().equals(f.getType())) {
        heartbeat(key, w, progressOf(f));
      } else if (forget(key, w)) {
        failAwait(w, f);
      }
    } catch (ActivityCompletionException gone) {
      // Timed out or cancelled meanwhile: Temporal has moved on, so does the watcher.
      forget(key, w);
    } catch (RuntimeException e) {
      // A read failed (API error): the tick checks again; the heartbeat timeout covers a dead worker.
      LOG.warn("checking {} failed; will check again", key, e);
    }
  }

  /**
   * Reports the stage's failure to its await. Outside {@link #check}'s try: a run that ended
   * meanwhile (cancelled, say) answers "already completed", which is no error of the watcher's.
   */
  private void failAwait(Waiting w, ApplicationFailure f) {
    try {
      completions.completeExceptionally(w.taskToken(), f);
    } catch (ActivityCompletionException gone) {
      LOG.debug("the await of {} ended before its failure was reported: {}", w.request().stage().name(), gone.toString());
    }
  }

  private void heartbeat(String key, Waiting w, StageProgress progress) {
    try {
      completions.heartbeat(w.taskToken(), progress);
    } catch (ActivityCompletionException gone) {
      forget(key, w);
    }
  }

  private static StageProgress progressOf(ApplicationFailure f) {
    try {
      return f.getDetails().get(StageProgress.class);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }


  @Override
  public void close() {
    ticker.shutdownNow();
    checks.shutdownNow();
    rolloutChecks.shutdownNow();
    informers.values().forEach(list -> list.forEach(SharedIndexInformer::close));
  }
}
