package fineflow.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class PodLogsTest {
  KubernetesClient client;

  @Test
  void splitsAndKeepsTheLastLines() {
    assertThat(PodLogs.lines("a\nb\r\nc\n", "p", 2)).containsExactly("b", "c");
    assertThat(PodLogs.lines("", "p", 2)).isEmpty();
  }

  @Test
  void aListObjectIsNeverALog() {
    String podList = Serialization.asJson(new PodListBuilder().addNewItem().withNewMetadata()
        .withName("p").endMetadata().endItem().build());

    assertThatThrownBy(() -> PodLogs.lines(podList, "p", 50)).isInstanceOf(LogUnavailableException.class)
        .hasMessageContaining("not a log");
    assertThat(PodLogs.isListJson("{\"event\":\"progress\",\"step\":1}")).isFalse();
  }

  @Test
  void theCrudMockServersAnswerIsDetected() {
    client.pods().inNamespace("ns").resource(new io.fabric8.kubernetes.api.model.PodBuilder()
        .withNewMetadata().withName("p").endMetadata().build()).create();

    assertThatThrownBy(() -> new PodLogs(client).tail("ns", "p", "train", 50))
        .isInstanceOf(LogUnavailableException.class);
  }

  @Test
  void theLastProgressLineIsFoundAmongOtherOutput() {
    PodLogs logs = new PodLogs(client);

    assertThat(logs.lastProgress(List.of("{\"event\": \"progress\", \"step\": 1}", "warning: x", "{\"event\":\"eval\"}")))
        .contains("{\"event\": \"progress\", \"step\": 1}");
    assertThat(logs.lastProgress(List.of("plain"))).isEmpty();
  }
}
