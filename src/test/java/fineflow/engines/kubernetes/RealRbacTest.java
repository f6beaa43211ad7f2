package fineflow.engines.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import fineflow.activities.kubernetes.AsyncAwaitStageActivities;
import fineflow.activities.kubernetes.FineflowLabels;
import fineflow.activities.kubernetes.JobExecutor;
import fineflow.activities.kubernetes.KubernetesStageActivities;
import fineflow.activities.kubernetes.NoCompletions;
import fineflow.activities.kubernetes.StageWatcher;
import fineflow.activities.rollout.RolloutExecutor;
import fineflow.activities.rollout.SmokeTest;
import fineflow.workers.engines.KubeControlPlane;
import fineflow.workflows.contract.AwaitRequest;
import fineflow.workflows.contract.CacheEntry;
import fineflow.workflows.contract.CacheQuery;
import fineflow.workflows.contract.CleanupRequest;
import fineflow.workflows.contract.FailureType;
import fineflow.workflows.contract.LaunchRequest;
import fineflow.workflows.contract.PromoteRequest;
import fineflow.workflows.contract.StageFailure;
import fineflow.workflows.contract.StageResult;
import fineflow.workflows.plan.Plan;
import fineflow.workflows.plan.Planner;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.StageKind;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.spec.ClusterSpec;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecLoader;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15, item 2: RBAC for real. The worker talks as the ServiceAccount of k8s/ (a token from
 * the TokenRequest API) with exactly k8s/role.yaml bound. Every activity call the executors
 * make (cache, Job launch/adopt/await with the log tail, rollout launch/adopt/await/promote,
 * cleanup) succeeds; and with any one permission of the Role taken away, the activity that
 * needs it fails with fineflow's RBAC hint naming the denied verb and resource, not with a raw
 * client exception. The permissions come from k8s/role.yaml itself, so the test follows the Role.
 */
@Tag("real-kubernetes")
class RealRbacTest {
  private static final Path ROLE = Path.of("k8s/role.yaml");
  private static final String WORKER = "fineflow-worker";
  private static final String RBAC_HINT = "the worker's service account lacks a permission";
  private static final AtomicInteger namespaces = new AtomicInteger();

  @TempDir
  static Path dir;
  static KubeControlPlane plane;
  static KubernetesClient admin;

  @BeforeAll
  static void startControlPlane() throws IOException {
    plane = RealKubernetes.start(dir);
    admin = plane.adminClient();
  }

  @AfterAll
  static void stopControlPlane() {
    if (admin != null) {
      admin.close();
    }
    if (plane != null) {
      plane.close();
    }
  }

  /** One (apiGroup, resource, verb) the Role grants, e.g. {@code batch/jobs create}. */
  record Permission(String group, String resource, String verb) {
    @Override
    public String toString() {
      return (group.isEmpty() ? "core" : group) + "/" + resource + " " + verb;
    }

    /**
     * The API server's own words when it denies this permission; a denied watch is refused at the
     * websocket upgrade, whose answer the client reports by status code and URL only.
     */
    String[] deniedMessage() {
      return verb.equals("watch")
          ? new String[] {"403 on websocket", "/" + resource + "?", "watch=true"}
          : new String[] {"cannot " + verb + " resource \"" + resource + "\" in API group \"" + group + "\""};
    }
  }

  static Stream<Permission> permissions() throws IOException {
    List<Permission> all = new ArrayList<>();
    for (PolicyRule rule : role().getRules()) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            all.add(new Permission(group, resource, verb));
          }
        }
      }
    }
    return all.stream();
  }

  @Test
  void everyActivityCallSucceedsWithExactlyTheShippedRole() throws Exception {
    String ns = namespaceWithRole(role());

    try (KubernetesClient worker = plane.serviceAccountClient(ns, WORKER)) {
      assertThat(worker.getConfiguration().getOauthToken()).as("a bound ServiceAccount token").isNotBlank();
      List<String> done = new ArrayList<>();
      Throwable failure = new Scenario(worker, ns).run(done);

      assertThat(failure).as("first failing step after " + done).isNull();
      assertThat(done).containsExactlyElementsOf(Scenario.STEPS);
    }
    // What cleanup left, read as the admin once garbage collection finished the foreground
    // deletions: nothing of the run but its cache entry.
    String run = FineflowLabels.runValue(Scenario.RUN);
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      assertThat(admin.batch().v1().jobs().inNamespace(ns).withLabel(FineflowLabels.RUN, run).list().getItems()).isEmpty();
      assertThat(admin.pods().inNamespace(ns).withLabel(FineflowLabels.RUN, run).list().getItems()).isEmpty();
      assertThat(admin.apps().deployments().inNamespace(ns).withLabel(FineflowLabels.RUN, run).list().getItems()).isEmpty();
      assertThat(admin.services().inNamespace(ns).withLabel(FineflowLabels.RUN, run).list().getItems()).isEmpty();
    });
    assertThat(admin.configMaps().inNamespace(ns).withLabel(FineflowLabels.RUN, run).list().getItems()).isEmpty();
  }

  @ParameterizedTest(name = "without {0}")
  @MethodSource("permissions")
  void withoutOnePermissionTheActivityThatNeedsItFailsWithTheRbacHint(Permission removed) throws Exception {
    String ns = namespaceWithRole(without(role(), removed));

    try (KubernetesClient worker = plane.serviceAccountClient(ns, WORKER)) {
      List<String> done = new ArrayList<>();
      Throwable failure = new Scenario(worker, ns).run(done);
      String step = done.size() < Scenario.STEPS.size() ? Scenario.STEPS.get(done.size()) : "(none)";
      System.out.printf("without %-28s fails at step %-45s %s%n", removed, step,
          failure == null ? "-" : failure.getMessage());

      assertThat(failure).as("a step fails without " + removed + " (steps done: " + done + ")").isNotNull();
      assertThat(failure).as("step '" + step + "' fails as an activity failure, not a raw exception")
          .isInstanceOf(ApplicationFailure.class);
      ApplicationFailure app = (ApplicationFailure) failure;
      assertThat(app.isNonRetryable()).as("an RBAC denial is not retried").isTrue();
      StageFailure details = app.getDetails().get(StageFailure.class);
      assertThat(details.hint()).as("hint of step '" + step + "'").contains(RBAC_HINT);
      assertThat(details.message()).as("message of step '" + step + "'").contains(removed.deniedMessage());
    }
  }

  /**
   * The activity calls of a run on a cluster with no kubelet, in order; each step either returns
   * or, for awaits, reports the stage as still running.
   */
  private static final class Scenario {
    static final List<String> STEPS = List.of(
        "lookupCache (miss)", "recordCache (create)", "recordCache (replace)",
        "launch Job", "launch Job again (adopt)", "await Job (running, reads the log tail)",
        "await Job asynchronously (the watcher's informers list and watch Jobs and Deployments)",
        "launch rollout (Triton)", "await rollout (not ready)", "launch the same revision from another run (adopt)",
        "promote (first stable revision)", "launch rollout (second revision)",
        "promote (re-point the stable Service, delete the old revision)",
        "launch rollout (trtllm-serve, with files)", "promote (files ConfigMap stays with the stable track)",
        "cleanup");
    private static final String RUN = "rbac-run";
    private static final String OTHER_RUN = "rbac-other-run";

    private final KubernetesClient worker;
    private final String ns;
    private final KubernetesStageActivities activities;

    Scenario(KubernetesClient worker, String ns) {
      this.worker = worker;
      this.ns = ns;
      // Smoke tests never start: no pod becomes ready without a kubelet.
      RolloutExecutor rollout = new RolloutExecutor(worker, ns,
          new SmokeTest(new OkHttpClient(), 1, Duration.ZERO), s -> "http://127.0.0.1:9", Clock.systemUTC());
      this.activities = new KubernetesStageActivities(worker, ns,
          Map.of(StageKind.JOB, new JobExecutor(worker), StageKind.DEPLOYMENT, rollout));
    }

    /** Runs the steps; returns the first failure (null when all passed) and records the steps done. */
    Throwable run(List<String> done) throws IOException {
      Planned elyza = Planned.of("configs/elyza-7b-qlora-triton.yaml");
      Planned serve = Planned.of("configs/gpt-oss-20b-trtllm-serve.yaml");
      Stage train = elyza.stage(StageName.TRAIN);
      Stage triton = elyza.stage(StageName.ROLLOUT);
      Stage triton2 = withKey(triton, "7".repeat(64));
      Stage trtllm = serve.stage(StageName.ROLLOUT);
      String[] job = new String[1];
      String[] deployment = new String[1];
      List<Runnable> steps = List.of(
          () -> activities.lookupCache(new CacheQuery(ns, train.name(), train.cacheKey())),
          () -> activities.recordCache(new CacheEntry(ns, RUN, train.cacheKey(), result(train))),
          () -> activities.recordCache(new CacheEntry(ns, RUN, train.cacheKey(), result(train))),
          () -> job[0] = activities.launch(elyza.launch(RUN, ns, train)).objectName(),
          () -> activities.launch(elyza.launch(RUN, ns, train)),
          () -> {
            kubeletRunsThePodOf(job[0]);
            expectStillRunning(() -> activities.await(elyza.await(RUN, ns, train, job[0])));
          },
          () -> {
            try (StageWatcher watcher = new StageWatcher(worker, NoCompletions.client(),
                activities::await, activities::runningProgress, Duration.ofHours(1), 1)) {
              new AsyncAwaitStageActivities(activities, watcher).watch(new byte[] {1},
                  elyza.await(RUN, ns, train, job[0]));
            }
          },
          () -> deployment[0] = activities.launch(elyza.launch(RUN, ns, triton)).objectName(),
          () -> expectStillRunning(() -> activities.await(elyza.await(RUN, ns, triton, deployment[0]))),
          () -> activities.launch(elyza.launch(OTHER_RUN, ns, triton)),
          () -> activities.promote(new PromoteRequest(OTHER_RUN, ns, triton.shortKey())),
          () -> activities.launch(elyza.launch(RUN, ns, triton2)),
          () -> activities.promote(new PromoteRequest(RUN, ns, triton2.shortKey())),
          () -> activities.launch(serve.launch(RUN, ns, trtllm)),
          () -> activities.promote(new PromoteRequest(RUN, ns, trtllm.shortKey())),
          () -> activities.cleanup(new CleanupRequest(RUN, ns, false)));
      for (int i = 0; i < steps.size(); i++) {
        Throwable failure = attempt(steps.get(i));
        if (failure != null) {
          return failure;
        }
        done.add(STEPS.get(i));
      }
      return null;
    }

    /**
     * Runs a step, again after a retryable (Transient) failure as Temporal's activity retry
     * would: on a real cluster the Deployment controller updates a Deployment between the
     * executor's read and its edit, and the edit's optimistic lock answers 409.
     */
    private static Throwable attempt(Runnable step) {
      Throwable last = null;
      for (int attempt = 0; attempt < 5; attempt++) {
        try {
          step.run();
          return null;
        } catch (ApplicationFailure e) {
          last = e;
          if (e.isNonRetryable() || !FailureType.TRANSIENT.type().equals(e.getType())) {
            return e;
          }
        } catch (RuntimeException | AssertionError e) {
          return e;
        }
      }
      return last;
    }

    /** The kubelet's part, done as the admin: the Job controller's pod is running. */
    private void kubeletRunsThePodOf(String jobName) {
      Pod pod = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
          .until(() -> admin.pods().inNamespace(ns).withLabel("job-name", jobName).list().getItems()
              .stream().findFirst().orElse(null), p -> p != null);
      String started = Instant.now().toString();
      admin.pods().inNamespace(ns).withName(pod.getMetadata().getName()).editStatus(p -> new PodBuilder(p)
          .editOrNewStatus().withPhase("Running").withStartTime(started)
          .withContainerStatuses(new ContainerStatusBuilder()
              .withName(p.getSpec().getContainers().get(0).getName())
              .withImage(p.getSpec().getContainers().get(0).getImage()).withImageID("")
              .withReady(true).withRestartCount(0).withStarted(true)
              .withState(new ContainerStateBuilder().withNewRunning().withStartedAt(started).endRunning().build())
              .build())
          .endStatus().build());
    }

    private static void expectStillRunning(Runnable await) {
      try {
        await.run();
      } catch (ApplicationFailure e) {
        if (FailureType.STILL_RUNNING.type().equals(e.getType())) {
          return;
        }
        throw e;
      }
      throw new AssertionError("the stage finished, with no kubelet to run it");
    }
  }

  /** A spec and its plan. */
  private record Planned(PipelineSpec spec, Plan plan) {
    static Planned of(String config) throws IOException {
      PipelineSpec spec = SpecLoader.load(Files.readString(Path.of(config)), config);
      return new Planned(spec, Planner.plan(spec));
    }

    Stage stage(StageName name) {
      return plan.stages().stream().filter(s -> s.name() == name).findFirst().orElseThrow();
    }

    LaunchRequest launch(String run, String ns, Stage stage) {
      return new LaunchRequest(run, ns, stage, 1, plan.specDigest(), cluster());
    }

    AwaitRequest await(String run, String ns, Stage stage, String objectName) {
      return new AwaitRequest(run, ns, stage, objectName, cluster(), null);
    }

    private ClusterSpec cluster() {
      return spec.cluster();
    }
  }

  /** A namespace like k8s/'s with its ServiceAccounts, the given Role and the binding of k8s/rolebinding.yaml. */
  private static String namespaceWithRole(Role role) throws Exception {
    String ns = "rbac-" + namespaces.incrementAndGet();
    for (HasMetadata o : RealKubernetes.manifestsIn(ns)) {
      switch (o.getKind()) {
        case "Namespace", "ServiceAccount", "RoleBinding" -> admin.resource(o).fieldValidation(Validation.STRICT).create();
        case "Role" -> {
          role.getMetadata().setNamespace(ns);
          admin.resource(role).fieldValidation(Validation.STRICT).create();
        }
        default -> { }
      }
    }
    // The RBAC authorizer reads Roles from a watch cache: wait until it sees this one.
    List<Permission> granted = new ArrayList<>();
    role.getRules().forEach(r -> r.getApiGroups().forEach(g -> r.getResources().forEach(res ->
        r.getVerbs().forEach(v -> granted.add(new Permission(g, res, v))))));
    try (KubernetesClient worker = plane.serviceAccountClient(ns, WORKER)) {
      await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
          .until(() -> granted.stream().allMatch(p -> allowed(worker, ns, p)));
    }
    return ns;
  }

  private static boolean allowed(KubernetesClient client, String ns, Permission p) {
    String[] resource = p.resource().split("/", 2);
    SelfSubjectAccessReview review = client.authorization().v1().selfSubjectAccessReview().create(
        new SelfSubjectAccessReviewBuilder().withNewSpec().withNewResourceAttributes()
            .withNamespace(ns).withGroup(p.group()).withResource(resource[0])
            .withSubresource(resource.length > 1 ? resource[1] : null).withVerb(p.verb())
            .endResourceAttributes().endSpec().build());
    return Boolean.TRUE.equals(review.getStatus().getAllowed());
  }

  private static Role role() throws IOException {
    return (Role) RealKubernetes.parse(Files.readString(ROLE)).get(0);
  }

  /** The Role with one verb taken out of the rule that grants it (a rule left with no verb goes). */
  private static Role without(Role role, Permission removed) {
    List<PolicyRule> rules = new ArrayList<>();
    for (PolicyRule rule : role.getRules()) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          List<String> verbs = rule.getVerbs().stream()
              .filter(v -> !new Permission(group, resource, v).equals(removed)).toList();
          if (!verbs.isEmpty()) {
            rules.add(new PolicyRuleBuilder().withApiGroups(group).withResources(resource).withVerbs(verbs).build());
          }
        }
      }
    }
    role.setRules(rules);
    return role;
  }

  private static StageResult result(Stage stage) {
    return new StageResult(stage.name(), stage.cacheKey(), "job-1", "pod-1", List.of(),
        Map.of("loss", 1.25), Map.of(), false);
  }

  private static Stage withKey(Stage s, String key) {
    return new Stage(s.name(), s.kind(), s.image(), s.argv(), s.env(), s.secretEnv(), s.resources(),
        s.volumes(), s.timeoutSeconds(), s.expectedSeconds(), s.consumes(), s.produces(), key,
        s.summary(), s.files(), s.imageCopies(), s.params());
  }
}
