package fineflow.engines.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import fineflow.activities.kubernetes.CacheStore;
import fineflow.activities.kubernetes.JobFactory;
import fineflow.activities.kubernetes.ProgramsConfigMap;
import fineflow.activities.rollout.RolloutObjects;
import fineflow.workers.engines.KubeControlPlane;
import fineflow.workflows.contract.LaunchRequest;
import fineflow.workflows.contract.StageResult;
import fineflow.workflows.plan.Plan;
import fineflow.workflows.plan.Planner;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecLoader;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15, item 1: every object fineflow creates passes a real API server's validation
 * (fieldValidation=Strict: an unknown or misplaced field is an error, not a silently dropped
 * value) and admission (NamespaceLifecycle, ServiceAccount, Pod Security "restricted", ...),
 * with a server-side dry run; and the pods the Job and ReplicaSet controllers create from
 * fineflow's templates are admitted too, in a namespace that enforces "restricted".
 */
@Tag("real-kubernetes")
class RealAdmissionTest {
  private static final String NS = "fineflow";
  private static final String FIELD_MANAGER = "fineflow-admission-test";

  @TempDir
  static Path dir;
  static KubeControlPlane plane;
  static KubernetesClient admin;
  static final List<String> warnings = new ArrayList<>();

  @BeforeAll
  static void startControlPlane() throws IOException {
    plane = RealKubernetes.start(dir);
    admin = RealKubernetes.recordingWarnings(plane.adminConfig(), warnings);
    namespace(NS);
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

  @BeforeEach
  void clearWarnings() {
    warnings.clear();
  }

  /** The shipped configs. */
  static Stream<String> configs() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("configs"))) {
      return files.filter(p -> p.toString().endsWith(".yaml")).map(Path::toString).sorted().toList().stream();
    }
  }

  /** The tensor-parallel variant of the Triton config (engine.tpSize 2 on 2 GPUs). */
  @Test
  void theTensorParallelVariantPassesStrictValidationAndAdmission() throws IOException {
    everyObjectOfTheConfigPassesStrictValidationAndAdmission(TP2);
  }

  @Test
  void theTensorParallelVariantsJobPodsAreAdmitted() throws IOException {
    thePodsTheJobControllerCreatesFromFineflowsJobsAreAdmitted(TP2);
  }

  private static final String TP2 = "configs/elyza-7b-qlora-triton.yaml with engine.tpSize 2";

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void everyObjectOfTheConfigPassesStrictValidationAndAdmission(String config) throws IOException {
    Map<String, List<String>> warned = dryRunEach(config);

    warned.keySet().removeIf(o -> o.startsWith("Deployment/"));
    assertThat(warned).as("warnings from the API server (Pod Security, unknown fields) per object").isEmpty();
  }

  /** The model servers' pod templates meet Pod Security "restricted" (k8s/namespace.yaml enforces it). */
  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void theModelServersPodTemplatesMeetPodSecurityRestricted(String config) throws IOException {
    assertThat(dryRunEach(config)).as("warnings from the API server per object").isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void thePodsTheJobControllerCreatesFromFineflowsJobsAreAdmitted(String config) throws IOException {
    podsAreAdmitted(config, Job.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void thePodsTheReplicaSetControllerCreatesFromFineflowsDeploymentsAreAdmitted(String config) throws IOException {
    podsAreAdmitted(config, Deployment.class);
  }

  /** Dry-runs every object of the config (all must pass); returns the warnings per object that had any. */
  private static Map<String, List<String>> dryRunEach(String config) throws IOException {
    List<HasMetadata> objects = objectsOf(spec(config), "admission-run", NS);
    assertThat(objects).extracting(HasMetadata::getKind).contains("Job", "ConfigMap");
    Map<String, String> rejected = new LinkedHashMap<>();
    Map<String, List<String>> warned = new LinkedHashMap<>();
    for (HasMetadata o : objects) {
      String id = o.getKind() + "/" + o.getMetadata().getName();
      warnings.clear();
      try {
        // In the namespace the executors name (they create with inNamespace, as here).
        admin.resource(o).inNamespace(NS).dryRun().fieldValidation(Validation.STRICT).create();
      } catch (KubernetesClientException e) {
        rejected.put(id, e.getCode() + " " + e.getMessage());
      }
      if (!warnings.isEmpty()) {
        warned.put(id, List.copyOf(warnings));
      }
    }
    assertThat(rejected).as("objects the API server rejected").isEmpty();
    return warned;
  }

  private static void podsAreAdmitted(String config, Class<? extends HasMetadata> kind) throws IOException {
    String ns = "pods-" + kind.getSimpleName().toLowerCase() + "-" + Integer.toHexString(config.hashCode());
    namespace(ns);
    List<HasMetadata> objects = objectsOf(spec(config), "pods-run", ns).stream()
        .filter(o -> !(o instanceof Job || o instanceof Deployment) || kind.isInstance(o)).toList();
    objects.forEach(o -> admin.resource(o).inNamespace(ns).fieldValidation(Validation.STRICT).create());
    List<HasMetadata> workloads = objects.stream().filter(kind::isInstance).toList();
    assertThat(workloads).isNotEmpty();

    // A pod per workload, or the controller's FailedCreate event that says why admission refused one.
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
        .until(() -> !refusals(ns).isEmpty() || workloads.stream().allMatch(w -> hasPods(ns, w)));
    assertThat(refusals(ns)).as("pods refused by admission").isEmpty();
    assertThat(workloads).allMatch(w -> hasPods(ns, w));
  }

  private static boolean hasPods(String ns, HasMetadata workload) {
    Map<String, String> selector = workload instanceof Job job
        ? job.getSpec().getTemplate().getMetadata().getLabels()
        : ((Deployment) workload).getSpec().getSelector().getMatchLabels();
    return !admin.pods().inNamespace(ns).withLabels(selector).list().getItems().isEmpty();
  }

  @Test
  void theShippedManifestsApplyWithAServerSideDryRun() {
    List<HasMetadata> objects = RealKubernetes.manifests();
    assertThat(objects).extracting(HasMetadata::getKind).contains("Namespace", "ServiceAccount", "Role",
        "RoleBinding", "PersistentVolumeClaim", "Deployment", "Service", "NetworkPolicy");

    Map<String, String> rejected = applyDryRun(objects);

    assertThat(rejected).as("k8s/*.yaml objects the API server rejected").isEmpty();
    assertThat(warnings).as("warnings from the API server").isEmpty();
  }

  @Test
  void theRenderedHelmChartAppliesWithAServerSideDryRunWithDefaultsAndEveryToggleOn() {
    List<HasMetadata> defaults = chart(Map.of());
    List<HasMetadata> everything = chart(Map.of(
        "metrics.serviceMonitor.enabled", true,
        "networkPolicy.enabled", true,
        "temporal.tls.enabled", true,
        "temporal.tls.existingSecret", "temporal-client-tls",
        "temporal.tls.serverName", "temporal.example.com",
        "stageServiceAccount.imagePullSecrets[0]", "ngc-pull",
        "serviceAccount.annotations.team", "llm"));
    // The Prometheus Operator's CRD is not installed on a bare control plane: its one object stays out.
    List<HasMetadata> served = everything.stream().filter(o -> !(o instanceof GenericKubernetesResource)).toList();
    assertThat(everything).filteredOn(o -> o instanceof GenericKubernetesResource)
        .extracting(HasMetadata::getKind).containsExactly("ServiceMonitor");

    Map<String, String> rejected = applyDryRun(defaults);
    rejected.putAll(applyDryRun(served));

    assertThat(defaults).extracting(HasMetadata::getKind).contains("Deployment", "Role", "RoleBinding");
    assertThat(rejected).as("chart objects the API server rejected").isEmpty();
    assertThat(warnings).as("warnings from the API server").isEmpty();
  }

  /** Like {@code kubectl apply --server-side --dry-run=server --validate=strict}. */
  private static Map<String, String> applyDryRun(List<HasMetadata> objects) {
    Map<String, String> rejected = new LinkedHashMap<>();
    for (HasMetadata o : objects) {
      try {
        admin.resource(o).dryRun().fieldValidation(Validation.STRICT).fieldManager(FIELD_MANAGER)
            .forceConflicts().serverSideApply();
      } catch (KubernetesClientException e) {
        rejected.put(o.getKind() + "/" + o.getMetadata().getName(), e.getCode() + " " + e.getMessage());
      }
    }
    return rejected;
  }

  private static List<HasMetadata> chart(Map<String, Object> values) {
    TemplateCommand template = new Helm(Path.of("charts/fineflow")).template().withName("ff")
        .withNamespace(NS).withKubeVersion("1.34.4");
    values.forEach(template::set);
    return RealKubernetes.parse(template.call());
  }

  /**
   * What fineflow creates for a run of the spec: each Job stage's Job, each rollout stage's
   * Deployment, Service and files ConfigMap, the programs ConfigMap the worker writes at start
   * and a cache entry, built by the factories the executors use (see ManifestRenderer).
   */
  static List<HasMetadata> objectsOf(PipelineSpec spec, String runId, String ns) {
    Plan plan = Planner.plan(spec);
    List<HasMetadata> objects = new ArrayList<>();
    objects.add(ProgramsConfigMap.build(ns, ProgramsConfigMap.fromClasspath()));
    for (Stage stage : plan.stages()) {
      LaunchRequest request = new LaunchRequest(runId, ns, stage, 1, plan.specDigest(), spec.cluster());
      switch (stage.kind()) {
        case JOB -> objects.add(new JobFactory().job(request));
        case DEPLOYMENT -> {
          RolloutObjects rollout = RolloutObjects.of(request, admin.getKubernetesSerialization());
          if (rollout.files() != null) {
            objects.add(rollout.files());
          }
          objects.add(rollout.deployment());
          objects.add(rollout.service());
        }
        default -> throw new AssertionError("no factory for " + stage.kind() + " stages");
      }
    }
    Stage first = plan.stages().get(0);
    objects.add(CacheStore.configMap(ns, runId, first.cacheKey(), new StageResult(first.name(),
        first.cacheKey(), "admission-run-" + first.name().id(), "pod-1", List.of(), Map.of("loss", 1.25),
        Map.of("note", "recorded by RealAdmissionTest"), false)));
    return objects;
  }

  static PipelineSpec spec(String config) throws IOException {
    if (!config.equals(TP2)) {
      return SpecLoader.load(Files.readString(Path.of(config)), config);
    }
    Path source = Path.of("configs/elyza-7b-qlora-triton.yaml");
    YAMLMapper yaml = new YAMLMapper();
    ObjectNode tree = (ObjectNode) yaml.readTree(Files.readString(source));
    ((ObjectNode) tree.get("engine")).put("tpSize", 2);
    ((ObjectNode) tree.get("cluster")).put("gpuCount", 2);
    return SpecLoader.load(yaml.writeValueAsString(tree), source + " (engine.tpSize: 2, cluster.gpuCount: 2)");
  }

  /**
   * A namespace like k8s/namespace.yaml (Pod Security "restricted" enforced on pods), also
   * warning on workload templates (enforce checks pods only), with the stage ServiceAccount.
   */
  private static void namespace(String name) {
    Namespace ns = (Namespace) RealKubernetes.manifestsIn(name).stream()
        .filter(o -> o instanceof Namespace).findFirst().orElseThrow();
    ns.getMetadata().getLabels().put("pod-security.kubernetes.io/warn", "restricted");
    ns.getMetadata().getLabels().put("pod-security.kubernetes.io/warn-version", "latest");
    admin.resource(ns).fieldValidation(Validation.STRICT).create();
    RealKubernetes.manifestsIn(name).stream()
        .filter(o -> o instanceof ServiceAccount)
        .forEach(sa -> admin.resource(sa).fieldValidation(Validation.STRICT).create());
  }

  private static List<String> refusals(String ns) {
    return admin.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> "FailedCreate".equals(e.getReason()))
        .map(Event::getMessage).toList();
  }
}
