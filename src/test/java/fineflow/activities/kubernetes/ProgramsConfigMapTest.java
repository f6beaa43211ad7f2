package fineflow.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class ProgramsConfigMapTest {
  KubernetesClient client;

  @Test
  void theJarsProgramsFitOneConfigMap() {
    Map<String, String> programs = ProgramsConfigMap.fromClasspath();
    ConfigMap cm = ProgramsConfigMap.build("fineflow", programs);

    assertThat(cm.getData()).containsOnlyKeys("train.py", "stage_runner.py", "model_fetch.py");
    assertThat(cm.getData().get("train.py")).contains("stage_params(\"train\")");
    // The API server rejects ConfigMaps over 1 MiB.
    assertThat(Serialization.asJson(cm).getBytes(StandardCharsets.UTF_8).length).isLessThan(1024 * 1024);
    assertThat(cm.getMetadata().getLabels()).doesNotContainKey(FineflowLabels.RUN);
  }

  @Test
  void applyingTwiceLeavesTheNewerPrograms() {
    ProgramsConfigMap.apply(client, "fineflow", Map.of("train.py", "print('v1')\n"));
    ProgramsConfigMap.apply(client, "fineflow", Map.of("train.py", "print('v2')\n"));

    ConfigMap cm = client.configMaps().inNamespace("fineflow").withName(JobFactory.PROGRAMS_CONFIG_MAP).get();
    assertThat(cm.getData()).containsExactly(Map.entry("train.py", "print('v2')\n"));
  }
}
