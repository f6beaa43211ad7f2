package fineflow.engines.kubernetes;

import static org.awaitility.Awaitility.await;

import fineflow.activities.kubernetes.FineflowLabels;
import fineflow.engines.RealEngines;
import fineflow.workers.client.RunClient;
import fineflow.workers.dev.DevOptions;
import fineflow.workers.dev.DevStack;
import fineflow.workers.dev.RealCluster;
import fineflow.workers.engines.KubeControlPlane;
import fineflow.workflows.pipeline.PipelineRequest;
import fineflow.workflows.pipeline.RunProgress;
import fineflow.workflows.pipeline.RunState;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.spec.SpecLoader;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A dev stack on the real engines for the run-level tests: the real Temporal server and the real
 * control plane with the node agent, the worker as k8s/'s ServiceAccount. Reads what happened
 * from the API server as the admin, never from fineflow's own record.
 */
final class RealStack implements AutoCloseable {
  static final String NS = DevOptions.DEFAULT_NAMESPACE;
  private static final String REVISION = fineflow.activities.rollout.RolloutObjects.LABEL_REVISION;

  final DevStack stack;
  final RunClient runs;
  final KubernetesClient admin;

  private RealStack(DevStack stack) {
    this.stack = stack;
    this.runs = new RunClient(stack.connection());
    this.admin = cluster().controlPlane().adminClient();
  }

  /** Fails on CI, skips elsewhere, when an engine is missing. */
  static RealStack start(DevOptions options, boolean withWorker) {
    RealEngines.require("temporal");
    KubeControlPlane.BINARIES.forEach(RealEngines::require);
    long started = System.nanoTime();
    DevStack stack = withWorker ? DevStack.start(options) : DevStack.on(
        fineflow.workers.dev.RealTemporal.start(options.temporalDatabase(), 0), options, false);
    System.out.printf("dev stack on real engines up in %d ms (control plane %d ms)%n",
        (System.nanoTime() - started) / 1_000_000,
        stack.cluster().orElseThrow().controlPlane().startTime().toMillis());
    return new RealStack(stack);
  }

  RealCluster cluster() {
    return stack.cluster().orElseThrow(() -> new AssertionError("the stack is not on real Kubernetes"));
  }

  /** configs/demo.yaml with text replacements (a different seed gives different cache keys). */
  static String demo(String... replacements) {
    try {
      String yaml = Files.readString(Path.of("configs/demo.yaml"));
      for (int i = 0; i + 1 < replacements.length; i += 2) {
        if (!yaml.contains(replacements[i])) {
          throw new IllegalArgumentException("configs/demo.yaml has no '" + replacements[i] + "'");
        }
        yaml = yaml.replace(replacements[i], replacements[i + 1]);
      }
      return yaml;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String submit(String yaml) {
    PipelineRequest request = runs.submit(SpecLoader.load(yaml, "demo.yaml"), null, NS);
    return request.runId();
  }

  RunProgress awaitState(String run, RunState state, Duration within) {
    return await().atMost(within).pollInterval(Duration.ofMillis(500))
        .until(() -> runs.progress(run), p -> {
          if (p.runState() != state && p.runState() != RunState.RUNNING) {
            throw new AssertionError("run " + run + " is " + p.runState() + ", not " + state + ": " + p);
          }
          return p.runState() == state;
        });
  }

  /** The run's Jobs of one stage, as the API server lists them. */
  List<Job> jobs(String run, StageName stage) {
    return admin.batch().v1().jobs().inNamespace(NS).withLabel(FineflowLabels.RUN, FineflowLabels.runValue(run))
        .withLabel(FineflowLabels.STAGE, stage.id()).list().getItems();
  }

  private final java.util.Map<String, java.util.Set<String>> revisionsSeen = new java.util.concurrent.ConcurrentHashMap<>();

  /** Remembers the revisions of the run's Deployments now, so that {@link #objectsOf} finds their pods later. */
  void rememberRevisions(String run) {
    admin.apps().deployments().inNamespace(NS).withLabel(FineflowLabels.userLabel(FineflowLabels.runValue(run)), "true").list()
        .getItems().forEach(d -> revisionsSeen.computeIfAbsent(run, k -> java.util.concurrent.ConcurrentHashMap.newKeySet())
            .add(d.getMetadata().getLabels().get(REVISION)));
  }

  /** Everything of the run the API server still has (Jobs, pods, Deployments, ReplicaSets, Services). */
  List<HasMetadata> objectsOf(String run) {
    String label = FineflowLabels.runValue(run);
    List<HasMetadata> all = new java.util.ArrayList<>();
    all.addAll(admin.batch().v1().jobs().inNamespace(NS).withLabel(FineflowLabels.RUN, label).list().getItems());
    all.addAll(admin.pods().inNamespace(NS).withLabel(FineflowLabels.RUN, label).list().getItems());
    // Server pods and ReplicaSets carry their revision's labels, not the run's: the revisions of
    // the run's Deployments (remembered by the caller while they existed) find them.
    for (String revision : revisionsSeen.getOrDefault(run, java.util.Set.of())) {
      all.addAll(admin.pods().inNamespace(NS).withLabel(REVISION, revision).list().getItems());
    }
    all.addAll(admin.apps().deployments().inNamespace(NS).withLabel(FineflowLabels.userLabel(label), "true").list().getItems());
    for (String revision : revisionsSeen.getOrDefault(run, java.util.Set.of())) {
      all.addAll(admin.apps().replicaSets().inNamespace(NS).withLabel(REVISION, revision).list().getItems());
    }
    all.addAll(admin.services().inNamespace(NS).withLabel(FineflowLabels.userLabel(label), "true").list().getItems());
    return all;
  }

  /**
   * Takes a finished run's model servers down, as a user does when done with them (a run keeps
   * its promoted servers, and their GPUs, after it succeeded), and waits until their pods are gone.
   */
  /** Ends a test's run whatever happened: cancelled if still open, its servers taken down. */
  void finish(String run) {
    try {
      if (runs.status(run) == io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        runs.cancel(run);
      }
    } finally {
      tearDownServing(run);
    }
  }

  void tearDownServing(String run) {
    String label = FineflowLabels.runValue(run);
    List<String> revisions = admin.apps().deployments().inNamespace(NS).withLabel(FineflowLabels.userLabel(label), "true").list()
        .getItems().stream().map(d -> d.getMetadata().getLabels().get(REVISION)).toList();
    admin.apps().deployments().inNamespace(NS).withLabel(FineflowLabels.userLabel(label), "true").delete();
    admin.services().inNamespace(NS).withLabel(FineflowLabels.userLabel(label), "true").delete();
    // Server pods carry the revision's labels, not the run's.
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> revisions.stream()
        .allMatch(r -> admin.pods().inNamespace(NS).withLabel(REVISION, r).list().getItems().isEmpty()));
  }

  static String describe(List<HasMetadata> objects) {
    return objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList().toString();
  }

  @Override
  public void close() {
    admin.close();
    stack.close();
  }
}
