package fineflow.workflows.pipeline;

import fineflow.workflows.contract.Artifact;
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
import fineflow.workflows.plan.SecretEnv;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.StageName;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInfo;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The stage activities against an imaginary cluster: a stage "runs" for a given span of
 * workflow time (measured from its await activity's first schedule, so it follows the test
 * server's skipped clock), and fails on command. Keeps the cache across runs like a ConfigMap
 * would, and a secret store whose values only pods may see.
 */
final class FakeCluster implements StageActivities {
  /** What a stage runs for when not told otherwise. */
  static final Duration DEFAULT_RUNTIME = Duration.ofMinutes(3);

  final Map<String, StageResult> cache = new ConcurrentHashMap<>();
  final Map<String, String> secrets = new ConcurrentHashMap<>();
  final Map<StageName, Duration> runtimes = new ConcurrentHashMap<>();
  /** Cache key → how a stage with that key fails (every launch). */
  final Map<String, FailureType> failingKeys = new ConcurrentHashMap<>();
  /** Stage → how many of its launches die transiently before one succeeds. */
  final Map<StageName, Integer> transientDeaths = new ConcurrentHashMap<>();
  final Map<StageName, AtomicInteger> launches = new ConcurrentHashMap<>();
  /** How many cache look-ups fail with an API error before they work again. */
  final AtomicInteger flakyLookups = new AtomicInteger();
  final AtomicInteger lookups = new AtomicInteger();
  final Map<StageName, AtomicInteger> awaitAttempts = new ConcurrentHashMap<>();
  final List<String> launched = new CopyOnWriteArrayList<>();
  /** The stages as launched: argv and cache key after the workflow resolved them. */
  final List<Stage> launchedStages = new CopyOnWriteArrayList<>();
  final List<CleanupRequest> cleanups = new CopyOnWriteArrayList<>();
  /** How many cleanups fail for good (RBAC: forbidden) before they work again. */
  final AtomicInteger failingCleanups = new AtomicInteger();
  /** The metrics the benchmark stage reports (BenchmarkSummary.toMetrics()), when set. */
  volatile Map<String, Double> benchmarkMetrics;
  final List<PromoteRequest> promotions = new CopyOnWriteArrayList<>();
  /**
   * What the dataset file on the imaginary workspace holds: dataset-prep's recorded sha follows
   * it, as the real program's digest of what it wrote does. Changed in place between runs.
   */
  volatile String datasetContent = "dataset v1";
  /** When set, the commit model-fetch records (the branch moved, the workspace model changed). */
  volatile String modelSha;
  /** Environment the pods got, secret values included: it never leaves the cluster. */
  final Map<String, Map<String, String>> podEnv = new ConcurrentHashMap<>();

  int launches(StageName stage) {
    AtomicInteger n = launches.get(stage);
    return n == null ? 0 : n.get();
  }

  int awaitAttempts(StageName stage) {
    AtomicInteger n = awaitAttempts.get(stage);
    return n == null ? 0 : n.get();
  }

  @Override
  public CacheLookup lookupCache(CacheQuery query) {
    lookups.incrementAndGet();
    if (flakyLookups.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw ApplicationFailure.newFailure("configmaps: 503 Service Unavailable",
          FailureType.TRANSIENT.type());
    }
    StageResult hit = cache.get(query.cacheKey());
    return hit == null ? CacheLookup.miss() : CacheLookup.hit(hit);
  }

  @Override
  public LaunchResult launch(LaunchRequest request) {
    StageName stage = request.stage().name();
    Map<String, String> env = new ConcurrentHashMap<>(request.stage().env());
    for (SecretEnv secret : request.stage().secretEnv()) {
      String value = secrets.get(secret.secretName());
      if (value == null) {
        throw ApplicationFailure.newNonRetryableFailure("secret " + secret.secretName()
            + " not found", FailureType.BAD_ARGUMENTS.type());
      }
      env.put(secret.name(), value);
    }
    String object = request.runId() + "-" + stage.id() + "-" + request.launch();
    podEnv.put(object, env);
    launches.computeIfAbsent(stage, s -> new AtomicInteger()).incrementAndGet();
    launched.add(stage.id());
    launchedStages.add(request.stage());
    return new LaunchResult(object, false);
  }

  @Override
  public StageResult await(AwaitRequest request) {
    StageName stage = request.stage().name();
    awaitAttempts.computeIfAbsent(stage, s -> new AtomicInteger()).incrementAndGet();
    ActivityInfo info = Activity.getExecutionContext().getInfo();
    Duration ran = Duration.ofMillis(
        info.getCurrentAttemptScheduledTimestamp() - info.getScheduledTimestamp());
    Duration runtime = runtimes.getOrDefault(stage, DEFAULT_RUNTIME);
    String pod = request.objectName() + "-pod";
    if (ran.compareTo(runtime) < 0) {
      long total = Math.max(1, runtime.toMinutes());
      long step = ran.toMinutes();
      throw ApplicationFailure.newFailure("still running", FailureType.STILL_RUNNING.type(),
          new StageProgress("Running", pod, "{\"event\":\"progress\",\"step\":" + step
              + ",\"totalSteps\":" + total + ",\"loss\":" + (2.0 - step / (double) total)
              + "}"));
    }
    FailureType failure = failingKeys.get(request.stage().cacheKey());
    if (failure != null) {
      throw ApplicationFailure.newNonRetryableFailure(stage + " failed: " + failure.type(),
          failure.type(), new StageFailure(stage.id(), failure.type(),
              "[TensorRT-LLM][ERROR] out of memory building the engine",
              "lower engine.maxBatchSize or engine.maxSeqLen",
              List.of("[TensorRT-LLM] building engine", "[TensorRT-LLM][ERROR] CUDA out of memory",
                  "exit code 3")));
    }
    int deaths = transientDeaths.getOrDefault(stage, 0);
    if (deaths > 0 && launches(stage) <= deaths) {
      throw ApplicationFailure.newFailure("pod evicted", FailureType.TRANSIENT.type(),
          new StageFailure(stage.id(), FailureType.TRANSIENT.type(), "pod " + pod + " evicted",
              "the node was drained; relaunching", List.of("Evicted")));
    }
    String dir = "/workspace/cache/" + stage.id() + "-" + request.stage().shortKey();
    Map<String, Double> metrics = stage == StageName.BENCHMARK && benchmarkMetrics != null
        ? benchmarkMetrics : Map.of("seconds", (double) ran.toSeconds());
    Map<String, String> resultInfo = stage == StageName.ROLLOUT
        ? Map.of("revision", request.stage().shortKey(), "promoted", "false")
        // model-fetch's commit: the same for the same key, as a pinned revision would be.
        : stage == StageName.MODEL_FETCH
        ? Map.of("sha", modelSha != null ? modelSha
            : TestPlans.sha256(request.stage().cacheKey()).substring(0, 40))
        : stage == StageName.DATASET_PREP ? Map.of("sha", datasetSha(datasetContent)) : Map.of();
    return new StageResult(stage, request.stage().cacheKey(), request.objectName(), pod,
        List.of(new Artifact(stage.id(), dir, "sha256-of-" + request.stage().shortKey(), 1024)),
        metrics, resultInfo, false);
  }

  static String datasetSha(String content) {
    return TestPlans.sha256("dataset:" + content);
  }

  @Override
  public void recordCache(CacheEntry entry) {
    cache.put(entry.cacheKey(), entry.result());
  }

  @Override
  public PromoteResult promote(PromoteRequest request) {
    promotions.add(request);
    return new PromoteResult("dazai-stable", request.revision());
  }

  @Override
  public CleanupResult cleanup(CleanupRequest request) {
    cleanups.add(request);
    if (failingCleanups.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw ApplicationFailure.newNonRetryableFailure("deployments.apps is forbidden",
          FailureType.BAD_ARGUMENTS.type());
    }
    List<String> deleted = new ArrayList<>();
    for (String object : podEnv.keySet()) {
      if (object.startsWith(request.runId() + "-")) {
        deleted.add("Job/" + object);
      }
    }
    Collections.sort(deleted);
    return new CleanupResult(deleted);
  }
}
