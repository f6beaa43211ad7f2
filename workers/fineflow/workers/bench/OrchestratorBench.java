package fineflow.workers.bench;

import fineflow.activities.DaemonThreads;
import fineflow.activities.kubernetes.FineflowLabels;
import fineflow.workers.client.RunClient;
import fineflow.workers.dev.DevOptions;
import fineflow.workers.dev.DevStack;
import fineflow.workers.dev.ApiRecorder;
import fineflow.workers.dev.EmbeddedKubernetes;
import fineflow.workers.dev.RealCluster;
import fineflow.workers.dev.StageTimeline;
import fineflow.workers.bench.floor.TemporalFloor;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import fineflow.workers.bench.floor.KubernetesFloor;
import java.util.function.Supplier;
import fineflow.workflows.pipeline.PipelineRequest;
import fineflow.workflows.pipeline.RunOutcome;
import fineflow.workflows.plan.Planner;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecPatch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs N pipelines of the full plan on a fresh dev stack (real or embedded engines) and measures what
 * orchestration costs: the gap between stages, history size, threads, heap and Kubernetes
 * API requests. Each pipeline gets its own dataset seed, so every cache key differs and no
 * stage is served from the cache.
 */
public final class OrchestratorBench {
  private static final double MIB = 1024.0 * 1024.0;
  /** Activities per Temporal floor chain: as many as the plan's stages. */
  static final int FLOOR_STEPS = 8;
  private static final Duration FLOOR_TIMEOUT = Duration.ofMinutes(4);
  /** Runs still unfinished after this are counted as not completed. */
  private final Duration timeout;
  private final PipelineSpec base;

  /** @param base the spec every pipeline varies (by dataset seed); must plan without a cached stage */
  public OrchestratorBench(PipelineSpec base, Duration timeout) {
    this.base = base;
    this.timeout = timeout;
  }

  /** The result, and what the text table shows besides it. */
  public record Run(BenchResult result, int failed, int jvmThreadsPeak, int baselineThreads,
      Map<String, Long> apiRequests, Map<String, Long> floorApiRequests, int floorChains, long floorChainsComplete,
      Map<String, Integer> threadsAtPeak, String firstUnfinished) {
  }

  public Run run(BenchSettings settings) throws InterruptedException {
    // As many simulated GPUs as pipelines in flight: the GPU stages of concurrent runs do not queue.
    DevOptions options = new DevOptions(0, 0, settings.workspace(), 1000, settings.stageDuration(), null, 0,
        DevOptions.DEFAULT_NAMESPACE, settings.awaitMode(), settings.engines(), settings.concurrency());
    try (DevStack stack = DevStack.start(options, new SimpleMeterRegistry(), settings.tuning())) {
      return measure(stack, settings);
    }
  }

  /** Where a stack's stage times, request counts and teardown client come from. */
  private record Cluster(StageTimeline timeline, Supplier<Map<String, Long>> requestCounts,
      Supplier<KubernetesClient> uncounted, Supplier<Counted> floorClient) {
    static Cluster of(DevStack stack) {
      if (stack.cluster().isPresent()) {
        RealCluster c = stack.cluster().get();
        return new Cluster(c.timeline(), c::requestCounts, () -> c.serviceAccountClient(null), () -> {
          // The floor's own recorder: its requests are counted apart from the worker's.
          ApiRecorder floor = new ApiRecorder(c.timeline());
          return new Counted(c.serviceAccountClient(floor), floor::requestCounts);
        });
      }
      EmbeddedKubernetes k = stack.kubernetes();
      return new Cluster(k.timeline(), k::requestCounts, k::uncountedClient, () -> new Counted(
          new KubernetesClientBuilder().withConfig(k.client().getConfiguration()).build(), k::requestCounts));
    }
  }

  /** A client and the requests counted for it so far (the mock server counts all clients but the teardown's). */
  private record Counted(KubernetesClient client, Supplier<Map<String, Long>> requestCounts) {
  }

  private Run measure(DevStack stack, BenchSettings settings) throws InterruptedException {
    Cluster cluster = Cluster.of(stack);
    RunClient runs = new RunClient(stack.connection());
    List<PipelineSpec> specs = new ArrayList<>();
    for (int i = 0; i < settings.pipelines(); i++) {
      // Own seed: every cache key differs. Own name: each rollout gets its own stable Service.
      specs.add(SpecPatch.apply(base, List.of("dataset.seed=" + (1_000_000L + i),
          "metadata.name=" + String.format("bench-%05d", i))));
    }
    List<String> stageOrder = Planner.plan(specs.get(0)).stages().stream().map(s -> s.name().id()).toList();

    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP).toList();
    ThreadPeak peak = new ThreadPeak(threads, heap);
    int baseline = threads.getThreadCount();
    threads.resetPeakThreadCount();
    heap.forEach(MemoryPoolMXBean::resetPeakUsage);
    Map<String, Long> requestsBefore = cluster.requestCounts().get();
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(new DaemonThreads("bench-sampler"));
    sampler.scheduleAtFixedRate(peak::sample, 0, 100, TimeUnit.MILLISECONDS);

    RunWaiters waiters = new RunWaiters(cluster.timeline(), stageOrder.get(stageOrder.size() - 1));
    Teardown teardown = new Teardown(cluster.uncounted().get(), stack.options().namespace());
    long start = System.nanoTime();
    Semaphore slots = new Semaphore(settings.concurrency());
    Map<String, RunOutcome> outcomes = new ConcurrentHashMap<>();
    AtomicInteger failed = new AtomicInteger();
    List<String> ids = new ArrayList<>();
    List<CompletableFuture<?>> done = new ArrayList<>();
    long deadline = start + timeout.toNanos();
    for (int i = 0; i < specs.size(); i++) {
      if (!slots.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        break;
      }
      PipelineRequest request = runs.submit(specs.get(i), String.format("bench-%05d", i),
          stack.options().namespace());
      ids.add(request.runId());
      // Waits on a long poll, not on a thread: the client holds no thread per running pipeline.
      CompletableFuture<Void> finished = new CompletableFuture<>();
      done.add(finished);
      waiters.add(request.runId(), () -> {
        try {
          RunOutcome outcome = runs.untyped(request.runId()).getResult(RunOutcome.class);
          outcomes.put(request.runId(), outcome);
          teardown.remove(request.runId(), outcome);
        } catch (RuntimeException e) {
          failed.incrementAndGet();
        } finally {
          slots.release();
          finished.complete(null);
        }
      });
    }
    try {
      CompletableFuture.allOf(done.toArray(CompletableFuture[]::new))
          .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // Counted: failures in `failed`, unfinished runs as not completed.
    }
    double wallSeconds = (System.nanoTime() - start) / 1e9;
    sampler.shutdownNow();
    waiters.close();
    // Runs unfinished at the deadline stop here: the floors that follow measure the engines
    // alone, not beside a worker still running the rest.
    ids.stream().filter(id -> !outcomes.containsKey(id)).forEach(id -> {
      try {
        runs.untyped(id).terminate("bench-orchestrator: not finished within --timeout-minutes");
        teardown.remove(id, null);
      } catch (RuntimeException e) {
        // Finished meanwhile, or the server is gone: nothing left to stop.
      }
    });
    teardown.close();
    peak.sample();

    // The pools peak at different moments (eden just before a collection, old gen later), so
    // the sum of their peaks overstates; the sampled total is the heap actually used at once.
    double heapPeak = peak.heapPeakBytes() / MIB;
    int threadPeak = threads.getPeakThreadCount();
    Map<String, Long> requests = delta(cluster.requestCounts().get(), requestsBefore);
    long requestTotal = requests.values().stream().mapToLong(Long::longValue).sum();
    // Per stage launched (its Job or Deployment created), of every run: a run unfinished at the
    // deadline made requests too, so dividing by the completed runs' stages overstates.
    long stagesRun = requests.getOrDefault("POST jobs", 0L) + requests.getOrDefault("POST deployments", 0L);

    List<String> labelValues = ids.stream().map(FineflowLabels::runValue).toList();
    // The benchmark Job follows the rollout, whose end is its Deployment ready plus the smoke
    // test, not a pod's Succeeded: transitions are measured up to the rollout's Deployment created.
    List<Double> transitions = cluster.timeline().transitionsMillis(labelValues,
        stageOrder.subList(0, stageOrder.size() - 1));
    List<Long> events = new ArrayList<>();
    for (String id : outcomes.keySet()) {
      events.add(runs.describe(id).getHistoryLength());
    }
    int completed = outcomes.size();
    // As many chains as pipelines were in flight at most.
    int floorChains = Math.min(settings.concurrency(), settings.pipelines());
    // The floor on the same server, after the pipelines: N bare chains of 8 no-op activities on a
    // worker with the same slots (docs/performance.md, "Floors").
    TemporalFloor.Result floor = new TemporalFloor(stack.connection().client(), settings.tuning())
        .measure(floorChains, FLOOR_STEPS, floorTimeout());
    BenchResult.Percentiles floorAll = percentiles(floor.gapsMillis());
    // The Kubernetes floor on the same cluster, after the Temporal one: N bare Job chains.
    KubernetesFloor.Result kubeFloor;
    Map<String, Long> floorRequests;
    Counted floorClient = cluster.floorClient().get();
    try (KubernetesClient client = floorClient.client()) {
      Map<String, Long> floorBefore = floorClient.requestCounts().get();
      kubeFloor = new KubernetesFloor(client, stack.options().namespace(), base.engine().image(), cluster.timeline())
          .measure(floorChains, FLOOR_STEPS, floorTimeout());
      floorRequests = delta(floorClient.requestCounts().get(), floorBefore);
    }
    BenchResult.Percentiles kubeFloorAll = percentiles(kubeFloor.gapsMillis());
    long floorStages = (long) kubeFloor.gapsMillis().size() + kubeFloor.completeChains();
    double floorRequestTotal = floorRequests.values().stream().mapToLong(Long::longValue).sum();
    BenchResult result = new BenchResult(stack.engines().temporal().name() + " Temporal, "
        + stack.engines().kubernetes().name() + " Kubernetes", settings.pipelines(), completed, round(wallSeconds),
        percentiles(transitions), new BenchResult.Floor(floorAll.p50(), floorAll.p99()),
        new BenchResult.Floor(kubeFloorAll.p50(), kubeFloorAll.p99()),
        new BenchResult.Spread(round(events.stream().mapToLong(Long::longValue).average().orElse(0)),
            events.stream().mapToLong(Long::longValue).max().orElse(0)),
        threadPeak - baseline, round(heapPeak),
        round(stagesRun == 0 ? 0 : requestTotal / (double) stagesRun),
        round(floorStages == 0 ? 0 : floorRequestTotal / floorStages),
        round(completed / (wallSeconds / 60)));
    String unfinished = ids.stream().filter(id -> !outcomes.containsKey(id)).findFirst()
        .map(id -> id + ": " + runs.progress(id)).orElse(null);
    return new Run(result, failed.get(), threadPeak, baseline, requests, floorRequests, floorChains,
        Math.min(floor.completeChains(), kubeFloor.completeChains()), peak.groups(), unfinished);
  }

  /** What was counted since {@code before}, by "VERB resource"; zero counts left out. */
  private static Map<String, Long> delta(Map<String, Long> now, Map<String, Long> before) {
    Map<String, Long> out = new TreeMap<>();
    now.forEach((k, v) -> {
      long d = v - before.getOrDefault(k, 0L);
      if (d > 0) {
        out.put(k, d);
      }
    });
    return out;
  }

  /** A floor's chains do nothing: minutes past their start, an unfinished one is lost, not slow. */
  private Duration floorTimeout() {
    return timeout.compareTo(FLOOR_TIMEOUT) < 0 ? timeout : FLOOR_TIMEOUT;
  }

  static BenchResult.Percentiles percentiles(List<Double> sample) {
    if (sample.isEmpty()) {
      return new BenchResult.Percentiles(0, 0, 0);
    }
    List<Double> sorted = new ArrayList<>(sample);
    Collections.sort(sorted);
    return new BenchResult.Percentiles(round(rank(sorted, 0.50)), round(rank(sorted, 0.99)),
        round(sorted.get(sorted.size() - 1)));
  }

  /** Nearest-rank percentile. */
  private static double rank(List<Double> sorted, double q) {
    int i = (int) Math.ceil(q * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  /**
   * Every 100 ms: heap used (all heap pools at once) and the live thread count; at each new
   * thread peak, the threads grouped by name (digits dropped).
   */
  private static final class ThreadPeak {
    private final ThreadMXBean threads;
    private int max;
    private final List<MemoryPoolMXBean> heap;
    private Map<String, Integer> groups = Map.of();
    private long heapPeak;

    ThreadPeak(ThreadMXBean threads, List<MemoryPoolMXBean> heap) {
      this.threads = threads;
      this.heap = heap;
    }

    synchronized long heapPeakBytes() {
      // Never below what the pools report as their own peak of the largest one.
      long largestPoolPeak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).max().orElse(0);
      return Math.max(heapPeak, largestPoolPeak);
    }

    synchronized void sample() {
      heapPeak = Math.max(heapPeak, heap.stream().mapToLong(p -> p.getUsage().getUsed()).sum());
      int n = threads.getThreadCount();
      if (n > max) {
        max = n;
        Map<String, Integer> g = new HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
          g.merge(t.getName().replaceAll("\\d+", "N"), 1, Integer::sum);
        }
        groups = g;
      }
    }

    synchronized Map<String, Integer> groups() {
      return groups;
    }
  }
}
