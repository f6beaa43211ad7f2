package fineflow.engines.kubernetes;

import static fineflow.engines.kubernetes.RealStack.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import fineflow.activities.kubernetes.FineflowLabels;
import fineflow.workers.dev.DevOptions;
import fineflow.workers.dev.EngineChoice;
import fineflow.workers.dev.RealCluster;
import fineflow.workers.worker.AwaitMode;
import fineflow.workers.worker.PipelineWorker;
import fineflow.workers.worker.WorkerTuning;
import fineflow.workflows.pipeline.RunOutcome;
import fineflow.workflows.pipeline.RunProgress;
import fineflow.workflows.pipeline.StageState;
import fineflow.workflows.pipeline.StageStatus;
import fineflow.workflows.pipeline.TaskQueue;
import fineflow.workflows.plan.StageName;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, item 5: faults of the API server, for real and injected. The worker runs in this JVM
 * behind a {@link FaultProxy} (as k8s/'s ServiceAccount; HTTP watches, so the proxy sees them):
 * the proxy answers 429 and 503, loses answers after serving them, ends watches and answers
 * watches with 410 Gone, and the run still succeeds with one Job per stage. Then etcd and the
 * API server are restarted while a stage runs: the await rides the outage out, and the stage is
 * not launched a second time.
 */
@Tag("real-kubernetes")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealFaultsTest {
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(8);

  @TempDir
  static Path dir;
  static RealStack real;
  static FaultProxy proxy;
  static KubernetesClient proxied;
  static PipelineWorker worker;

  @BeforeAll
  static void startStack() throws Exception {
    // Simulated GPU stages take 30 s: long enough to restart etcd and the API server during one.
    real = RealStack.start(new DevOptions(0, 0, dir.resolve("workspace"), 1000, Duration.ofSeconds(30),
        null, 0, NS, null, EngineChoice.real, 2), false);
    RealCluster cluster = real.cluster();
    proxy = new FaultProxy(cluster.controlPlane().url(), cluster.controlPlane().caCertificate());
    proxied = new KubernetesClientBuilder().withConfig(new ConfigBuilder(
        cluster.controlPlane().serviceAccountConfig(NS, RealCluster.WORKER_SERVICE_ACCOUNT))
        .withMasterUrl(proxy.url()).withOnlyHttpWatches(true).build()).build();
    worker = PipelineWorker.start(real.stack.connection().client(), TaskQueue.DEFAULT, proxied, NS,
        service -> cluster.node().servers().url(service).orElseThrow(), AwaitMode.async, new SimpleMeterRegistry(),
        WorkerTuning.defaults().withWatchTick(Duration.ofSeconds(1)));
  }

  @AfterAll
  static void stopStack() {
    if (worker != null) {
      worker.close();
    }
    if (proxied != null) {
      proxied.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (real != null) {
      real.close();
    }
  }

  /** First: the worker's informers start during this run, so their first watches meet the faults. */
  @Test
  @Order(1)
  void throttlingUnavailabilityLostAnswersEndedAndExpiredWatchesAreRiddenOut() {
    proxy.goneWatches.set(3);
    proxy.faultEvery = 5;
    proxy.watchLifetime = Duration.ofSeconds(4);
    try {
      String run = real.submit(RealStack.demo("seed: 42", "seed: 21"));

      RunOutcome outcome = outcome(run);

      assertThat(outcome.stages()).filteredOn(s -> s.state() != StageState.SKIPPED)
          .allSatisfy(s -> assertThat(s.state()).as(s.stage().id()).isIn(StageState.SUCCEEDED, StageState.CACHED));
      for (StageStatus s : outcome.stages()) {
        if (s.state() == StageState.SUCCEEDED && s.stage() != StageName.ROLLOUT
            && s.stage() != StageName.BASELINE) {
          assertThat(real.jobs(run, s.stage())).as("Jobs of " + s.stage().id()).hasSize(1);
        }
      }
      real.tearDownServing(run);
    } finally {
      proxy.faultEvery = 0;
      proxy.watchLifetime = null;
    }
    System.out.printf("injected: 410 jobs %d, 410 deployments %d, 410 pods %d, 429 %d, 503 %d, lost answers %d,"
        + " cut watches %d%n", proxy.count("410 jobs"), proxy.count("410 deployments"), proxy.count("410 pods"),
        count("429 "), count("503 "), count("lost "), proxy.count("cut watch"));
    assertThat(count("429 ")).as("429s answered").isPositive();
    assertThat(count("503 ")).as("503s answered").isPositive();
    assertThat(count("lost ")).as("answers lost after the request was served").isPositive();
    assertThat(proxy.count("cut watch")).as("watches ended by the proxy").isPositive();
    // The watcher's three informers (Jobs, Deployments, and the pods its tick reads) share the three 410s.
    assertThat(proxy.count("410 jobs") + proxy.count("410 deployments") + proxy.count("410 pods"))
        .as("watches answered 410 Gone").isEqualTo(3);
    // After each 410 the informer lists afresh before it watches again.
    List<String> events = proxy.events;
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).startsWith("410 ")) {
        String resource = events.get(i).substring(4);
        List<String> after = events.subList(i + 1, events.size()).stream()
            .filter(e -> e.equals("list " + resource) || e.equals("watch " + resource)).toList();
        assertThat(after).as("after 410 on " + resource).isNotEmpty();
        assertThat(after.get(0)).as("first request on " + resource + " after the 410").isEqualTo("list " + resource);
      }
    }
  }

  @Test
  @Order(2)
  void restartingEtcdAndTheApiServerDuringAStageLaunchesItOnce() throws Exception {
    String run = real.submit(RealStack.demo("seed: 42", "seed: 23"));
    String label = FineflowLabels.runValue(run);
    Pod training = await().atMost(RUN_TIMEOUT).pollInterval(Duration.ofMillis(250)).until(() ->
        real.admin.pods().inNamespace(NS).withLabel(FineflowLabels.RUN, label)
            .withLabel(FineflowLabels.STAGE, StageName.TRAIN.id()).list().getItems().stream()
            .filter(p -> "Running".equals(p.getStatus().getPhase())).findFirst().orElse(null), p -> p != null);

    long begin = System.nanoTime();
    real.cluster().controlPlane().restart("etcd", Duration.ofSeconds(3));
    real.cluster().controlPlane().restart("kube-apiserver", Duration.ofSeconds(3));
    System.out.printf("etcd and kube-apiserver restarted in %d ms while %s ran%n",
        (System.nanoTime() - begin) / 1_000_000, training.getMetadata().getName());

    RunProgress after = await().atMost(RUN_TIMEOUT).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
        .until(() -> real.runs.progress(run), p -> p.stage(StageName.TRAIN).map(StageStatus::state)
            .orElse(StageState.PENDING) == StageState.SUCCEEDED);

    assertThat(after.stage(StageName.TRAIN).orElseThrow().launch().count()).as("launches in fineflow's record").isEqualTo(1);
    // The executor reads the result off the pod; the Job controller counts it a moment later.
    List<Job> trainJobs = await().atMost(Duration.ofMinutes(2)).until(() -> real.jobs(run, StageName.TRAIN),
        jobs -> jobs.stream().anyMatch(j -> j.getStatus() != null && Integer.valueOf(1).equals(j.getStatus().getSucceeded())));
    assertThat(trainJobs).as("train Jobs on the API server").hasSize(1);
    assertThat(real.admin.pods().inNamespace(NS).withLabel("job-name", trainJobs.get(0).getMetadata().getName())
        .list().getItems()).as("the pod that ran through the restart").singleElement()
        .satisfies(p -> assertThat(p.getMetadata().getUid()).isEqualTo(training.getMetadata().getUid()));
    real.runs.cancel(run);
  }

  private static long count(String prefix) {
    return proxy.events.stream().filter(e -> e.startsWith(prefix)).count();
  }

  private static RunOutcome outcome(String run) {
    try {
      return real.runs.untyped(run).getResult(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS, RunOutcome.class);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("run " + run + " did not finish: " + real.runs.progress(run), e);
    }
  }
}
