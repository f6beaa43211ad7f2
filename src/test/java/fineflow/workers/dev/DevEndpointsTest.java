package fineflow.workers.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Other commands reach a dev stack's Kubernetes through dev.json: a real one by its kubeconfig. */
class DevEndpointsTest {
  @TempDir Path dir;

  @Test
  void aRealClusterIsReachedWithItsKubeconfigsCredentials() throws Exception {
    Path kubeconfig = Files.writeString(dir.resolve("admin.kubeconfig"), """
        apiVersion: v1
        kind: Config
        clusters:
        - name: fineflow
          cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}
        users:
        - name: admin
          user: {token: abc}
        contexts:
        - name: fineflow
          context: {cluster: fineflow, user: admin}
        current-context: fineflow
        """);
    DevEndpoints real = new DevEndpoints("127.0.0.1:7233", "https://127.0.0.1:6443", "fineflow", "/ws", 1,
        Map.of("kubernetes", "real"), null, null, kubeconfig.toString());

    Config config = real.kubernetesConfig();

    assertThat(config.getMasterUrl()).startsWith("https://127.0.0.1:6443");
    assertThat(config.isTrustCerts()).as("read from the kubeconfig").isTrue();
  }

  @Test
  void theMockServerIsReachedByItsUrl() {
    DevEndpoints embedded = new DevEndpoints("127.0.0.1:7233", "http://127.0.0.1:39397", "fineflow", "/ws", 1,
        Map.of("kubernetes", "embedded"), null, null, null);

    assertThat(embedded.kubernetesConfig().getMasterUrl()).startsWith("http://127.0.0.1:39397");
  }
}
