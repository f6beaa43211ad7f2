package fineflow.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.workflows.contract.AwaitRequest;
import fineflow.workflows.contract.FailureType;
import fineflow.workflows.contract.StageResult;
import fineflow.workflows.plan.Resources;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.StageKind;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.spec.ClusterSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.temporal.client.ActivityCompletionClient;
import io.temporal.failure.ApplicationFailure;
import java.lang.reflect.Proxy;
import org.awaitility.Awaitility;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The watcher's scheduling: one check of a stage at a time, rollouts off the shared pool. */
@EnableKubernetesMockClient(crud = true)
class StageWatcherTest {
  KubernetesClient client;
  StageWatcher watcher;
  final Map<String, Object> completed = new ConcurrentHashMap<>();

  /** Records completions by task token; heartbeats are accepted and dropped. */
  ActivityCompletionClient completions() {
    return (ActivityCompletionClient) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {ActivityCompletionClient.class}, (proxy, method, args) -> {
          if (method.getName().startsWith("complete") && args != null && args[0] instanceof byte[] token) {
            completed.put(new String(token, StandardCharsets.UTF_8), args[args.length - 1]);
          }
          return null;
        });
  }

  static AwaitRequest request(String object, StageName name, StageKind kind) {
    Stage stage = new Stage(name, kind, "img", List.of("x"), Map.of(), List.of(),
        Resources.cpuOnly("1", "1Gi"), List.of(), 60, 1, List.of(), List.of(), "k".repeat(64), "s");
    return new AwaitRequest("run", "ns", stage, object, ClusterSpec.defaults());
  }

  static StageResult result(AwaitRequest r) {
    return new StageResult(r.stage().name(), r.stage().cacheKey(), r.objectName(), null, List.of(),
        Map.of(), Map.of(), false);
  }

  static ApplicationFailure stillRunning() {
    return ApplicationFailure.newFailure("still running", FailureType.STILL_RUNNING.type());
  }

  StageWatcher watcher(Function<AwaitRequest, StageResult> check) {
    // A tick that never fires during a test: checks come from registrations only.
    watcher = new StageWatcher(client, completions(), check, Duration.ofHours(1), 4);
    return watcher;
  }

  @AfterEach
  void close() {
    if (watcher != null) {
      watcher.close();
    }
  }

  /**
   * A rollout check that promotes must not run beside one that rolls back: a second request to
   * check the stage while a check runs waits for it. The first check holds until the second
   * starts (which is the race) or 2 s pass; the second then must have started after it ended.
   */
  @Test
  void twoChecksOfOneStageNeverOverlap() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    CountDownLatch firstEntered = new CountDownLatch(1);
    CountDownLatch secondEntered = new CountDownLatch(1);
    CountDownLatch bothDone = new CountDownLatch(2);
    AwaitRequest rollout = request("app-rollout-abc", StageName.ROLLOUT, StageKind.DEPLOYMENT);
    watcher(r -> {
      boolean first = firstEntered.getCount() == 1;
      events.add("enter");
      try {
        if (first) {
          firstEntered.countDown();
          secondEntered.await(2, TimeUnit.SECONDS);
        } else {
          secondEntered.countDown();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        events.add("exit");
        bothDone.countDown();
      }
      throw stillRunning();
    });

    watcher.register("t1".getBytes(StandardCharsets.UTF_8), rollout);
    assertThat(firstEntered.await(10, TimeUnit.SECONDS)).isTrue();
    watcher.register("t1".getBytes(StandardCharsets.UTF_8), rollout);

    assertThat(bothDone.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(events).containsExactly("enter", "exit", "enter", "exit");
  }

  /**
   * Runs of one key share a server (issue 13): each run's await of the same Deployment is
   * completed, not only the last one registered.
   */
  @Test
  void everyRunWaitingOnOneSharedObjectIsCompleted() throws Exception {
    watcher(StageWatcherTest::result);
    AwaitRequest first = request("demo-baseline-abc", StageName.BASELINE, StageKind.DEPLOYMENT);
    AwaitRequest second = new AwaitRequest("other-run", first.namespace(), first.stage(), first.objectName(),
        first.cluster());

    watcher.register("t1".getBytes(StandardCharsets.UTF_8), first);
    watcher.register("t2".getBytes(StandardCharsets.UTF_8), second);

    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> completed.keySet().containsAll(List.of("t1", "t2")));
    assertThat(watcher.waitingCount()).isZero();
  }

  /**
   * A stage that failed after its run ended (cancelled meanwhile): Temporal answers the failure
   * with "already completed"; the watcher drops it instead of throwing it out of its thread.
   */
  @Test
  void aFailureForAnAwaitThatEndedMeanwhileIsDropped() throws Exception {
    List<Throwable> escaped = new CopyOnWriteArrayList<>();
    Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> escaped.add(e));
    CountDownLatch reported = new CountDownLatch(1);
    try {
      ActivityCompletionClient gone = (ActivityCompletionClient) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {ActivityCompletionClient.class}, (proxy, method, args) -> {
            reported.countDown();
            throw new io.temporal.client.ActivityNotExistsException("workflow execution already completed",
                new io.grpc.StatusRuntimeException(io.grpc.Status.NOT_FOUND));
          });
      watcher = new StageWatcher(client, gone, r -> {
        throw ApplicationFailure.newNonRetryableFailure("the Job failed", FailureType.STAGE_FAILED.type());
      }, Duration.ofHours(1), 4);

      watcher.register("t1".getBytes(StandardCharsets.UTF_8), request("app-train-1", StageName.TRAIN, StageKind.JOB));

      assertThat(reported.await(10, TimeUnit.SECONDS)).isTrue();
      watcher.close();
      watcher = null;
      assertThat(escaped).isEmpty();
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(before);
    }
  }

  /** A smoke test that hangs (retries, 2-minute timeouts) holds no thread a Job's check needs. */
  @Test
  void aSlowRolloutCheckDoesNotDelayAJobsAwait() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    watcher(r -> {
      if (r.stage().kind() == StageKind.DEPLOYMENT) {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return result(r);
    });
    // More slow rollouts than the shared pool has threads.
    for (int i = 0; i < 6; i++) {
      watcher.register(("rollout-" + i).getBytes(StandardCharsets.UTF_8),
          request("app-rollout-" + i, StageName.ROLLOUT, StageKind.DEPLOYMENT));
    }
    watcher.register("job".getBytes(StandardCharsets.UTF_8),
        request("run-train-1", StageName.TRAIN, StageKind.JOB));
    try {
      for (int i = 0; i < 1000 && !completed.containsKey("job"); i++) {
        Thread.sleep(10);
      }
      assertThat(completed).as("the Job's await completed while every rollout check hung")
          .containsKey("job").doesNotContainKey("rollout-0");
    } finally {
      release.countDown();
    }
  }

  /**
   * The tick re-checks a running Job stage from the informers' caches: no GET of the Job, no pod
   * list, its log tail once every {@value StageWatcher#TAIL_EVERY_TICKS} ticks; every tick still
   * heartbeats. The Job's end (an event) gets the full read and completes the await.
   */
  @Test
  void theTickReadsARunningJobFromTheCachesAndItsTailEveryFewTicks() throws Exception {
    List<String> requests = new CopyOnWriteArrayList<>();
    KubernetesClient counted = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
        .withConfig(client.getConfiguration())
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("count", new io.fabric8.kubernetes.client.http.Interceptor() {
          @Override
          public void before(io.fabric8.kubernetes.client.http.BasicBuilder builder,
              io.fabric8.kubernetes.client.http.HttpRequest request, RequestTags tags) {
            String query = request.uri().getRawQuery();
            requests.add(request.method() + " " + request.uri().getRawPath()
                + (query != null && query.contains("watch=true") ? " (watch)" : ""));
          }
        }))
        .build();
    String name = "run-train-1";
    Map<String, String> labels = Map.of(FineflowLabels.MANAGED_BY, FineflowLabels.FINEFLOW);
    client.batch().v1().jobs().inNamespace("ns").resource(new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder()
        .withNewMetadata().withName(name).withLabels(labels).endMetadata()
        .withNewStatus().withActive(1).endStatus().build()).create();
    client.pods().inNamespace("ns").resource(new io.fabric8.kubernetes.api.model.PodBuilder()
        .withNewMetadata().withName(name + "-x").addToLabels(labels).addToLabels(FineflowLabels.JOB_NAME, name).endMetadata()
        .withNewSpec().addNewContainer().withName("main").withImage("img").endContainer().endSpec()
        .withNewStatus().withPhase("Running").addNewContainerStatus().withName("main")
        .withNewState().withNewRunning().withStartedAt("2026-12-03T00:00:00Z").endRunning().endState()
        .endContainerStatus().endStatus().build()).create();
    KubernetesStageActivities activities = new KubernetesStageActivities(counted, "ns");
    List<Object> heartbeats = new CopyOnWriteArrayList<>();
    ActivityCompletionClient recording = (ActivityCompletionClient) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {ActivityCompletionClient.class}, (proxy, method, args) -> {
          if (method.getName().equals("heartbeat")) {
            heartbeats.add(args[1]);
          } else if (method.getName().startsWith("complete")) {
            completed.put(new String((byte[]) args[0], StandardCharsets.UTF_8), args[args.length - 1]);
          }
          return null;
        });
    try {
      watcher = new StageWatcher(counted, recording, activities::await, activities::runningProgress,
          Duration.ofMillis(100), 4);
      watcher.register("t".getBytes(StandardCharsets.UTF_8), request(name, StageName.TRAIN, StageKind.JOB));
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> heartbeats.size() >= 12);
      List<String> reads = List.copyOf(requests);

      assertThat(reads).as("no per-stage GET of the Job on a tick").doesNotContain("GET /apis/batch/v1/namespaces/ns/jobs/" + name);
      assertThat(reads).as("pods from the informer: one list, then its watch").filteredOn(r -> r.startsWith("GET /api/v1/namespaces/ns/pods?")
          || r.equals("GET /api/v1/namespaces/ns/pods")).hasSizeLessThanOrEqualTo(1);
      long tails = reads.stream().filter(r -> r.endsWith("/pods/" + name + "-x/log")).count();
      assertThat(tails).as("log tails for %d heartbeats", heartbeats.size())
          .isBetween(1L, (long) heartbeats.size() / StageWatcher.TAIL_EVERY_TICKS + 1);

      // The Job fails: its event gets the full read, which reports the failure.
      client.batch().v1().jobs().inNamespace("ns").withName(name).editStatus(j -> new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder(j)
          .editStatus().withActive(0).withFailed(1).addNewCondition().withType("Failed").withStatus("True")
          .withReason("BackoffLimitExceeded").endCondition().endStatus().build());
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> completed.containsKey("t"));
      assertThat(requests).contains("GET /apis/batch/v1/namespaces/ns/jobs/" + name);
    } finally {
      counted.close();
    }
  }
}
