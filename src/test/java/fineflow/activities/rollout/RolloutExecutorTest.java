package fineflow.activities.rollout;

import static fineflow.activities.rollout.RolloutStages.KEY;
import static fineflow.activities.rollout.RolloutStages.NS;
import static fineflow.activities.rollout.RolloutStages.OTHER_KEY;
import static fineflow.activities.rollout.RolloutStages.RUN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.workflows.contract.FailureType;
import fineflow.workflows.contract.LaunchResult;
import fineflow.workflows.contract.StageFailure;
import fineflow.workflows.contract.StageProgress;
import fineflow.workflows.contract.StageResult;
import fineflow.workflows.plan.RolloutTarget;
import fineflow.workflows.plan.ServingEndpoint;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.StageName;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import fineflow.activities.kubernetes.KubernetesStageActivities;
import fineflow.workflows.contract.CleanupRequest;
import fineflow.workflows.contract.CleanupResult;
import fineflow.workflows.contract.PromoteRequest;
import fineflow.workflows.contract.PromoteResult;
import fineflow.workflows.plan.StageKind;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class RolloutExecutorTest {

  KubernetesClient client;
  KubernetesMockServer server;
  MockWebServer http;
  MutableClock clock;
  RolloutExecutor executor;
  final List<JsonNode> generateBodies = Collections.synchronizedList(new ArrayList<>());
  volatile String adapterOutput = " 私は太宰治です。";
  volatile String baseOutput = " Hello, I am an assistant.";
  volatile int servedBatch = 16;

  @BeforeEach
  void start() throws Exception {
    http = new MockWebServer();
    http.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        try {
          return answer(request);
        } catch (Exception e) {
          return new MockResponse().setResponseCode(500).setBody(e.toString());
        }
      }
    });
    http.start();
    clock = new MutableClock(Instant.parse("2026-11-26T01:00:00Z"));
    String url = http.url("/").toString();
    executor = new RolloutExecutor(client, NS, new SmokeTest(new OkHttpClient(), 2, Duration.ZERO), s -> url, clock);
  }

  @AfterEach
  void stop() throws Exception {
    http.shutdown();
  }

  private MockResponse answer(RecordedRequest request) throws Exception {
    String path = request.getPath();
    if (path.equals("/v2/models/ensemble/generate")) {
      JsonNode body = new ObjectMapper().readTree(request.getBody().readUtf8());
      generateBodies.add(body);
      String text = body.has("lora_task_id") ? adapterOutput : baseOutput;
      return json("{\"model_name\":\"ensemble\",\"model_version\":\"1\",\"text_output\":"
          + new ObjectMapper().writeValueAsString(text) + "}");
    }
    if (path.equals("/v2/models/tensorrt_llm/config")) {
      return json("{\"name\":\"tensorrt_llm\",\"platform\":\"\",\"backend\":\"tensorrtllm\",\"max_batch_size\":"
          + servedBatch + ",\"dynamic_batching\":{}}");
    }
    if (path.equals("/v1/completions")) {
      JsonNode body = new ObjectMapper().readTree(request.getBody().readUtf8());
      generateBodies.add(body);
      String text = body.get("model").asText().equals("dazai") ? adapterOutput : baseOutput;
      return json("{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":"
          + new ObjectMapper().writeValueAsString(text) + ",\"finish_reason\":\"length\"}]}");
    }
    return new MockResponse().setResponseCode(404).setBody("{\"error\":\"not found\"}");
  }

  private static MockResponse json(String body) {
    return new MockResponse().setHeader("Content-Type", "application/json").setBody(body);
  }

  private Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(NS).withName(name).get();
  }

  private void markAvailable(String name) {
    Deployment d = deployment(name);
    d.setStatus(new DeploymentStatusBuilder().withReplicas(1).withReadyReplicas(1).withAvailableReplicas(1).build());
    client.apps().deployments().inNamespace(NS).resource(d).updateStatus();
  }

  private void addPod(String deploymentName, String revision, String app) {
    client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(deploymentName + "-7d9f-x2")
        .addToLabels(RolloutObjects.LABEL_INSTANCE, app).addToLabels(RolloutObjects.LABEL_REVISION, revision)
        .endMetadata().withNewStatus().withPhase("Running").endStatus().build()).create();
  }

  private static ApplicationFailure failureOf(Runnable r) {
    return catchThrowableOfType(ApplicationFailure.class, r::run);
  }

  @Test
  void tritonDeploymentAndService() {
    Stage stage = RolloutStages.tritonStage(RolloutStages.triton(false), KEY, 16);

    LaunchResult launched = executor.launch(RolloutStages.launch(stage));

    assertThat(launched).isEqualTo(new LaunchResult("elyza-rollout-3f2a9c1d7e4b", false));
    Deployment d = deployment("elyza-rollout-3f2a9c1d7e4b");
    assertThat(d.getMetadata().getLabels()).containsEntry("app.kubernetes.io/name", "triton")
        .containsEntry("app.kubernetes.io/instance", "elyza").containsEntry("app.kubernetes.io/managed-by", "fineflow")
        .containsEntry("users.fineflow.dev/" + RUN, "true").containsEntry("fineflow.dev/revision", "3f2a9c1d7e4b")
        .containsEntry("fineflow.dev/track", "candidate");
    assertThat(d.getMetadata().getAnnotations()).containsKey(RolloutObjects.ANNOTATION_HASH)
        .containsEntry(RolloutObjects.ANNOTATION_SPEC_DIGEST, "specdigest123")
        .containsEntry(RolloutObjects.ANNOTATION_APPLIED_AT, "2026-11-26T01:00:00Z");
    assertThat(d.getSpec().getSelector().getMatchLabels())
        .containsExactlyInAnyOrderEntriesOf(Map.of("app.kubernetes.io/instance", "elyza", "fineflow.dev/revision", "3f2a9c1d7e4b"));
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).doesNotContainKeys("fineflow.dev/run", "fineflow.dev/track");
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getCommand()).contains("--backend-config=tensorrtllm,default-max-batch-size=16");
    assertThat(c.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort())
        .containsExactly("http:8000", "grpc:8001", "metrics:8002");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/v2/health/ready");
    assertThat(c.getLivenessProbe()).isNull();
    assertThat(c.getResources().getLimits()).containsKey("nvidia.com/gpu");
    assertThat(c.getResources().getLimits().get("nvidia.com/gpu").getAmount()).isEqualTo("1");
    assertThat(c.getEnv()).extracting(e -> e.getName()).containsExactly("TLLM_LOG_LEVEL");
    assertThat(c.getVolumeMounts()).filteredOn(m -> m.getName().equals("workspace"))
        .extracting(m -> m.getMountPath() + "<-" + m.getSubPath() + (m.getReadOnly() ? " ro" : " rw"))
        .containsExactly("/repo<-cache/triton-repo-aaa/repo ro", "/engine<-cache/engine-build-bbb/engine ro",
            "/prefetch<-cache/lora-convert-ccc/prefetch ro");
    assertThat(d.getSpec().getTemplate().getSpec().getVolumes()).extracting(v -> v.getName())
        .containsExactly("workspace", "dshm");
    Service s = client.services().inNamespace(NS).withName("elyza-rollout-3f2a9c1d7e4b").get();
    assertThat(s.getSpec().getPorts()).extracting(ServicePort::getPort).containsExactly(8000, 8001, 8002);
    assertThat(s.getSpec().getSelector()).containsEntry("fineflow.dev/revision", "3f2a9c1d7e4b");
  }

  @Test
  void trtllmServeMountsExtraOptionsAndAFreshFlashinferCache() {
    executor.launch(RolloutStages.launch(RolloutStages.trtllmServeStage()));

    Deployment d = deployment("gpt-oss-rollout-3f2a9c1d7e4b");
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health");
    assertThat(c.getPorts()).extracting(p -> p.getContainerPort()).containsExactly(8000);
    assertThat(c.getEnv()).extracting(e -> e.getName()).doesNotContain("FINEFLOW_ROLLOUT_BACKEND");
    assertThat(c.getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getMountPath()).isEqualTo("/etc/fineflow/extra-llm-api-options.yaml");
      assertThat(m.getSubPath()).isEqualTo("extra-llm-api-options.yaml");
    }).anySatisfy(m -> {
      assertThat(m.getMountPath()).isEqualTo("/root/.cache/flashinfer");
      assertThat(m.getName()).isEqualTo("flashinfer-cache");
    });
    assertThat(d.getSpec().getTemplate().getSpec().getVolumes())
        .filteredOn(v -> v.getName().equals("flashinfer-cache")).singleElement()
        .satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
    String yaml = client.configMaps().inNamespace(NS).withName("gpt-oss-rollout-3f2a9c1d7e4b-files").get()
        .getData().get("extra-llm-api-options.yaml");
    assertThat(yaml).contains("\"moe_config\":{\"backend\":\"TRITON\"}", "\"max_batch_size\":256");
  }

  @Test
  void vllmDeployment() {
    executor.launch(RolloutStages.launch(RolloutStages.vllmStage()));

    Container c = deployment("elyza-vllm-rollout-3f2a9c1d7e4b").getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health");
    assertThat(c.getCommand()).startsWith("vllm", "serve");
    assertThat(deployment("elyza-vllm-rollout-3f2a9c1d7e4b").getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/name", "vllm");
  }

  @Test
  void argvThatCannotServeIsRejectedBeforeAnythingIsCreated() {
    // launch_triton_server.py starts tritonserver in the background and exits.
    ApplicationFailure background = failureOf(() -> executor.launch(RolloutStages.launch(
        RolloutStages.withArgv(RolloutStages.tritonStage(RolloutStages.triton(false), KEY, 16),
            List.of("python3", "/app/scripts/launch_triton_server.py", "--world_size=2", "--model_repo=/repo")))));
    Stage served = RolloutStages.trtllmServeStage();
    List<String> localhost = new ArrayList<>(served.argv());
    localhost.set(localhost.indexOf("0.0.0.0"), "localhost");
    ApplicationFailure noHost = failureOf(() -> executor.launch(RolloutStages.launch(
        RolloutStages.withArgv(served, localhost))));

    assertThat(background.getType()).isEqualTo(FailureType.BAD_ARGUMENTS.type());
    assertThat(background.isNonRetryable()).isTrue();
    assertThat(background.getOriginalMessage()).contains("tritonserver in the foreground");
    assertThat(noHost.getOriginalMessage()).contains("--host 0.0.0.0");
    assertThat(client.apps().deployments().inNamespace(NS).list().getItems()).isEmpty();
  }

  @Test
  void reapplyingTheSameRevisionChangesNothing() {
    Stage stage = RolloutStages.tritonStage(RolloutStages.triton(false), KEY, 16);
    executor.launch(RolloutStages.launch(stage));
    String version = deployment("elyza-rollout-3f2a9c1d7e4b").getMetadata().getResourceVersion();
    clock.advance(Duration.ofMinutes(5));

    LaunchResult again = executor.launch(RolloutStages.launch(stage));

    assertThat(again.adopted()).isTrue();
    Deployment d = deployment("elyza-rollout-3f2a9c1d7e4b");
    assertThat(d.getMetadata().getResourceVersion()).isEqualTo(version);
    assertThat(d.getMetadata().getAnnotations()).containsEntry(RolloutObjects.ANNOTATION_APPLIED_AT, "2026-11-26T01:00:00Z");
    assertThat(client.apps().deployments().inNamespace(NS).list().getItems()).hasSize(1);
  }

  @Test
  void notReadyIsStillRunningThenTimesOutAndRollsBack() {
    Stage stage = RolloutStages.tritonStage(RolloutStages.triton(false), KEY, 16);
    String name = executor.launch(RolloutStages.launch(stage)).objectName();
    addPod(name, "3f2a9c1d7e4b", "elyza");

    ApplicationFailure waiting = failureOf(() -> executor.await(RolloutStages.await(stage, name)));

    assertThat(waiting.getType()).isEqualTo(FailureType.STILL_RUNNING.type());
    assertThat(waiting.isNonRetryable()).isFalse();
    StageProgress progress = waiting.getDetails().get(0, StageProgress.class);
    assertThat(progress.podName()).isEqualTo(name + "-7d9f-x2");
    assertThat(progress.line()).contains("0/1 replicas ready");

    clock.advance(Duration.ofSeconds(1801));
    ApplicationFailure timedOut = failureOf(() -> executor.await(RolloutStages.await(stage, name)));

    assertThat(timedOut.getType()).isEqualTo(FailureType.STAGE_FAILED.type());
    assertThat(timedOut.isNonRetryable()).isTrue();
    assertThat(timedOut.getOriginalMessage()).contains("not ready after 1801 s");
    assertThat(timedOut.getDetails().get(0, StageFailure.class).logTail()).isNotEmpty();
    assertThat(deployment(name)).isNull();
  }

  @Test
  void smokeTestPassesAndPromotesWithoutGate() {
    Stage stage = RolloutStages.tritonStage(RolloutStages.triton(false), KEY, 16);
    String name = executor.launch(RolloutStages.launch(stage)).objectName();
    markAvailable(name);

    StageResult result = executor.await(RolloutStages.await(stage, name));

    assertThat(result.info()).containsEntry("promoted", "true").containsEntry("revision", "3f2a9c1d7e4b")
        .containsEntry("smokeAdapterOutput", " 私は太宰治です。").containsEntry("smokeBaseOutput", " Hello, I am an assistant.");
    assertThat(result.info().get("url")).startsWith(http.url("/").toString().replaceAll("/$", ""));
    assertThat(result.info())
        .containsEntry("servedModel", "ensemble").containsEntry("loraTaskId", "0")
        .doesNotContainKey("adapterName");
    assertThat(result.metrics()).containsEntry("servedMaxBatchSize", 16.0);
    assertThat(generateBodies).hasSize(2);
    assertThat(generateBodies.get(0).get("lora_task_id").asLong()).isZero();
    assertThat(generateBodies.get(0).get("bad_words").asText()).isEmpty();
    assertThat(generateBodies.get(0).get("stop_words").asText()).isEmpty();
    assertThat(generateBodies.get(1).has("lora_task_id")).isFalse();
    Service stable = client.services().inNamespace(NS).withName("elyza").get();
    assertThat(stable.getSpec().getSelector()).containsEntry("fineflow.dev/revision", "3f2a9c1d7e4b");
    assertThat(stable.getMetadata().getLabels()).containsEntry("fineflow.dev/track", "stable");
    assertThat(deployment(name).getMetadata().getLabels()).containsEntry("fineflow.dev/track", "stable");
  }

  @Test
  void emptyOutputRollsBackAndKeepsTheStableRevisionServing() {
    // Revision OTHER_KEY is serving.
    Stage old = RolloutStages.tritonStage(RolloutStages.triton(false), OTHER_KEY, 16);
    String oldName = executor.launch(RolloutStages.launch(old)).objectName();
    markAvailable(oldName);
    executor.await(RolloutStages.await(old, oldName));
    Stage stage = RolloutStages.tritonStage(RolloutStages.triton(false), KEY, 16);
    String name = executor.launch(RolloutStages.launch(stage)).objectName();
    markAvailable(name);
    addPod(name, "3f2a9c1d7e4b", "elyza");
    server.expect().get().withPath("/api/v1/namespaces/" + NS + "/pods/" + name + "-7d9f-x2/log?pretty=false&tailLines=50")
        .andReturn(200, "I1126 loading engine\n[TensorRT-LLM][WARNING] LoRA cache miss for task 0\n").always();
    adapterOutput = "  ";

    ApplicationFailure failed = failureOf(() -> executor.await(RolloutStages.await(stage, name)));

    assertThat(failed.getType()).isEqualTo(FailureType.SMOKE_TEST_FAILED.type());
    assertThat(failed.isNonRetryable()).isTrue();
    assertThat(failed.getOriginalMessage()).contains("generation with the LoRA adapter returned empty output");
    StageFailure details = failed.getDetails().get(0, StageFailure.class);
    assertThat(details.stage()).isEqualTo("rollout");
    assertThat(details.logTail()).containsExactly("I1126 loading engine",
        "[TensorRT-LLM][WARNING] LoRA cache miss for task 0");
    assertThat(deployment(name)).isNull();
    assertThat(client.services().inNamespace(NS).withName(name).get()).isNull();
    assertThat(deployment(oldName)).isNotNull();
    assertThat(client.services().inNamespace(NS).withName("elyza").get().getSpec().getSelector())
        .containsEntry("fineflow.dev/revision", "aaaabbbbcccc");
  }

  @Test
  void wrongServedBatchSizeRollsBack() {
    Stage stage = RolloutStages.tritonStage(RolloutStages.triton(false), KEY, 16);
    String name = executor.launch(RolloutStages.launch(stage)).objectName();
    markAvailable(name);
    servedBatch = 4;

    ApplicationFailure failed = failureOf(() -> executor.await(RolloutStages.await(stage, name)));

    assertThat(failed.getType()).isEqualTo(FailureType.SMOKE_TEST_FAILED.type());
    assertThat(failed.getOriginalMessage()).contains("serves max_batch_size 4", "built for 16",
        "config.pbtxt must say max_batch_size: 16");
    assertThat(deployment(name)).isNull();
    assertThat(client.services().inNamespace(NS).withName("elyza").get()).isNull();
  }

  /**
   * Two runs of the same key share one candidate; a failed smoke test of one run is that run
   * leaving it, not a delete under the other run, which still awaits it (issue 13). The server
   * goes with its last user's rollback.
   */
  @Test
  void aFailedSmokeTestLeavesASharedCandidateToTheRunStillUsingIt() {
    Stage stage = RolloutStages.trtllmServeStage();
    String name = executor.launch(RolloutStages.launch(stage)).objectName();
    executor.launch(new fineflow.workflows.contract.LaunchRequest("other-run-1", NS, stage, 1, "specdigest123",
        fineflow.workflows.spec.ClusterSpec.defaults()));
    markAvailable(name);
    baseOutput = "  ";

    ApplicationFailure failed = failureOf(() -> executor.await(RolloutStages.await(stage, name)));

    assertThat(failed.getType()).isEqualTo(FailureType.SMOKE_TEST_FAILED.type());
    String files = name + RolloutObjects.FILES_SUFFIX;
    assertThat(deployment(name).getMetadata().getLabels()).containsEntry("users.fineflow.dev/other-run-1", "true")
        .doesNotContainKeys("users.fineflow.dev/" + RUN, "fineflow.dev/released-by");
    assertThat(client.services().inNamespace(NS).withName(name).get().getMetadata().getLabels())
        .containsKey("users.fineflow.dev/other-run-1").doesNotContainKey("users.fineflow.dev/" + RUN);
    assertThat(client.configMaps().inNamespace(NS).withName(files).get().getMetadata().getLabels())
        .containsKey("users.fineflow.dev/other-run-1").doesNotContainKey("users.fineflow.dev/" + RUN);

    failureOf(() -> executor.await(new fineflow.workflows.contract.AwaitRequest("other-run-1", NS, stage, name,
        fineflow.workflows.spec.ClusterSpec.defaults())));

    assertThat(deployment(name)).isNull();
    assertThat(client.services().inNamespace(NS).withName(name).get()).isNull();
    assertThat(client.configMaps().inNamespace(NS).withName(files).get()).isNull();
  }

  @Test
  void gatedRolloutWaitsForPromoteWhichRetiresTheOldStable() {
    Stage old = RolloutStages.tritonStage(RolloutStages.triton(false), OTHER_KEY, 16);
    String oldName = executor.launch(RolloutStages.launch(old)).objectName();
    markAvailable(oldName);
    executor.await(RolloutStages.await(old, oldName));
    Stage stage = RolloutStages.tritonStage(RolloutStages.triton(true), KEY, 16);
    String name = executor.launch(RolloutStages.launch(stage)).objectName();
    markAvailable(name);

    StageResult result = executor.await(RolloutStages.await(stage, name));

    assertThat(result.info()).containsEntry("promoted", "false");
    assertThat(client.services().inNamespace(NS).withName("elyza").get().getSpec().getSelector())
        .containsEntry("fineflow.dev/revision", "aaaabbbbcccc");

    assertThat(executor.promote(RUN, "3f2a9c1d7e4b")).isEqualTo("elyza");
    assertThat(executor.promote(RUN, "3f2a9c1d7e4b")).isEqualTo("elyza");

    assertThat(client.services().inNamespace(NS).withName("elyza").get().getSpec().getSelector())
        .containsEntry("fineflow.dev/revision", "3f2a9c1d7e4b");
    assertThat(deployment(oldName)).isNull();
    assertThat(client.services().inNamespace(NS).withName(oldName).get()).isNull();
    assertThat(deployment(name).getMetadata().getLabels()).containsEntry("fineflow.dev/track", "stable");
  }

  @Test
  void openAiServersAreTriedWithTheAdapterNameAndTheBaseModel() {
    Stage stage = RolloutStages.vllmStage();
    String name = executor.launch(RolloutStages.launch(stage)).objectName();
    markAvailable(name);

    StageResult result = executor.await(RolloutStages.await(stage, name));

    assertThat(generateBodies).extracting(b -> b.get("model").asText())
        .containsExactly("dazai", "elyza/ELYZA-japanese-Llama-2-7b-instruct");
    assertThat(generateBodies.get(0).get("prompt").asText()).isEqualTo("こんにちは");
    assertThat(result.metrics()).doesNotContainKey("servedMaxBatchSize");
    assertThat(result.info()).containsEntry("backend", "vllm");
  }

  @Test
  void removeCandidatesLeavesTheStableRevision() {
    Stage old = RolloutStages.tritonStage(RolloutStages.triton(false), OTHER_KEY, 16);
    String oldName = executor.launch(RolloutStages.launch(old)).objectName();
    markAvailable(oldName);
    executor.await(RolloutStages.await(old, oldName));
    String name = executor.launch(RolloutStages.launch(RolloutStages.tritonStage(RolloutStages.triton(true), KEY, 16))).objectName();

    List<String> deleted = executor.removeCandidates(NS, RUN);

    assertThat(deleted).containsExactly("Deployment/" + name);
    assertThat(deployment(oldName)).isNotNull();
  }

  @Test
  void objectsAreNamedAsThePlannersBenchmarkArgvExpects() {
    Stage stage = RolloutStages.tritonStage(RolloutStages.triton(false), KEY, 16);

    String name = executor.launch(RolloutStages.launch(stage)).objectName();

    assertThat(name).isEqualTo(ServingEndpoint.serviceName("elyza", stage));
    assertThat(RolloutObjects.stableServiceName("7b-bot")).isEqualTo("ff-7b-bot");
  }

  @Test
  void extraOptionsWithoutTheArgvFlagAreRejected() {
    ApplicationFailure failed = failureOf(() -> executor.launch(RolloutStages.launch(
        RolloutStages.trtllmServeStage(RolloutStages.trtllmServe(null)))));

    assertThat(failed.getType()).isEqualTo(FailureType.BAD_ARGUMENTS.type());
    assertThat(failed.getOriginalMessage()).contains("lacks --extra_llm_api_options /etc/fineflow/extra-llm-api-options.yaml");
    ApplicationFailure notMounted = failureOf(() -> executor.launch(RolloutStages.launch(
        RolloutStages.trtllmServeStage(RolloutStages.trtllmServe("/etc/extra.yaml")))));
    assertThat(notMounted.getOriginalMessage()).contains("reads --extra_llm_api_options /etc/extra.yaml but the stage mounts");
  }

  @Test
  void promotedFilesAreMarkedStableSoTheRunCleanupKeepsThem() {
    Stage stage = RolloutStages.trtllmServeStage();
    String name = executor.launch(RolloutStages.launch(stage)).objectName();
    assertThat(client.configMaps().inNamespace(NS).withName(name + "-files").get().getMetadata().getLabels())
        .containsEntry("fineflow.dev/track", "candidate").containsEntry("users.fineflow.dev/" + RUN, "true");

    executor.promote(RUN, "3f2a9c1d7e4b");

    assertThat(client.configMaps().inNamespace(NS).withName(name + "-files").get().getMetadata().getLabels())
        .containsEntry("fineflow.dev/track", "stable");
    assertThat(client.services().inNamespace(NS).withName("gpt-oss").get().getSpec().getPorts())
        .extracting(ServicePort::getPort).containsExactly(8000);
  }

  @Test
  void aPromotedRevisionSurvivesTheRunsCleanupThroughTheStageActivities() {
    KubernetesStageActivities activities = new KubernetesStageActivities(client, NS,
        Map.of(StageKind.DEPLOYMENT, executor));
    Stage stage = RolloutStages.trtllmServeStage();
    String name = activities.launch(RolloutStages.launch(stage)).objectName();
    markAvailable(name);
    Stage baseline = RolloutStages.stage(StageName.BASELINE, RolloutStages.vllm(), OTHER_KEY,
        "vllm/vllm-openai:v0.11.0", RolloutStages.vllmServe("m", null, null), List.of(), Map.of());
    String baselineName = activities.launch(RolloutStages.launch(baseline)).objectName();

    PromoteResult promoted = activities.promote(new PromoteRequest(RUN, NS, "3f2a9c1d7e4b"));
    CleanupResult cleanup = activities.cleanup(new CleanupRequest(RUN, NS, true));

    assertThat(promoted).isEqualTo(new PromoteResult("gpt-oss", "3f2a9c1d7e4b"));
    assertThat(cleanup.deleted()).contains("Deployment/" + baselineName)
        .doesNotContain("Deployment/" + name, "ConfigMap/" + name + "-files", "Service/gpt-oss");
    assertThat(client.configMaps().inNamespace(NS).withName(name + "-files").get()).isNotNull();
    assertThat(deployment(name)).isNotNull();
    assertThat(deployment(baselineName)).isNull();
    assertThat(client.services().inNamespace(NS).withName("gpt-oss").get()).isNotNull();
  }

  @Test
  void promotingWithoutARolloutExecutorFailsAsBadArguments() {
    KubernetesStageActivities jobsOnly = new KubernetesStageActivities(client, NS);

    ApplicationFailure failure = failureOf(() -> jobsOnly.promote(new PromoteRequest(RUN, NS, "3f2a9c1d7e4b")));

    assertThat(failure.getType()).isEqualTo("BadArguments");
    assertThat(failure.isNonRetryable()).isTrue();
  }

  @Test
  void anUnschedulablePodTimesOutAsUnschedulable() {
    Stage stage = RolloutStages.tritonStage(RolloutStages.triton(false), KEY, 16);
    String name = executor.launch(RolloutStages.launch(stage)).objectName();
    client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name + "-abc")
        .addToLabels(RolloutObjects.LABEL_INSTANCE, "elyza").addToLabels(RolloutObjects.LABEL_REVISION, "3f2a9c1d7e4b")
        .endMetadata().withNewStatus().withPhase("Pending").addNewCondition().withType("PodScheduled")
        .withStatus("False").withReason("Unschedulable")
        .withMessage("0/3 nodes are available: 3 Insufficient nvidia.com/gpu.").endCondition().endStatus().build()).create();
    clock.advance(Duration.ofHours(1));

    ApplicationFailure failed = failureOf(() -> executor.await(RolloutStages.await(stage, name)));

    assertThat(failed.getType()).isEqualTo(FailureType.UNSCHEDULABLE.type());
    assertThat(failed.getOriginalMessage()).contains("3 Insufficient nvidia.com/gpu");
    assertThat(deployment(name)).isNull();
  }

  @Test
  void anUnreachableServerFailsTheSmokeTestAfterRetrying() throws Exception {
    MockWebServer gone = new MockWebServer();
    gone.start();
    String url = gone.url("/").toString();
    gone.shutdown();
    RolloutExecutor unreachable = new RolloutExecutor(client, NS, new SmokeTest(new OkHttpClient(), 2, Duration.ZERO),
        s -> url, clock);
    Stage stage = RolloutStages.tritonStage(RolloutStages.triton(false), KEY, 16);
    String name = unreachable.launch(RolloutStages.launch(stage)).objectName();
    markAvailable(name);

    ApplicationFailure failed = failureOf(() -> unreachable.await(RolloutStages.await(stage, name)));

    assertThat(failed.getType()).isEqualTo(FailureType.SMOKE_TEST_FAILED.type());
    assertThat(failed.getOriginalMessage()).contains("cannot reach", "(2 attempts)");
    assertThat(deployment(name)).isNull();
  }

  @Test
  void aReplyThatIsNotJsonFailsTheSmokeTest() {
    Stage stage = RolloutStages.tritonStage(RolloutStages.triton(false), KEY, 16);
    String name = executor.launch(RolloutStages.launch(stage)).objectName();
    markAvailable(name);
    http.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse().setBody("");
      }
    });

    ApplicationFailure failed = failureOf(() -> executor.await(RolloutStages.await(stage, name)));

    assertThat(failed.getOriginalMessage()).contains("did not answer a JSON object");
  }

  @Test
  void trtllmServeGetsTheAdapterPerRequest() throws Exception {
    Stage stage = RolloutStages.trtllmServeStage();
    String name = executor.launch(RolloutStages.launch(stage)).objectName();
    markAvailable(name);

    executor.await(RolloutStages.await(stage, name));

    assertThat(generateBodies).hasSize(2);
    assertThat(generateBodies).allSatisfy(b -> assertThat(b.get("model").asText()).isEqualTo("openai/gpt-oss-20b"));
    assertThat(generateBodies.get(0).get("lora_request").get("lora_path").asText()).isEqualTo("/workspace/cache/train-ddd/adapter");
    assertThat(generateBodies.get(1).has("lora_request")).isFalse();
  }

  @Test
  void aBaselineServerIsNeverPromoted() {
    RolloutTarget base = new RolloutTarget(fineflow.workflows.spec.ServingBackend.VLLM, "elyza",
        "elyza/ELYZA-japanese-Llama-2-7b-instruct", null, null, null, false, 1, null);
    Stage stage = RolloutStages.stage(StageName.BASELINE, base, OTHER_KEY, "vllm/vllm-openai:v0.11.0",
        RolloutStages.vllmServe("elyza/ELYZA-japanese-Llama-2-7b-instruct", null, null), List.of(), Map.of());
    String name = executor.launch(RolloutStages.launch(stage)).objectName();
    markAvailable(name);

    StageResult result = executor.await(RolloutStages.await(stage, name));

    assertThat(name).isEqualTo("elyza-baseline-aaaabbbbcccc");
    assertThat(result.info()).containsEntry("promoted", "false");
    assertThat(deployment(name).getMetadata().getLabels()).containsEntry("fineflow.dev/track", "baseline")
        .containsEntry("fineflow.dev/stage", "baseline");
    assertThat(client.services().inNamespace(NS).withName("elyza").get()).isNull();
    assertThat(generateBodies).hasSize(1);
  }
}
