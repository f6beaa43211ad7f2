package fineflow.workers.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulated Triton serves the tensorrt_llm config the repository holds, as Triton does. */
class ModelServersTest {
  @TempDir Path workspace;

  static Deployment triton() {
    return new DeploymentBuilder().withNewMetadata().withName("demo-rollout-abc").withNamespace("ns")
        .endMetadata().withNewSpec().withNewTemplate().withNewMetadata().addToLabels("app", "x")
        .endMetadata().endTemplate().endSpec().build();
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theServedMaxBatchSizeIsTheRepositorysNotTheBackendFlags() throws Exception {
    Path repo = workspace.resolve("cache/triton-repo-abc");
    Files.createDirectories(repo.resolve("tensorrt_llm"));
    Files.writeString(repo.resolve("tensorrt_llm/config.pbtxt"),
        "name: \"tensorrt_llm\"\nbackend: \"tensorrtllm\"\nmax_batch_size: 16\n");
    try (ModelServers servers = new ModelServers()) {
      // default-max-batch-size only reaches auto-completed configs; this one names its own.
      servers.start(triton(), List.of("tritonserver", "--model-repository=/workspace/cache/triton-repo-abc",
          "--backend-config=tensorrtllm,default-max-batch-size=4"),
          p -> Path.of(p.replace("/workspace", workspace.toString())));
      String base = servers.url(triton()).orElseThrow();

      HttpResponse<String> config = get(base + "/v2/models/tensorrt_llm/config");

      assertThat(config.statusCode()).isEqualTo(200);
      assertThat(config.body()).contains("\"max_batch_size\":16");
    }
  }

  @Test
  void withoutARepositoryTheModelIsUnknown() throws Exception {
    try (ModelServers servers = new ModelServers()) {
      servers.start(triton(), List.of("tritonserver", "--model-repository=/workspace/cache/missing"),
          p -> Path.of(p.replace("/workspace", workspace.toString())));

      HttpResponse<String> config = get(servers.url(triton()).orElseThrow() + "/v2/models/tensorrt_llm/config");

      assertThat(config.statusCode()).isEqualTo(400);
      assertThat(config.body()).contains("tensorrt_llm");
    }
  }
}
