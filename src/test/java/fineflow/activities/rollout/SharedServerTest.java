package fineflow.activities.rollout;

import static fineflow.activities.rollout.RolloutStages.NS;
import static fineflow.activities.rollout.RolloutStages.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fineflow.activities.kubernetes.KubernetesStageActivities;
import fineflow.workers.cli.LogsCommand;
import fineflow.workflows.contract.CleanupRequest;
import fineflow.workflows.contract.LaunchRequest;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.StageKind;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.spec.ClusterSpec;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.temporal.failure.ApplicationFailure;
import java.util.concurrent.atomic.AtomicBoolean;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Runs of the same key share one server (its name is the key's): each run is a user label on
 * the objects, readiness is awaited by each, and the server goes with its last user (issue 13).
 */
@EnableKubernetesMockClient(crud = true)
class SharedServerTest {
  static final List<String> RUNS = List.of("demo-a1", "demo-b2", "demo-c3");

  KubernetesClient client;
  KubernetesMockServer server;
  KubernetesStageActivities activities;
  final Stage baseline = RolloutStages.stage(StageName.BASELINE, RolloutStages.vllm(), OTHER_KEY,
      "vllm/vllm-openai:v0.11.0", RolloutStages.vllmServe("m", null, null), List.of(), Map.of());

  @BeforeEach
  void executor() {
    RolloutExecutor executor = new RolloutExecutor(client, NS, new SmokeTest(new OkHttpClient()),
        s -> "http://unused", Clock.systemUTC());
    activities = new KubernetesStageActivities(client, NS, Map.of(StageKind.DEPLOYMENT, executor));
  }

  private String launch(String run) {
    return activities.launch(new LaunchRequest(run, NS, baseline, 1, "digest", ClusterSpec.defaults())).objectName();
  }

  private Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(NS).withName(name).get();
  }

  @Test
  void everyRunIsAUserAndNoneRewritesAnothersLabel() {
    List<String> names = RUNS.stream().map(this::launch).distinct().toList();

    assertThat(names).hasSize(1);
    assertThat(deployment(names.get(0)).getMetadata().getLabels())
        .containsEntry("users.fineflow.dev/demo-a1", "true").containsEntry("users.fineflow.dev/demo-b2", "true")
        .containsEntry("users.fineflow.dev/demo-c3", "true").doesNotContainKey("fineflow.dev/run");
    assertThat(client.services().inNamespace(NS).withName(names.get(0)).get().getMetadata().getLabels())
        .containsKeys("users.fineflow.dev/demo-a1", "users.fineflow.dev/demo-b2", "users.fineflow.dev/demo-c3");
  }

  @Test
  void oneRunsCleanupNeverRemovesAServerAnotherStillUses() {
    String name = RUNS.stream().map(this::launch).toList().get(0);

    activities.cleanup(new CleanupRequest("demo-a1", NS, true));
    activities.cleanup(new CleanupRequest("demo-b2", NS, true));

    assertThat(deployment(name)).isNotNull();
    assertThat(deployment(name).getMetadata().getLabels()).containsKey("users.fineflow.dev/demo-c3")
        .doesNotContainKeys("users.fineflow.dev/demo-a1", "users.fineflow.dev/demo-b2");
    assertThat(client.services().inNamespace(NS).withName(name).get()).isNotNull();

    assertThat(activities.cleanup(new CleanupRequest("demo-c3", NS, true)).deleted())
        .contains("Deployment/" + name, "Service/" + name);
    assertThat(deployment(name)).isNull();
    assertThat(client.services().inNamespace(NS).withName(name).get()).isNull();
  }

  @Test
  void releasingTheBaselineLeavesOnlyThePromotedServerRequestingAGpu() {
    Stage rollout = RolloutStages.trtllmServeStage();
    String rolloutName = activities.launch(new LaunchRequest("demo-a1", NS, rollout, 1, "digest",
        ClusterSpec.defaults())).objectName();
    String baselineName = launch("demo-a1");
    launch("demo-b2");

    activities.cleanup(new CleanupRequest("demo-a1", NS, true, List.of("baseline")));
    // demo-b2 still benchmarks against the baseline: it stays until demo-b2 is done with it.
    assertThat(deployment(baselineName)).isNotNull();
    activities.cleanup(new CleanupRequest("demo-b2", NS, true, List.of("baseline")));

    assertThat(client.apps().deployments().inNamespace(NS).list().getItems())
        .filteredOn(d -> d.getSpec().getTemplate().getSpec().getContainers().get(0).getResources()
            .getLimits().containsKey("nvidia.com/gpu"))
        .extracting(d -> d.getMetadata().getName()).containsExactly(rolloutName);
    assertThat(client.services().inNamespace(NS).withName(baselineName).get()).isNull();
    assertThat(client.services().inNamespace(NS).withName(rolloutName).get()).isNotNull();
  }

  /**
   * A run left the baseline when its benchmark failed, then is aborted: its full cleanup comes
   * after the release and neither leaves again nor deletes the server another run still uses;
   * the other run's release, then its own full cleanup, delete it once.
   */
  @Test
  void aFullCleanupAfterTheBaselineWasReleasedReleasesNothingTwice() {
    String name = launch("demo-a1");
    launch("demo-b2");

    activities.cleanup(new CleanupRequest("demo-a1", NS, true, List.of("baseline")));
    assertThat(activities.cleanup(new CleanupRequest("demo-a1", NS, true)).deleted()).isEmpty();

    assertThat(deployment(name).getMetadata().getLabels()).containsEntry("users.fineflow.dev/demo-b2", "true")
        .doesNotContainKeys("users.fineflow.dev/demo-a1", "fineflow.dev/released-by");
    assertThat(activities.cleanup(new CleanupRequest("demo-b2", NS, true, List.of("baseline"))).deleted())
        .containsExactlyInAnyOrder("Deployment/" + name, "Service/" + name);
    assertThat(activities.cleanup(new CleanupRequest("demo-b2", NS, true)).deleted()).isEmpty();
    assertThat(deployment(name)).isNull();
    assertThat(client.services().inNamespace(NS).withName(name).get()).isNull();
  }

  @Test
  void logsFindsTheSharedServersPodForEveryUser() {
    String name = RUNS.stream().map(this::launch).toList().get(0);
    // The pod as the ReplicaSet makes it: the template's labels, which name no run.
    client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name + "-5c7d-x1")
        .withLabels(deployment(name).getSpec().getTemplate().getMetadata().getLabels()).endMetadata()
        .withNewSpec().addNewContainer().withName("server").withImage("vllm/vllm-openai:v0.11.0").endContainer()
        .endSpec().build()).create();
    server.expect().get().withPath("/api/v1/namespaces/" + NS + "/pods/" + name + "-5c7d-x1/log?pretty=false&container=server&tailLines=1")
        .andReturn(200, "INFO: Application startup complete.\n").always();

    for (String run : RUNS) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CommandLine logs = new CommandLine(new LogsCommand(server::createClient, millis -> { }));
      logs.setOut(new PrintWriter(out, true));
      logs.setErr(new PrintWriter(err, true));

      int code = logs.execute(run, "baseline", "--tail", "1", "-n", NS);

      assertThat(code).as(err.toString()).isZero();
      assertThat(out.toString()).isEqualTo("INFO: Application startup complete.\n");
    }
  }

  /**
   * The last user's release and another run's join race: the join lands after the last user
   * took its label off and before its delete. The delete must not take the server the other run
   * now counts on: the join is refused (the server is going) and the run's next launch creates
   * a server of its own.
   */
  @Test
  void aJoinBetweenTheLastUsersLeavingAndItsDeleteIsRefusedAndTheNextLaunchCreatesTheServer() {
    String name = launch("demo-a1");
    AtomicBoolean joined = new AtomicBoolean();
    StringBuilder refusal = new StringBuilder();
    KubernetesStageActivities leaving = racing("DELETE", name, () -> {
      try {
        launch("demo-b2");
        joined.set(true);
      } catch (ApplicationFailure refused) {
        refusal.append(refused.getType()).append(": ").append(refused.getOriginalMessage());
      }
    });

    leaving.cleanup(new CleanupRequest("demo-a1", NS, true, List.of("baseline")));

    assertThat(joined).as("a join of a server its last user is deleting").isFalse();
    assertThat(refusal.toString()).startsWith("Transient: Deployment " + name + " is being deleted by its last user (demo-a1)");
    assertThat(deployment(name)).isNull();
    launch("demo-b2");
    assertThat(deployment(name).getMetadata().getLabels()).containsEntry("users.fineflow.dev/demo-b2", "true")
        .doesNotContainKeys("users.fineflow.dev/demo-a1", "fineflow.dev/released-by");
    assertThat(client.services().inNamespace(NS).withName(name).get().getMetadata().getLabels())
        .containsKey("users.fineflow.dev/demo-b2").doesNotContainKey("fineflow.dev/released-by");
  }

  /**
   * The join lands between the last user's read and its patch: the patch is locked to the
   * version it read, so it fails with 409, is re-read and retried, and finds a user left.
   */
  @Test
  void aJoinBeforeTheLastUsersPatchKeepsTheServerForTheRunThatJoined() {
    String name = launch("demo-a1");
    KubernetesStageActivities leaving = racing("PATCH", name, () -> launch("demo-b2"));

    assertThat(leaving.cleanup(new CleanupRequest("demo-a1", NS, true, List.of("baseline"))).deleted())
        .doesNotContain("Deployment/" + name);

    assertThat(deployment(name).getMetadata().getLabels()).containsEntry("users.fineflow.dev/demo-b2", "true")
        .doesNotContainKeys("users.fineflow.dev/demo-a1", "fineflow.dev/released-by");
    assertThat(client.services().inNamespace(NS).withName(name).get()).isNotNull();
  }

  /**
   * Activities on a client that runs {@code otherRun} just before its first {@code method}
   * request to the Deployment {@code name} goes out: the other run's call lands in between.
   */
  private KubernetesStageActivities racing(String method, String name, Runnable otherRun) {
    AtomicBoolean fired = new AtomicBoolean();
    Interceptor race = new Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, Interceptor.RequestTags tags) {
        if (request.method().equals(method) && request.uri().getPath().endsWith("/deployments/" + name)
            && fired.compareAndSet(false, true)) {
          otherRun.run();
        }
      }
    };
    KubernetesClient racingClient = new KubernetesClientBuilder().withConfig(client.getConfiguration())
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("race", race)).build();
    return new KubernetesStageActivities(racingClient, NS, Map.of());
  }
}
