package fineflow.activities.kubernetes;

import static fineflow.activities.kubernetes.JobExecutorTest.NS;
import static fineflow.activities.kubernetes.JobExecutorTest.RUN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import fineflow.workflows.contract.AwaitRequest;
import fineflow.workflows.contract.CacheEntry;
import fineflow.workflows.contract.CacheLookup;
import fineflow.workflows.contract.CacheQuery;
import fineflow.workflows.contract.CleanupRequest;
import fineflow.workflows.contract.CleanupResult;
import fineflow.workflows.contract.FailureType;
import fineflow.workflows.contract.LaunchRequest;
import fineflow.workflows.contract.LaunchResult;
import fineflow.workflows.contract.StageResult;
import fineflow.workflows.plan.StageKind;
import fineflow.workflows.plan.StageName;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class KubernetesStageActivitiesTest {
  KubernetesMockServer server;
  KubernetesClient client;

  @Test
  void theLaunchActivityRunTwiceLeavesOneJobAndReportsTheSecondAsAdopted() {
    KubernetesStageActivities activities = new KubernetesStageActivities(client, NS);
    LaunchRequest request = JobExecutorTest.launch(TestStages.train());

    LaunchResult first = activities.launch(request);
    LaunchResult second = new KubernetesStageActivities(client, NS).launch(request);

    assertThat(first.adopted()).isFalse();
    assertThat(second).isEqualTo(new LaunchResult(first.objectName(), true));
    assertThat(client.batch().v1().jobs().inAnyNamespace().list().getItems()).hasSize(1);
  }

  @Test
  void aRequestWithoutNamespaceUsesTheWorkersDefault() {
    KubernetesStageActivities activities = new KubernetesStageActivities(client, "team-llm");
    LaunchRequest request = new LaunchRequest(RUN, null, TestStages.datasetPrep(), 1, null,
        TestStages.gpuCluster());

    String job = activities.launch(request).objectName();

    assertThat(client.batch().v1().jobs().inNamespace("team-llm").withName(job).get()).isNotNull();
  }

  @Test
  void stagesAreDispatchedByKind() {
    List<String> calls = new ArrayList<>();
    StageExecutor rollouts = new StageExecutor() {
      @Override
      public StageKind kind() {
        return StageKind.DEPLOYMENT;
      }

      @Override
      public LaunchResult launch(LaunchRequest request) {
        calls.add("launch " + request.stage().name() + " in " + request.namespace());
        return new LaunchResult("rollout-candidate", false);
      }

      @Override
      public StageResult await(AwaitRequest request) {
        calls.add("await " + request.objectName());
        return new StageResult(request.stage().name(), request.stage().cacheKey(), request.objectName(),
            null, List.of(), Map.of(), Map.of(), false);
      }
    };
    KubernetesStageActivities activities = new KubernetesStageActivities(client, NS,
        Map.of(StageKind.JOB, new JobExecutor(client), StageKind.DEPLOYMENT, rollouts));

    activities.launch(new LaunchRequest(RUN, null, TestStages.rollout(), 1, null, TestStages.gpuCluster()));
    activities.await(new AwaitRequest(RUN, null, TestStages.rollout(), "rollout-candidate", TestStages.gpuCluster()));

    assertThat(calls).containsExactly("launch rollout in " + NS, "await rollout-candidate");
    assertThat(client.batch().v1().jobs().inAnyNamespace().list().getItems()).isEmpty();
  }

  @Test
  void aKindWithoutExecutorFailsWithoutRetry() {
    KubernetesStageActivities activities = new KubernetesStageActivities(client, NS);

    ApplicationFailure f = catchThrowableOfType(ApplicationFailure.class, () -> activities.launch(
        new LaunchRequest(RUN, NS, TestStages.rollout(), 1, null, TestStages.gpuCluster())));

    assertThat(f.isNonRetryable()).isTrue();
    assertThat(f.getType()).isEqualTo(FailureType.BAD_ARGUMENTS.type());
    assertThat(f.getOriginalMessage())
        .isEqualTo("stage rollout is a DEPLOYMENT stage, and this worker has no executor for "
            + "DEPLOYMENT stages (it has [JOB])");
  }

  @Test
  void theCacheRecordsAndFindsResultsAcrossRuns() {
    KubernetesStageActivities activities = new KubernetesStageActivities(client, NS);
    String key = TestStages.TRAIN_KEY;
    CacheQuery query = new CacheQuery(NS, StageName.TRAIN, key);
    StageResult result = result(key, 1.23);

    assertThat(activities.lookupCache(query)).isEqualTo(CacheLookup.miss());
    activities.recordCache(new CacheEntry(NS, "run-a", key, result));
    activities.recordCache(new CacheEntry(NS, "run-b", key, result(key, 1.11)));

    assertThat(activities.lookupCache(query)).isEqualTo(CacheLookup.hit(result(key, 1.11)));
    ConfigMap cm = client.configMaps().inNamespace(NS).withName("fineflow-cache-3f2a9c1b7d4e").get();
    assertThat(cm.getMetadata().getLabels()).containsEntry(FineflowLabels.MANAGED_BY, "fineflow")
        .doesNotContainKey(FineflowLabels.RUN);
    assertThat(cm.getMetadata().getAnnotations()).containsEntry(FineflowLabels.CACHE_KEY_ANNOTATION, key)
        .containsEntry(CacheStore.RECORDED_BY_ANNOTATION, "run-b");
  }

  @Test
  void aKeyThatSharesOnlyTheTwelveDigitPrefixIsAMiss() {
    KubernetesStageActivities activities = new KubernetesStageActivities(client, NS);
    String key = TestStages.TRAIN_KEY;
    String other = key.substring(0, 12) + "f".repeat(52);
    activities.recordCache(new CacheEntry(NS, RUN, key, result(key, 1.0)));

    assertThat(activities.lookupCache(new CacheQuery(NS, StageName.TRAIN, other))).isEqualTo(CacheLookup.miss());
  }

  @Test
  void anUnreadableEntryIsAMissNotAnError() {
    KubernetesStageActivities activities = new KubernetesStageActivities(client, NS);
    String key = TestStages.TRAIN_KEY;
    activities.recordCache(new CacheEntry(NS, RUN, key, result(key, 1.0)));
    ConfigMap cm = client.configMaps().inNamespace(NS).withName(CacheStore.configMapName(key)).get();
    cm.getData().put(CacheStore.DATA_KEY, "{\"stage\":\"train\",");
    client.configMaps().inNamespace(NS).resource(cm).update();

    assertThat(activities.lookupCache(new CacheQuery(NS, StageName.TRAIN, key))).isEqualTo(CacheLookup.miss());
  }

  @Test
  void cleanupDeletesEverythingOfTheRunInForegroundAndKeepsCacheAndOtherRuns() throws Exception {
    KubernetesStageActivities activities = new KubernetesStageActivities(client, NS);
    String job = activities.launch(JobExecutorTest.launch(TestStages.train())).objectName();
    activities.recordCache(new CacheEntry(NS, RUN, TestStages.TRAIN_KEY, result(TestStages.TRAIN_KEY, 1.0)));
    createServing(RUN, "stable");
    createServing(RUN, "candidate");
    createServing("other-run", "stable");
    client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata()
        .withName(RUN + "-triton-config").addToLabels(FineflowLabels.RUN, RUN).endMetadata().build()).create();
    drain();

    CleanupResult result = activities.cleanup(new CleanupRequest(RUN, NS, false));

    assertThat(result.deleted()).containsExactlyInAnyOrder("Job/" + job,
        "Deployment/" + RUN + "-stable", "Deployment/" + RUN + "-candidate",
        "Service/" + RUN + "-stable", "Service/" + RUN + "-candidate",
        "ConfigMap/" + RUN + "-stable-files", "ConfigMap/" + RUN + "-candidate-files",
        "ConfigMap/" + RUN + "-triton-config");
    assertThat(client.batch().v1().jobs().inNamespace(NS).withLabel(FineflowLabels.RUN, RUN).list().getItems()).isEmpty();
    assertThat(client.apps().deployments().inNamespace(NS).withLabel(FineflowLabels.RUN, RUN).list().getItems()).isEmpty();
    assertThat(client.services().inNamespace(NS).withLabel(FineflowLabels.RUN, RUN).list().getItems()).isEmpty();
    assertThat(client.configMaps().inNamespace(NS).withLabel(FineflowLabels.RUN, RUN).list().getItems()).isEmpty();
    assertThat(client.configMaps().inNamespace(NS).withName(CacheStore.configMapName(TestStages.TRAIN_KEY)).get())
        .isNotNull();
    assertThat(client.apps().deployments().inNamespace(NS).withName("other-run-stable").get()).isNotNull();
    List<RecordedRequest> deletes = new ArrayList<>();
    for (RecordedRequest r; (r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null; ) {
      if (r.getMethod().equals("DELETE")) {
        deletes.add(r);
      }
    }
    assertThat(deletes).hasSize(8).allSatisfy(r ->
        assertThat(r.getUtf8Body().replace(" ", "")).contains("\"propagationPolicy\":\"Foreground\""));
  }

  @Test
  void cleanupKeepingServingLeavesTheStableDeploymentServiceAndFiles() {
    KubernetesStageActivities activities = new KubernetesStageActivities(client, NS);
    createServing(RUN, "stable");
    createServing(RUN, "candidate");

    CleanupResult result = activities.cleanup(new CleanupRequest(RUN, NS, true));

    assertThat(result.deleted()).containsExactlyInAnyOrder("Deployment/" + RUN + "-candidate",
        "Service/" + RUN + "-candidate", "ConfigMap/" + RUN + "-candidate-files");
    assertThat(client.apps().deployments().inNamespace(NS).withName(RUN + "-stable").get()).isNotNull();
    assertThat(client.services().inNamespace(NS).withName(RUN + "-stable").get()).isNotNull();
    assertThat(client.configMaps().inNamespace(NS).withName(RUN + "-stable-files").get()).isNotNull();
  }

  private void createServing(String run, String track) {
    Map<String, String> labels = Map.of(FineflowLabels.RUN, run, FineflowLabels.TRACK, track,
        FineflowLabels.MANAGED_BY, "fineflow");
    client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder().withNewMetadata()
        .withName(run + "-" + track).withLabels(labels).endMetadata().withNewSpec()
        .withNewSelector().withMatchLabels(labels).endSelector().withNewTemplate().withNewMetadata()
        .withLabels(labels).endMetadata().withNewSpec().addNewContainer().withName("triton")
        .withImage("nvcr.io/nvidia/tritonserver:24.12-trtllm-python-py3").endContainer().endSpec()
        .endTemplate().endSpec().build()).create();
    client.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata()
        .withName(run + "-" + track).withLabels(labels).endMetadata().withNewSpec()
        .withSelector(labels).addNewPort().withName("http").withPort(8000).endPort().endSpec().build())
        .create();
    client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata()
        .withName(run + "-" + track + "-files").withLabels(labels).endMetadata()
        .addToData("config.pbtxt", "max_batch_size: 8\n").build()).create();
  }

  private void drain() throws InterruptedException {
    while (server.takeRequest(10, TimeUnit.MILLISECONDS) != null) {
      // requests of the setup
    }
  }

  private static StageResult result(String key, double loss) {
    return new StageResult(StageName.TRAIN, key, "elyza-qlora-train-1-abc123", "elyza-qlora-train-1-abc123-x7k2p",
        List.of(new fineflow.workflows.contract.Artifact("adapter", "/workspace/cache/train-3f2a9c1b7d4e/adapter",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 84017152)),
        Map.of("trainLoss", loss), Map.of("dtype", "float16"), false);
  }
}
