package fineflow.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The Helm chart lints and renders offline (helm-java), into the objects we expect. */
class ChartTest {
  private static final Path CHART = Paths.get("charts/fineflow");

  @Test
  void theChartLintsStrictly() {
    LintResult lint = new Helm(CHART).lint().strict().call();

    assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
  }

  @Test
  void defaultsRenderTheWorkerWithLeastPrivilegeAndAWorkspace() throws Exception {
    List<HasMetadata> objects = render(Map.of());

    assertThat(objects).extracting(HasMetadata::getKind).containsExactlyInAnyOrder(
        "ServiceAccount", "ServiceAccount", "Role", "RoleBinding", "PersistentVolumeClaim",
        "Service", "Deployment");
    Deployment worker = only(objects, Deployment.class);
    var container = worker.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("ghcr.io/fineflow/fineflow:0.1.0");
    assertThat(container.getCommand()).containsExactly("fineflow");
    assertThat(container.getArgs()).containsExactly("worker",
        "--temporal", "temporal-frontend.temporal.svc.cluster.local:7233",
        "--temporal-namespace", "default", "--namespace", "ml", "--metrics-port", "9090");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(worker.getMetadata().getLabels()).containsEntry("app.kubernetes.io/name", "fineflow")
        .containsEntry("app.kubernetes.io/instance", "ff").containsEntry("helm.sh/chart", "fineflow-0.1.0");
    assertThat(worker.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("ff-fineflow");
    RoleBinding binding = only(objects, RoleBinding.class);
    assertThat(binding.getSubjects()).singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo("ff-fineflow"));
    assertThat(rules(only(objects, Role.class))).isEqualTo(RoleComplianceTest.granted(Path.of("k8s/role.yaml")));
    PersistentVolumeClaim pvc = only(objects, PersistentVolumeClaim.class);
    assertThat(pvc.getMetadata().getName()).isEqualTo("fineflow-workspace");
    assertThat(pvc.getSpec().getAccessModes()).containsExactly("ReadWriteMany");
    assertThat(objects).filteredOn(o -> o instanceof ServiceAccount)
        .extracting(o -> ((ServiceAccount) o).getAutomountServiceAccountToken())
        .containsExactlyInAnyOrder(true, false);
  }

  @Test
  void everyToggleOnRendersTypedObjectsWithoutUnknownFields() throws Exception {
    List<HasMetadata> objects = render(Map.of(
        "metrics.serviceMonitor.enabled", true,
        "networkPolicy.enabled", true,
        "temporal.tls.enabled", true,
        "temporal.tls.existingSecret", "temporal-client-tls",
        "temporal.tls.serverName", "temporal.example.com",
        "stageServiceAccount.imagePullSecrets[0]", "ngc-pull",
        "serviceAccount.annotations.team", "llm"));

    assertThat(objects).extracting(HasMetadata::getKind).contains("ServiceMonitor", "NetworkPolicy");
    for (HasMetadata o : objects) {
      if (o.getKind().equals("ServiceMonitor")) {
        // A Prometheus Operator CRD: Fabric8's core model has no type for it.
        assertThat(o).isInstanceOf(GenericKubernetesResource.class);
        continue;
      }
      assertThat(o).as(o.getKind()).isNotInstanceOf(GenericKubernetesResource.class);
      assertThat(TypedModel.unknownFields(o)).as("unknown fields in " + o.getKind()).isEmpty();
    }
    Deployment worker = only(objects, Deployment.class);
    assertThat(worker.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .contains("--temporal-tls-cert", "/etc/fineflow/temporal-tls/tls.crt", "--temporal-tls-server-name",
            "temporal.example.com");
    assertThat(worker.getSpec().getTemplate().getSpec().getVolumes())
        .filteredOn(v -> v.getName().equals("temporal-tls"))
        .singleElement().satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("temporal-client-tls"));
  }

  @Test
  void rbacToggleAndExistingClaimLeaveThoseObjectsOut() throws Exception {
    List<HasMetadata> objects = render(Map.of("rbac.create", false,
        "persistence.existingClaim", "team-rwx"));

    assertThat(objects).extracting(HasMetadata::getKind)
        .doesNotContain("Role", "RoleBinding", "PersistentVolumeClaim");
  }

  @Test
  void theSchemaRejectsAnUnknownValueAndTlsWithoutSecretFails() {
    assertThatThrownBy(() -> render(Map.of("temporal.adress", "x:7233"))).hasMessageContaining("adress");
    assertThatThrownBy(() -> render(Map.of("temporal.tls.enabled", true)))
        .hasMessageContaining("temporal.tls.existingSecret is required");
  }

  private static List<HasMetadata> render(Map<String, Object> values) {
    TemplateCommand template = new Helm(CHART).template().withName("ff").withNamespace("ml")
        .withKubeVersion("1.30.0");
    values.forEach(template::set);
    return TypedModel.parse(template.call());
  }

  private static <T> T only(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).reduce((a, b) -> {
      throw new AssertionError("more than one " + type.getSimpleName());
    }).orElseThrow();
  }

  private static Set<String> rules(Role role) {
    Set<String> granted = new TreeSet<>();
    role.getRules().forEach(r -> r.getApiGroups().forEach(g -> r.getResources().forEach(res ->
        r.getVerbs().forEach(v -> granted.add(g + "/" + res + " " + v)))));
    return granted;
  }
}
