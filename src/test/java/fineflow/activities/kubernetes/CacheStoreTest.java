package fineflow.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fineflow.workflows.contract.StageResult;
import fineflow.workflows.plan.StageName;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Recording a cache entry while another run records the same key (the API server answers 409). */
@EnableKubernetesMockClient
class CacheStoreTest {
  static final String NS = "ml";
  static final String KEY = "ab".repeat(32);

  KubernetesMockServer server;
  KubernetesClient client;

  final StageResult result = new StageResult(StageName.ENGINE_BUILD, KEY, "job", "pod", List.of(), Map.of(),
      Map.of(), false);

  @Test
  void aConcurrentRecordOfTheSameKeyCountsAsRecorded() {
    String path = "/api/v1/namespaces/" + NS + "/configmaps";
    String name = CacheStore.configMapName(KEY);
    server.expect().post().withPath(path).andReturn(409, conflict(name)).always();
    server.expect().get().withPath(path + "/" + name)
        .andReturn(200, CacheStore.configMap(NS, "other-run", KEY, result)).always();
    server.expect().put().withPath(path + "/" + name).andReturn(409, conflict(name)).always();
    server.expect().patch().withPath(path + "/" + name).andReturn(409, conflict(name)).always();

    assertThatCode(() -> new CacheStore(client).record(NS, "this-run", KEY, result)).doesNotThrowAnyException();
  }

  @Test
  void otherErrorsStillFail() {
    server.expect().post().withPath("/api/v1/namespaces/" + NS + "/configmaps").andReturn(403, "forbidden").always();

    assertThatThrownBy(() -> new CacheStore(client).record(NS, "this-run", KEY, result))
        .isInstanceOf(KubernetesClientException.class);
  }

  private static String conflict(String name) {
    return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Conflict\",\"code\":409,"
        + "\"message\":\"configmaps \\\"" + name + "\\\": the object has been modified\"}";
  }
}
