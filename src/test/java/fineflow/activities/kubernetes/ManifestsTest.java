package fineflow.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The plain manifests in k8s/ parse into Fabric8's typed model with no unknown field. */
class ManifestsTest {

  @Test
  void everyManifestIsATypedObjectWithoutUnknownFields() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(Path.of("k8s"))) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).extracting(p -> p.getFileName().toString()).contains("namespace.yaml",
        "serviceaccount.yaml", "role.yaml", "rolebinding.yaml", "pvc.yaml", "deployment.yaml",
        "networkpolicy.yaml");
    for (Path file : files) {
      for (HasMetadata object : TypedModel.parse(Files.readString(file))) {
        assertThat(object).as(file + ": " + object.getKind()).isNotInstanceOf(GenericKubernetesResource.class);
        assertThat(TypedModel.unknownFields(object)).as("unknown fields in " + file).isEmpty();
      }
    }
  }

  @Test
  void aMisspeltFieldIsFound() {
    HasMetadata pvc = TypedModel.parse("""
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: x}
        spec:
          accesModes: [ReadWriteMany]
        """).get(0);

    assertThat(TypedModel.unknownFields(pvc)).containsExactly("spec.accesModes");
  }

  @Test
  void theWorkspaceIsReadWriteManyAndTheWorkerIsProbedOnItsMetricsPort() throws IOException {
    PersistentVolumeClaim pvc = (PersistentVolumeClaim) TypedModel.parse(Files.readString(Path.of("k8s/pvc.yaml"))).get(0);
    Deployment worker = (Deployment) TypedModel.parse(Files.readString(Path.of("k8s/deployment.yaml"))).get(0);
    NetworkPolicy policy = (NetworkPolicy) TypedModel.parse(Files.readString(Path.of("k8s/networkpolicy.yaml"))).get(0);

    assertThat(pvc.getSpec().getAccessModes()).containsExactly("ReadWriteMany");
    var container = worker.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getCommand()).containsExactly("fineflow");
    assertThat(container.getArgs()).startsWith("worker", "--temporal").contains("--namespace", "fineflow");
    assertThat(container.getPorts()).singleElement().satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(9090));
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(worker.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("fineflow-worker");
    assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
    assertThat(policy.getSpec().getEgress()).flatExtracting(r -> r.getPorts())
        .extracting(p -> p.getPort().getIntVal()).contains(53, 7233, 443, 6443);
  }
}
