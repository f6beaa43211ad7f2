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
import org.junit.jupiter.api.Test;

/**
 * Least privilege: the (apiGroup, resource, verb) triples the activities call on the API server,
 * recorded from the mock server's request log, equal the rules of k8s/role.yaml, both ways.
 */
@EnableKubernetesMockClient(crud = true)
class RoleComplianceTest {
  /**
   * The calls of RolloutExecutor (serving), which is not part of this scenario: create or adopt
   * its Deployment and Service, update them to a new engine. Replace by recording once it runs
   * here.
   */
  static final Set<String> ROLLOUT_EXECUTOR = Set.of(
      "apps/deployments get", "apps/deployments create", "apps/deployments update",
      "/services get", "/services create", "/services update");

  private static final Pattern PATH = Pattern.compile(
      "^/(?:api/v1|apis/(?<group>[^/]+)/[^/]+)/namespaces/[^/]+/(?<resource>[^/?]+)"
          + "(?:/(?<name>[^/?]+)(?:/(?<sub>[^/?]+))?)?(?:\\?(?<query>.*))?$");

  KubernetesMockServer server;
  KubernetesClient client;

  @Test
  void theRoleAllowsExactlyTheCallsTheActivitiesMakeAndEachMakesOnlyTargetedOnes() throws Exception {
    Map<String, List<String>> calls = scenario();
    calls.forEach((step, list) -> System.out.printf("%-42s %d  %s%n", step, list.size(), list));
    Set<String> used = new TreeSet<>(ROLLOUT_EXECUTOR);
    calls.values().forEach(list -> list.forEach(c -> used.add(c.substring(c.indexOf(' ') + 1))));

    assertThat(granted(Path.of("k8s/role.yaml"))).as("granted by k8s/role.yaml")
        .containsExactlyInAnyOrderElementsOf(used);
    assertThat(calls.get("launch (create)")).containsExactly("GET batch/jobs get", "POST batch/jobs create");
    assertThat(calls.get("launch again (adopt)")).containsExactly("GET batch/jobs get");
    assertThat(calls.get("await: no pod yet")).containsExactly("GET batch/jobs get", "GET /pods list");
    assertThat(calls.get("await: running")).containsExactly("GET batch/jobs get", "GET /pods list",
        "GET /pods/log get");
    assertThat(calls.get("await: succeeded")).containsExactly("GET batch/jobs get", "GET /pods list");
    assertThat(calls.get("await: image pull (fails, deletes the Job)")).containsExactly(
        "GET batch/jobs get", "GET /pods list", "DELETE batch/jobs delete");
    assertThat(calls.get("logs (tail)")).containsExactly("GET /pods/log get");
    assertThat(calls.get("lookupCache")).containsExactly("GET /configmaps get");
    assertThat(calls.get("cleanup")).containsExactly(
        "GET batch/jobs list", "DELETE batch/jobs delete",
        "GET apps/deployments list", "DELETE apps/deployments delete",
        "GET /services list", "DELETE /services delete",
        "GET /configmaps list", "DELETE /configmaps delete");
  }

  /** Runs every activity path once; returns the recorded calls per step, in order. */
  private Map<String, List<String>> scenario() throws Exception {
    KubernetesStageActivities activities = new KubernetesStageActivities(client, NS);
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
      kubelet.createServing(NS, RUN);
      drain();
      activities.cleanup(new CleanupRequest(RUN, NS, false));
      calls.put("cleanup", drain());
    }
    return calls;
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
