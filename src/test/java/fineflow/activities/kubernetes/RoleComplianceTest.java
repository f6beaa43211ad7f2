package fineflow.activities.kubernetes;

import static fineflow.activities.kubernetes.JobExecutorTest.NS;
import static fineflow.activities.kubernetes.JobExecutorTest.RUN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import fineflow.workflows.contract.AwaitRequest;
import fineflow.workflows.contract.CacheEntry;
import fineflow.workflows.contract.CacheQuery;
import fineflow.workflows.contract.CleanupRequest;
import fineflow.workflows.contract.LaunchRequest;
import fineflow.workflows.contract.StageResult;
import fineflow.workflows.plan.Stage;
import fineflow.activities.rollout.RolloutExecutor;
import fineflow.activities.rollout.SmokeTest;
import fineflow.workflows.plan.Planner;
import fineflow.workflows.plan.RolloutParams;
import fineflow.workflows.plan.StageKind;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecLoader;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.temporal.failure.ApplicationFailure;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Least privilege: the (apiGroup, resource, verb) triples the activities (Job and rollout
 * executors included) call on the API server, recorded from the mock server's request log, equal
 * the rules of k8s/role.yaml, both ways.
 */
@EnableKubernetesMockClient(crud = true)
class RoleComplianceTest {
  private static final Pattern PATH = Pattern.compile(
      "^/(?:api/v1|apis/(?<group>[^/]+)/[^/]+)/namespaces/[^/]+/(?<resource>[^/?]+)"
          + "(?:/(?<name>[^/?]+)(?:/(?<sub>[^/?]+))?)?(?:\\?(?<query>.*))?$");

  KubernetesMockServer server;
  KubernetesClient client;
  MockWebServer servers;
  volatile int servedBatch;
  volatile String adapterOutput = " 私は太宰治です。";

  @BeforeEach
  void startModelServers() throws Exception {
    servers = new MockWebServer();
    servers.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(okhttp3.mockwebserver.RecordedRequest request) {
        return answer(request);
      }
    });
    servers.start();
  }

  @AfterEach
  void stopModelServers() throws Exception {
    servers.shutdown();
  }

  @Test
  void theRoleAllowsExactlyTheCallsTheActivitiesMakeAndEachMakesOnlyTargetedOnes() throws Exception {
    Map<String, List<String>> calls = scenario();
    calls.forEach((step, list) -> System.out.printf("%-42s %d  %s%n", step, list.size(), list));
    Set<String> used = new TreeSet<>();
    calls.values().forEach(list -> list.forEach(c -> used.add(c.substring(c.indexOf(' ') + 1))));

    assertThat(granted(Path.of("k8s/role.yaml"))).as("granted by k8s/role.yaml")
        .containsExactlyInAnyOrderElementsOf(used);
    // The key's claim: another run's unfinished Job of the same key is followed, else this
    // launch's Job claims it (identical runs at the same moment run one Job).
    assertThat(calls.get("launch (create)")).containsExactly("GET batch/jobs get", "GET /configmaps get",
        "POST batch/jobs create", "POST /configmaps create");
    assertThat(calls.get("launch again (adopt)")).containsExactly("GET batch/jobs get");
    assertThat(calls.get("await: no pod yet")).containsExactly("GET batch/jobs get", "GET /pods list");
    assertThat(calls.get("await: running")).containsExactly("GET batch/jobs get", "GET /pods list",
        "GET /pods/log get");
    assertThat(calls.get("await: succeeded")).containsExactly("GET batch/jobs get", "GET /pods list");
    assertThat(calls.get("await: image pull (fails, deletes the Job)")).containsExactly(
        "GET batch/jobs get", "GET /pods list", "DELETE batch/jobs delete");
    assertThat(calls.get("logs (tail)")).containsExactly("GET /pods/log get");
    assertThat(calls.get("await asynchronously (the watcher's informers)")).containsExactlyInAnyOrder(
        "GET batch/jobs list", "GET batch/jobs watch", "GET apps/deployments list", "GET apps/deployments watch",
        "GET /pods list", "GET /pods watch");
    assertThat(calls.get("lookupCache")).containsExactly("GET /configmaps get");
    // Per kind: the run's objects, then the shared servers it uses (a user label each), which
    // it leaves (GET + PATCH of the one object) and deletes only as their last user; then those it
    // released as last user in an earlier attempt whose delete did not happen (SharedServer).
    assertThat(calls.get("cleanup")).filteredOn(c -> c.startsWith("GET") && c.endsWith(" list")).containsExactly(
        "GET batch/jobs list", "GET apps/deployments list", "GET apps/deployments list", "GET apps/deployments list",
        "GET /services list", "GET /services list", "GET /services list",
        "GET /configmaps list", "GET /configmaps list", "GET /configmaps list");
    assertThat(calls.get("cleanup")).filteredOn(c -> !c.startsWith("GET"))
        .isNotEmpty().allMatch(c -> c.startsWith("DELETE ") && c.endsWith(" delete")
            || c.startsWith("PATCH ") && c.endsWith(" patch"));
  }

  /** Runs every activity path once; returns the recorded calls per step, in order. */
  private Map<String, List<String>> scenario() throws Exception {
    RolloutExecutor rollout = new RolloutExecutor(client, NS,
        new SmokeTest(new OkHttpClient(), 1, Duration.ZERO), s -> servers.url("/").toString(),
        Clock.fixed(Instant.parse("2026-11-26T01:00:00Z"), ZoneOffset.UTC));
    KubernetesStageActivities activities = new KubernetesStageActivities(client, NS,
        Map.of(StageKind.JOB, new JobExecutor(client), StageKind.DEPLOYMENT, rollout));
    Map<String, List<String>> calls = new LinkedHashMap<>();
    try (TestKubelet kubelet = new TestKubelet(server, client)) {
      Stage train = TestStages.train();
      LaunchRequest launch = JobExecutorTest.launch(train);
      drain();

      ProgramsConfigMap.apply(client, NS, Map.of("train.py", "print('v1')\n"));
      calls.put("programs ConfigMap (create)", drain());
      ProgramsConfigMap.apply(client, NS, Map.of("train.py", "print('v2')\n"));
      calls.put("programs ConfigMap (replace)", drain());
      activities.lookupCache(new CacheQuery(NS, train.name(), train.cacheKey()));
      calls.put("lookupCache", drain());
      String job = activities.launch(launch).objectName();
      calls.put("launch (create)", drain());
      activities.launch(launch);
      calls.put("launch again (adopt)", drain());
      AwaitRequest await = new AwaitRequest(RUN, NS, train, job, launch.cluster());
      catchThrowableOfType(ApplicationFailure.class, () -> activities.await(await));
      calls.put("await: no pod yet", drain());
      Pod pod = kubelet.running(kubelet.startPod(NS, job));
      kubelet.serveLog(pod, "{\"event\":\"progress\",\"step\":1,\"totalSteps\":10}\n");
      drain();
      catchThrowableOfType(ApplicationFailure.class, () -> activities.await(await));
      calls.put("await: running", drain());
      // --await async (the worker's default): the watcher's informers list and watch.
      try (StageWatcher watcher = new StageWatcher(client, NoCompletions.client(), activities::await,
          activities::runningProgress, Duration.ofHours(1), 1)) {
        new AsyncAwaitStageActivities(activities, watcher).watch(new byte[] {1}, await);
        calls.put("await asynchronously (the watcher's informers)", drainUntil(
            "GET batch/jobs watch", "GET apps/deployments watch", "GET /pods watch"));
      }
      kubelet.succeed(pod, "{\"artifacts\":[],\"metrics\":{},\"info\":{},\"simulated\":false}");
      drain();
      StageResult result = activities.await(await);
      calls.put("await: succeeded", drain());
      activities.recordCache(new CacheEntry(NS, RUN, train.cacheKey(), result));
      calls.put("recordCache (create)", drain());
      activities.recordCache(new CacheEntry(NS, RUN, train.cacheKey(), result));
      calls.put("recordCache (replace)", drain());

      Stage prep = TestStages.datasetPrep();
      String prepJob = activities.launch(JobExecutorTest.launch(prep)).objectName();
      kubelet.waiting(kubelet.startPod(NS, prepJob), "ErrImagePull", "not found");
      drain();
      catchThrowableOfType(ApplicationFailure.class,
          () -> activities.await(new AwaitRequest(RUN, NS, prep, prepJob, launch.cluster())));
      calls.put("await: image pull (fails, deletes the Job)", drain());

      new PodLogs(client).tail(NS, pod.getMetadata().getName(), "train", PodLogs.FAILURE_TAIL_LINES);
      calls.put("logs (tail)", drain());
      rollouts(activities, rollout, kubelet, calls);
      kubelet.createServing(NS, RUN);
      drain();
      activities.cleanup(new CleanupRequest(RUN, NS, false));
      calls.put("cleanup", drain());
    }
    return calls;
  }

  /**
   * The rollout stages of the two example specs: Triton (promoted after a passing smoke test,
   * then a revision whose smoke test fails and is rolled back) and trtllm-serve (with a mounted
   * files ConfigMap, promoted).
   */
  private void rollouts(KubernetesStageActivities activities, RolloutExecutor rollout,
      TestKubelet kubelet, Map<String, List<String>> calls) throws Exception {
    Stage triton = rolloutStage("configs/elyza-7b-qlora-triton.yaml");
    servedBatch = triton.params(RolloutParams.class).servedMaxBatchSize();
    String name = activities.launch(rolloutLaunch(triton)).objectName();
    calls.put("rollout launch", drain());
    catchThrowableOfType(ApplicationFailure.class, () -> activities.await(rolloutAwait(triton, name)));
    calls.put("rollout await: not ready", drain());
    kubelet.deploymentAvailable(NS, name);
    drain();
    StageResult promoted = activities.await(rolloutAwait(triton, name));
    if (promoted.info().get("promoted").equals("false")) {
      rollout.promote(NS, RUN, promoted.info().get("revision"));
    }
    calls.put("rollout await: smoke test passes, promote", drain());

    Stage broken = withKey(triton, "9".repeat(64));
    String brokenName = activities.launch(rolloutLaunch(broken)).objectName();
    calls.put("rollout launch (second revision)", drain());
    kubelet.deploymentAvailable(NS, brokenName);
    Pod server = kubelet.serverPod(NS, brokenName);
    this.server.expect().get().withPath("/api/v1/namespaces/" + NS + "/pods/" + server.getMetadata().getName()
        + "/log?pretty=false&tailLines=50").andReturn(200, "E1126 engine not found\n").always();
    adapterOutput = " ";
    drain();
    catchThrowableOfType(ApplicationFailure.class, () -> activities.await(rolloutAwait(broken, brokenName)));
    adapterOutput = " 私は太宰治です。";
    calls.put("rollout await: smoke test fails, roll back", drain());

    Stage next = withKey(triton, "8".repeat(64));
    String nextName = activities.launch(rolloutLaunch(next)).objectName();
    calls.put("rollout launch (third revision)", drain());
    kubelet.deploymentAvailable(NS, nextName);
    drain();
    StageResult switched = activities.await(rolloutAwait(next, nextName));
    if (switched.info().get("promoted").equals("false")) {
      rollout.promote(NS, RUN, switched.info().get("revision"));
    }
    calls.put("rollout await: promote over a stable revision", drain());

    Stage serve = rolloutStage("configs/gpt-oss-20b-trtllm-serve.yaml");
    String serveName = activities.launch(rolloutLaunch(serve)).objectName();
    calls.put("rollout launch (with files)", drain());
    kubelet.deploymentAvailable(NS, serveName);
    drain();
    StageResult served = activities.await(rolloutAwait(serve, serveName));
    if (served.info().get("promoted").equals("false")) {
      rollout.promote(NS, RUN, served.info().get("revision"));
    }
    calls.put("rollout (files) await, promote", drain());
    rollout.removeCandidates(NS, RUN);
    calls.put("rollout removeCandidates", drain());
  }

  private static Stage rolloutStage(String config) throws Exception {
    PipelineSpec spec = SpecLoader.load(Files.readString(Path.of(config)), config);
    return Planner.plan(spec).stages().stream().filter(s -> s.kind() == StageKind.DEPLOYMENT)
        .findFirst().orElseThrow();
  }

  private static Stage withKey(Stage s, String key) {
    return new Stage(s.name(), s.kind(), s.image(), s.argv(), s.env(), s.secretEnv(), s.resources(),
        s.volumes(), s.timeoutSeconds(), s.expectedSeconds(), s.consumes(), s.produces(), key,
        s.summary(), s.files(), s.imageCopies(), s.params());
  }

  private static LaunchRequest rolloutLaunch(Stage stage) {
    return new LaunchRequest(RUN, NS, stage, 1, "d1g35t", TestStages.gpuCluster());
  }

  private static AwaitRequest rolloutAwait(Stage stage, String name) {
    return new AwaitRequest(RUN, NS, stage, name, TestStages.gpuCluster());
  }

  /** A model server answering the smoke tests of Triton and of OpenAI-style servers. */
  private MockResponse answer(okhttp3.mockwebserver.RecordedRequest request) {
    String path = request.getPath();
    String json;
    if (path.endsWith("/generate")) {
      boolean adapter = request.getBody().readUtf8().contains("lora_task_id");
      json = "{\"model_name\":\"ensemble\",\"text_output\":\"" + (adapter ? adapterOutput : " Hello.") + "\"}";
    } else if (path.equals("/v2/models/tensorrt_llm/config")) {
      json = "{\"name\":\"tensorrt_llm\",\"max_batch_size\":" + servedBatch + "}";
    } else if (path.startsWith("/v1/completions")) {
      json = "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,"
          + "\"text\":\" Hello.\",\"finish_reason\":\"length\"}]}";
    } else {
      return new MockResponse().setResponseCode(404).setBody("{}");
    }
    return new MockResponse().setHeader("Content-Type", "application/json").setBody(json);
  }

  /** The activities' requests since the last drain, as "METHOD group/resource verb". */
  private List<String> drain() throws InterruptedException {
    List<String> calls = new ArrayList<>();
    for (RecordedRequest r; (r = server.takeRequest(20, TimeUnit.MILLISECONDS)) != null; ) {
      if (!TestKubelet.USER_AGENT.equals(r.getHeader("User-Agent"))) {
        calls.add(r.getMethod() + " " + call(r.getMethod(), r.getPath()));
      }
    }
    return calls;
  }

  /** Drains until each of {@code expected} was seen (informers start their watches asynchronously). */
  private List<String> drainUntil(String... expected) throws InterruptedException {
    List<String> calls = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!calls.containsAll(List.of(expected)) && System.nanoTime() < deadline) {
      calls.addAll(drain());
    }
    calls.addAll(drain());
    return calls;
  }

  /** An HTTP request as the RBAC authorizer sees it. */
  static String call(String method, String path) {
    Matcher m = PATH.matcher(path);
    if (!m.matches()) {
      throw new AssertionError("not a namespaced resource request: " + method + " " + path);
    }
    String group = m.group("group") == null ? "" : m.group("group");
    String resource = m.group("resource") + (m.group("sub") == null ? "" : "/" + m.group("sub"));
    boolean named = m.group("name") != null;
    boolean watch = m.group("query") != null && m.group("query").contains("watch=true");
    String verb = switch (method) {
      case "GET" -> watch ? "watch" : named ? "get" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> named ? "delete" : "deletecollection";
      default -> throw new AssertionError("unexpected method " + method);
    };
    return group + "/" + resource + " " + verb;
  }

  static Set<String> granted(Path roleFile) throws Exception {
    Role role;
    try (InputStream in = Files.newInputStream(roleFile)) {
      role = Serialization.unmarshal(in, Role.class);
    }
    Set<String> granted = new TreeSet<>();
    for (PolicyRule rule : role.getRules()) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            granted.add(group + "/" + resource + " " + verb);
          }
        }
      }
    }
    return granted;
  }

}
