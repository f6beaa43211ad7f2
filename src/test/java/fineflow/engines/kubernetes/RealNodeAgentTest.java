package fineflow.engines.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import fineflow.activities.kubernetes.FineflowLabels;
import fineflow.activities.kubernetes.JobExecutor;
import fineflow.activities.kubernetes.KubernetesStageActivities;
import fineflow.activities.kubernetes.PodLogs;
import fineflow.activities.rollout.RolloutExecutor;
import fineflow.activities.rollout.SmokeTest;
import fineflow.engines.RealEngines;
import fineflow.workers.dev.DevOptions;
import fineflow.workers.dev.EngineChoice;
import fineflow.workers.dev.ModelServers;
import fineflow.workers.dev.NodeAgent;
import fineflow.workers.dev.RealCluster;
import fineflow.workers.engines.KubeControlPlane;
import fineflow.workflows.contract.AwaitRequest;
import fineflow.workflows.contract.CleanupRequest;
import fineflow.workflows.contract.FailureType;
import fineflow.workflows.contract.LaunchRequest;
import fineflow.workflows.contract.StageFailure;
import fineflow.workflows.contract.StageResult;
import fineflow.workflows.plan.Plan;
import fineflow.workflows.plan.Planner;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.StageKind;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecLoader;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.temporal.failure.ApplicationFailure;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dev node as a node of a real cluster ({@link NodeAgent}): it registers a Node with its
 * GPUs and keeps its Lease, is held to a node's permissions, runs the pods the real Job and
 * ReplicaSet controllers create and the real scheduler binds, writes their status as a kubelet
 * does, and serves their logs through the API server. The stages are launched and awaited by
 * fineflow's own executors as the worker's ServiceAccount, exactly k8s/role.yaml.
 */
@Tag("real-kubernetes")
class RealNodeAgentTest {
  private static final String NS = "fineflow";
  /** Long enough that a 3-second activeDeadlineSeconds always ends the stage first. */
  private static final Duration SIMULATED_STAGE = Duration.ofSeconds(12);

  @TempDir
  static Path dir;
  static RealCluster cluster;
  static KubernetesClient admin;
  static KubernetesClient worker;
  static ModelServers servers;
  static KubernetesStageActivities activities;
  static Path workspace;

  @BeforeAll
  static void startCluster() throws IOException {
    KubeControlPlane.BINARIES.forEach(RealEngines::require);
    workspace = Files.createDirectories(dir.resolve("workspace"));
    Files.createDirectories(workspace.resolve("examples"));
    Files.copy(Path.of("examples/demo-dataset.jsonl"), workspace.resolve("examples/demo-dataset.jsonl"));
    servers = new ModelServers();
    DevOptions options = new DevOptions(0, 0, workspace, 1000, SIMULATED_STAGE, null, 0, NS, null,
        EngineChoice.real, 1);
    long started = System.nanoTime();
    cluster = RealCluster.start(options, workspace, servers);
    System.out.printf("control plane + k8s/ + node agent ready in %d ms (control plane alone %d ms)%n",
        (System.nanoTime() - started) / 1_000_000, cluster.controlPlane().startTime().toMillis());
    admin = cluster.controlPlane().adminClient();
    worker = cluster.workerClient();
    RolloutExecutor rollout = new RolloutExecutor(worker, NS,
        new SmokeTest(new OkHttpClient(), 5, Duration.ofMillis(200)),
        service -> servers.url(service).orElseThrow(), Clock.systemUTC());
    activities = new KubernetesStageActivities(worker, NS,
        Map.of(StageKind.JOB, new JobExecutor(worker), StageKind.DEPLOYMENT, rollout));
  }

  @AfterAll
  static void stopCluster() {
    if (admin != null) {
      admin.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theNodeRegistersItsGpusAndLabelsAndRenewsItsLease() {
    Node node = admin.nodes().withName(NodeAgent.Settings.DEFAULT_NAME).get();
    assertThat(node.getStatus().getCapacity()).containsEntry("nvidia.com/gpu", new Quantity("1"));
    assertThat(node.getStatus().getAllocatable()).containsEntry("nvidia.com/gpu", new Quantity("1"));
    assertThat(node.getMetadata().getLabels())
        .containsEntry("nvidia.com/gpu.product", "NVIDIA-H100-PCIe")
        .containsEntry("kubernetes.io/hostname", NodeAgent.Settings.DEFAULT_NAME);
    assertThat(node.getStatus().getConditions()).anySatisfy(c -> {
      assertThat(c.getType()).isEqualTo("Ready");
      assertThat(c.getStatus()).isEqualTo("True");
    });
    assertThat(node.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort()).isPositive();
    assertThat(node.getStatus().getNodeInfo().getKubeletVersion()).startsWith("v1.34.");

    Lease lease = admin.leases().inNamespace("kube-node-lease").withName(NodeAgent.Settings.DEFAULT_NAME).get();
    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(NodeAgent.Settings.DEFAULT_NAME);
    assertThat(lease.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(node.getMetadata().getUid()));
  }

  /** The Node authorizer and NodeRestriction hold the agent to what a kubelet may do. */
  @Test
  void theAgentHasANodesPermissionsOnly() {
    Path kubeconfig = cluster.controlPlane().dataDir().resolve("node-" + NodeAgent.Settings.DEFAULT_NAME + ".kubeconfig");
    try (KubernetesClient node = new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(kubeconfig.toFile())).build()) {
      KubernetesClientException create = catchThrowableOfType(KubernetesClientException.class, () ->
          node.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("not-mine").endMetadata()
              .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build())
              .create());
      assertThat(create.getCode()).as("a node creates no pods but mirror pods").isEqualTo(403);

      KubernetesClientException secrets = catchThrowableOfType(KubernetesClientException.class, () ->
          node.secrets().inNamespace(NS).list());
      assertThat(secrets.getCode()).as("no Secret its pods do not reference").isEqualTo(403);

      KubernetesClientException allPods = catchThrowableOfType(KubernetesClientException.class, () ->
          node.pods().inAnyNamespace().list());
      assertThat(allPods.getCode()).as("pods of other nodes stay hidden").isEqualTo(403);

      assertThat(node.pods().inAnyNamespace().withField("spec.nodeName", NodeAgent.Settings.DEFAULT_NAME).list())
          .isNotNull();
    }
  }

  @Test
  void aFineflowStageRunsForRealItsResultIsTheTerminationMessageAndItsLogComesThroughTheApiServer()
      throws Exception {
    Planned demo = Planned.of(Files.readString(Path.of("configs/demo.yaml")));
    String run = "node-prep";
    Stage prep = demo.stage(StageName.DATASET_PREP);

    StageResult result = runToEnd(demo, run, prep);

    assertThat(result.simulated()).as("dataset prep runs for real on the node").isFalse();
    String train = result.artifacts().stream().filter(a -> a.name().equals("train")).findFirst().orElseThrow().path();
    assertThat(workspace.resolve(train.replaceFirst("^/workspace/", ""))).isNotEmptyFile();
    // The executor reads the result off the pod; the Job controller marks the Job a moment later.
    Job job = await().atMost(Duration.ofMinutes(1)).until(
        () -> admin.batch().v1().jobs().inNamespace(NS).withName(result.objectName()).get(),
        j -> j.getStatus() != null && j.getStatus().getConditions() != null && j.getStatus().getConditions().stream()
            .anyMatch(c -> "Complete".equals(c.getType()) && "True".equals(c.getStatus())));
    assertThat(job.getStatus().getSucceeded()).isEqualTo(1);
    List<Pod> pods = podsOf(job);
    assertThat(pods).as("created by the Job controller, once").singleElement();
    Pod pod = pods.get(0);
    assertThat(pod.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getKind()).isEqualTo("Job");
      assertThat(o.getController()).isTrue();
    });
    assertThat(pod.getSpec().getNodeName()).as("bound by the scheduler").isEqualTo(NodeAgent.Settings.DEFAULT_NAME);
    assertThat(pod.getStatus().getPhase()).isEqualTo("Succeeded");
    assertThat(pod.getStatus().getConditions()).extracting(PodCondition::getType)
        .contains("PodScheduled", "Initialized", "ContainersReady", "Ready");
    ContainerStateTerminated end = pod.getStatus().getContainerStatuses().get(0).getState().getTerminated();
    assertThat(end.getExitCode()).isZero();
    assertThat(end.getReason()).isEqualTo("Completed");
    assertThat(end.getMessage()).startsWith("{").contains(train);

    // pods/log: the API server asks the node's kubelet endpoint (x509 + SubjectAccessReview).
    String container = pod.getSpec().getContainers().get(0).getName();
    PodLogs logs = new PodLogs(worker);
    String full = admin.pods().inNamespace(NS).withName(pod.getMetadata().getName()).inContainer(container).getLog();
    List<String> lines = full.lines().toList();
    assertThat(lines).isNotEmpty();
    assertThat(logs.tail(NS, pod.getMetadata().getName(), container, 2))
        .containsExactlyElementsOf(lines.subList(Math.max(0, lines.size() - 2), lines.size()));
    String stamped = worker.raw(worker.getMasterUrl().toString().replaceAll("/+$", "") + "/api/v1/namespaces/"
        + NS + "/pods/" + pod.getMetadata().getName() + "/log?container=" + container + "&timestamps=true&tailLines=1");
    assertThat(stamped).matches("(?s)\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z .*");
    activities.cleanup(new CleanupRequest(run, NS, false));
  }

  @Test
  void aGpuStageIsSimulatedSaysSoAndItsLogCanBeFollowedToItsEnd() throws Exception {
    Planned demo = Planned.of(Files.readString(Path.of("configs/demo.yaml")));
    String run = "node-train";
    runToEnd(demo, run, demo.stage(StageName.DATASET_PREP));
    Stage train = demo.stage(StageName.TRAIN);
    String job = activities.launch(demo.launch(run, train)).objectName();

    Pod pod = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
        .until(() -> runningPod(job), p -> p != null);
    assertThat(pod.getSpec().getContainers().get(0).getResources().getLimits())
        .containsEntry("nvidia.com/gpu", new Quantity("1"));
    List<String> followed = new ArrayList<>();
    try (LogWatch watch = worker.pods().inNamespace(NS).withName(pod.getMetadata().getName())
        .inContainer(pod.getSpec().getContainers().get(0).getName()).watchLog();
        BufferedReader reader = new BufferedReader(new InputStreamReader(watch.getOutput(), StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null; ) {
        followed.add(line);
      }
    }
    assertThat(followed).as("the follow ends when the container does").isNotEmpty()
        .anySatisfy(l -> assertThat(l).startsWith("[simulated] training"))
        .anySatisfy(l -> assertThat(l).contains("\"event\":\"progress\""));
    StageResult result = awaitEnd(demo.await(run, train, job));
    assertThat(result.simulated()).isTrue();
    assertThat(admin.pods().inNamespace(NS).withName(pod.getMetadata().getName()).get().getStatus()
        .getContainerStatuses().get(0).getState().getTerminated().getMessage()).contains("\"simulated\":true");
    activities.cleanup(new CleanupRequest(run, NS, false));
  }

  /** backoffLimit 0 for real: one failed pod fails the Job, with the program's error as the message. */
  @Test
  void aFailingStageFailsItsJobWithOnePodAndTheProgramsError() throws Exception {
    Planned broken = Planned.of(Files.readString(Path.of("configs/demo.yaml"))
        .replace("path: examples/demo-dataset.jsonl", "path: examples/no-such-dataset.jsonl"));
    String run = "node-broken";
    Stage prep = broken.stage(StageName.DATASET_PREP);

    ApplicationFailure failure = catchThrowableOfType(ApplicationFailure.class, () -> runToEnd(broken, run, prep));

    assertThat(failure.isNonRetryable()).isTrue();
    StageFailure details = failure.getDetails().get(StageFailure.class);
    assertThat(details.reason()).isIn(FailureType.BAD_ARGUMENTS.type(), FailureType.STAGE_FAILED.type());
    assertThat(details.message()).contains("exited with code").contains("no-such-dataset");
    assertThat(details.logTail()).as("read through the API server from the node").isNotEmpty();
    Job job = await().atMost(Duration.ofMinutes(1)).until(() -> admin.batch().v1().jobs().inNamespace(NS)
        .withLabel(FineflowLabels.RUN, FineflowLabels.runValue(run)).list().getItems().get(0),
        j -> j.getStatus() != null && j.getStatus().getConditions() != null && j.getStatus().getConditions().stream()
            .anyMatch(c -> "Failed".equals(c.getType())));
    assertThat(job.getMetadata().getDeletionTimestamp()).as("a Job whose pod ended is not deleted").isNull();
    assertThat(job.getStatus().getConditions()).anySatisfy(c -> {
      assertThat(c.getType()).isEqualTo("Failed");
      assertThat(c.getReason()).isEqualTo("BackoffLimitExceeded");
    });
    assertThat(podsOf(job)).as("backoffLimit 0: no second pod").hasSize(1);
    activities.cleanup(new CleanupRequest(run, NS, false));
  }

  /** activeDeadlineSeconds for real: the Job controller stops the stage, the executor says why. */
  @Test
  void aStagePastItsDeadlineIsStoppedAndReportedAsDeadlineExceeded() throws Exception {
    Planned demo = Planned.of(Files.readString(Path.of("configs/demo.yaml")));
    String run = "node-deadline";
    runToEnd(demo, run, demo.stage(StageName.DATASET_PREP));
    Stage train = withTimeout(demo.stage(StageName.TRAIN), 3);

    ApplicationFailure failure = catchThrowableOfType(ApplicationFailure.class, () -> runToEnd(demo, run, train));

    StageFailure details = failure.getDetails().get(StageFailure.class);
    assertThat(details.reason()).isEqualTo(FailureType.STAGE_FAILED.type());
    assertThat(details.message()).contains("DeadlineExceeded").contains("timeout of 3 s");
    assertThat(details.hint()).contains("raise the stage's timeout").contains("--set cluster.stageTimeoutSeconds.train=");
    Job job = admin.batch().v1().jobs().inNamespace(NS).withLabel(FineflowLabels.RUN, FineflowLabels.runValue(run))
        .withLabel(FineflowLabels.STAGE, StageName.TRAIN.id()).list().getItems().get(0);
    assertThat(job.getStatus().getConditions()).anySatisfy(c -> assertThat(c.getReason()).isEqualTo("DeadlineExceeded"));
    // The controller deleted the running pod; the node stopped it and finished the deletion.
    await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> assertThat(podsOf(job)).isEmpty());
    activities.cleanup(new CleanupRequest(run, NS, false));
  }

  @Test
  void aModelServerDeploymentBecomesReadyOnTheNodeAndPassesItsSmokeTest() throws Exception {
    Planned serve = Planned.of(Files.readString(Path.of("configs/gpt-oss-20b-trtllm-serve.yaml")));
    String run = "node-serve";
    Stage rollout = serve.stage(StageName.ROLLOUT);

    StageResult result = runToEnd(serve, run, rollout);

    assertThat(result.simulated()).as("the node marks the server it simulates").isTrue();
    Deployment d = admin.apps().deployments().inNamespace(NS).withName(result.objectName()).get();
    assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(1);
    Pod pod = admin.pods().inNamespace(NS).withName(result.podName()).get();
    assertThat(pod.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getKind()).isEqualTo("ReplicaSet"));
    assertThat(pod.getMetadata().getAnnotations()).containsEntry(fineflow.workers.dev.SimulatedKubelet.SIMULATED_ANNOTATION, "true");
    assertThat(pod.getStatus().getContainerStatuses().get(0).getReady()).isTrue();

    activities.cleanup(new CleanupRequest(run, NS, false));
    String label = FineflowLabels.runValue(run);
    await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
      assertThat(admin.apps().deployments().inNamespace(NS).withLabel(FineflowLabels.RUN, label).list().getItems()).isEmpty();
      assertThat(admin.apps().replicaSets().inNamespace(NS).withLabel(FineflowLabels.RUN, label).list().getItems()).isEmpty();
      assertThat(admin.pods().inNamespace(NS).withLabel(FineflowLabels.RUN, label).list().getItems()).isEmpty();
      assertThat(admin.services().inNamespace(NS).withLabel(FineflowLabels.RUN, label).list().getItems()).isEmpty();
    });
  }

  /** Launch, then await until the stage ends, as the workflow's await activity retries. */
  private static StageResult runToEnd(Planned planned, String run, Stage stage) {
    String object = activities.launch(planned.launch(run, stage)).objectName();
    return awaitEnd(planned.await(run, stage, object));
  }

  private static StageResult awaitEnd(AwaitRequest request) {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (true) {
      try {
        return activities.await(request);
      } catch (ApplicationFailure f) {
        if (!FailureType.STILL_RUNNING.type().equals(f.getType()) || System.nanoTime() > deadline) {
          throw f;
        }
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private static Pod runningPod(String job) {
    return admin.pods().inNamespace(NS).withLabel("job-name", job).list().getItems().stream()
        .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase())).findFirst().orElse(null);
  }

  private static List<Pod> podsOf(Job job) {
    return admin.pods().inNamespace(NS).withLabel("job-name", job.getMetadata().getName()).list().getItems();
  }

  private static Stage withTimeout(Stage s, long seconds) {
    return s.withTimeout(seconds);
  }

  /** A spec and its plan. */
  private record Planned(PipelineSpec spec, Plan plan) {
    static Planned of(String yaml) {
      PipelineSpec spec = SpecLoader.load(yaml, "test.yaml");
      return new Planned(spec, Planner.plan(spec));
    }

    Stage stage(StageName name) {
      return plan.stages().stream().filter(s -> s.name() == name).findFirst().orElseThrow();
    }

    LaunchRequest launch(String run, Stage stage) {
      return new LaunchRequest(run, NS, stage, 1, plan.specDigest(), spec.cluster());
    }

    AwaitRequest await(String run, Stage stage, String objectName) {
      return new AwaitRequest(run, NS, stage, objectName, spec.cluster(), null);
    }
  }
}
