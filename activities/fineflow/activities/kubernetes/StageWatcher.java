package fineflow.activities.kubernetes;

import fineflow.activities.DaemonThreads;
import fineflow.workflows.contract.AwaitRequest;
import fineflow.workflows.contract.FailureType;
import fineflow.workflows.contract.StageProgress;
import fineflow.workflows.contract.StageResult;
import fineflow.workflows.plan.StageKind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
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
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes await activities asynchronously: one shared informer per namespace on fineflow's
 * Jobs and Deployments wakes the check of the stage whose object changed, so the next stage
 * starts within milliseconds of a pod's end, with no thread and no Temporal retry per
 * waiting stage. A slow tick re-checks every waiting stage for what no event announces
 * (unschedulable too long, readiness timeouts) and heartbeats its progress line; if this
 * worker dies, the heartbeat timeout makes Temporal retry the await on another worker. The
 * tick reads a running Job stage from the informers' caches (its Job, and its pods from a pod
 * informer) and its log tail for the progress line only every {@value #TAIL_EVERY_TICKS}th
 * tick: with 1,000 stages waiting, one GET per stage per tick was most of the API traffic
 * (docs/performance.md). Anything the caches cannot settle (a result, a verdict, a pending pod)
 * gets the full read.
 *
 * <p>Checks of one stage never overlap: events and ticks that arrive while one runs fold into
 * one more check after it (a rollout check may promote or roll back; two at once could do
 * both). Deployment checks run on their own (bounded) pool: their HTTP smoke test takes minutes at
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

  /** The tick's read of a running Job stage from the caches (see {@link JobExecutor#runningProgress}). */
  @FunctionalInterface
  public interface RunningCheck {
    /** Empty when the full check must decide. */
    Optional<StageProgress> progress(AwaitRequest request, JobReads reads, boolean readTail);
  }

  /** Threads for rollout checks (readiness reads and smoke tests), whatever the number of rollouts. */
  static final int ROLLOUT_CHECK_THREADS = 16;

  /** How many ticks a cached re-check of a running stage goes without reading its log tail. */
  static final int TAIL_EVERY_TICKS = 4;
  /** The pod informer's index of pods by namespace and Job (the Job controller's job-name label). */
  private static final String BY_JOB = "job";

  private final RunningCheck running;
  /** Keys the tick asked to re-check (a cached read may do); {@link #requested} needs a full one. */
  private final Set<String> tickRequested = ConcurrentHashMap.newKeySet();
  /** Keys whose next tick check reads the log tail. */
  private final Set<String> tailDue = ConcurrentHashMap.newKeySet();
  /** The progress each waiting stage heartbeated last: a cached re-check without a tail keeps its line. */
  private final Map<String, StageProgress> lastProgress = new ConcurrentHashMap<>();
  private final AtomicLong ticks = new AtomicLong();
  private final Map<String, SharedIndexInformer<Pod>> podInformers = new ConcurrentHashMap<>();

  /**
   * @param check one status read of a stage: returns its result, or throws the await
   *     activity's failures ({@code StillRunning} while it runs)
   * @param tick how often every waiting stage is re-checked and heartbeated
   */
  public StageWatcher(KubernetesClient client, ActivityCompletionClient completions,
      Function<AwaitRequest, StageResult> check, Duration tick, int checkThreads) {
    this(client, completions, check, null, tick, checkThreads);
  }

  /**
   * @param running the tick's cached read of running Job stages; null to re-check every
   *     waiting stage with {@code check} (no pod informer then)
   */
  public StageWatcher(KubernetesClient client, ActivityCompletionClient completions,
      Function<AwaitRequest, StageResult> check, RunningCheck running, Duration tick, int checkThreads) {
    this.running = running;
    this.client = client;
    this.completions = completions;
    this.check = check;
    this.ticker = Executors.newSingleThreadScheduledExecutor(new DaemonThreads("fineflow-await-tick"));
    this.checks = Executors.newFixedThreadPool(checkThreads, new DaemonThreads("fineflow-await-check"));
    // Apart from the Job checks, and bounded: 100 pipelines in flight held 61 rollout-check
    // threads at once with an unbounded pool, 1,000 would hold ~600 (docs/performance.md). A
    // rollout waits for a thread behind others' smoke tests; the Job checks never do.
    this.rolloutChecks = Executors.newFixedThreadPool(ROLLOUT_CHECK_THREADS, new DaemonThreads("fineflow-await-rollout"));
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
      if (running != null) {
        // No handler: the Job's events wake the checks; the tick reads pods from here.
        SharedIndexInformer<Pod> pods = client.pods().inNamespace(ns)
            .withLabel(FineflowLabels.MANAGED_BY, FineflowLabels.FINEFLOW).runnableInformer(0);
        pods.addIndexers(Map.of(BY_JOB, pod -> {
          String job = pod.getMetadata().getLabels() == null ? null
              : pod.getMetadata().getLabels().get(FineflowLabels.JOB_NAME);
          return job == null ? List.of() : List.of(key(pod.getMetadata().getNamespace(), job));
        }));
        pods.run();
        podInformers.put(ns, pods);
      }
      return list;
    });
  }

  /** The Job and pods of a namespace as the informers last saw them. */
  private JobReads cached() {
    return new JobReads() {
      @Override
      public Job job(String namespace, String name) {
        return cachedObject(namespace, name) instanceof Job job ? job : null;
      }

      @Override
      public List<Pod> pods(String namespace, String jobName) {
        SharedIndexInformer<Pod> pods = podInformers.get(namespace);
        return pods == null ? List.of() : pods.getIndexer().byIndex(BY_JOB, key(namespace, jobName));
      }
    };
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
    lastProgress.remove(key);
    String object = key(w.request().namespace(), w.request().objectName());
    byObject.computeIfPresent(object, (o, keys) -> {
      keys.remove(key);
      return keys.isEmpty() ? null : keys;
    });
    return true;
  }

  private void checkAll() {
    boolean readTail = ticks.incrementAndGet() % TAIL_EVERY_TICKS == 0;
    waiting.keySet().forEach(key -> schedule(key, readTail ? Ask.TICK_WITH_TAIL : Ask.TICK));
  }

  /** What a scheduled check must read: everything, or (a tick) what the caches cannot answer. */
  private enum Ask { FULL, TICK, TICK_WITH_TAIL }

  /** Checks the stage soon, after the check of it that runs now, if any. */
  private void schedule(String key) {
    schedule(key, Ask.FULL);
  }

  private void schedule(String key, Ask ask) {
    Waiting w = waiting.get(key);
    if (w == null) {
      return;
    }
    if (ask == Ask.FULL) {
      requested.add(key);
    } else {
      tickRequested.add(key);
      if (ask == Ask.TICK_WITH_TAIL) {
        tailDue.add(key);
      }
    }
    if (inFlight.add(key)) {
      executorFor(w).execute(() -> drain(key));
    }
  }

  private void drain(String key) {
    try {
      while (true) {
        if (requested.remove(key)) {
          tickRequested.remove(key);
          tailDue.remove(key);
          check(key);
        } else if (tickRequested.remove(key)) {
          tick(key, tailDue.remove(key));
        } else {
          break;
        }
      }
    } finally {
      inFlight.remove(key);
    }
    // Asked for between the last check and leaving: nobody else will run it.
    if (requested.contains(key) || tickRequested.contains(key)) {
      schedule(key, requested.contains(key) ? Ask.FULL : Ask.TICK);
    }
  }

  /**
   * The tick's re-check: a Job stage the caches show running is heartbeated from them (its
   * previous progress line unless the tail is read); anything else gets the full check.
   */
  private void tick(String key, boolean readTail) {
    Waiting w = waiting.get(key);
    if (w == null) {
      return;
    }
    if (running != null && w.request().stage().kind() == StageKind.JOB) {
      Optional<StageProgress> progress;
      try {
        progress = running.progress(w.request(), cached(), readTail);
      } catch (RuntimeException e) {
        // A tail read failed: the full check reads it all again.
        progress = Optional.empty();
      }
      if (progress.isPresent()) {
        StageProgress p = progress.get();
        StageProgress last = lastProgress.get(key);
        if (p.line() == null && last != null && last.line() != null && Objects.equals(last.podName(), p.podName())) {
          p = new StageProgress(p.phase(), p.podName(), last.line());
        }
        heartbeat(key, w, p);
        return;
      }
    }
    check(key);
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
    if (progress != null) {
      lastProgress.put(key, progress);
    }
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
    podInformers.values().forEach(SharedIndexInformer::close);
  }
}
