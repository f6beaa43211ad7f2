package fineflow.activities.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ConfigMap {@value JobFactory#PROGRAMS_CONFIG_MAP} that every stage pod mounts at
 * {@value JobFactory#PROGRAMS_PATH}. The worker writes it from its own jar when it starts, so the
 * programs the pods run always match the worker's version; it is not shipped in k8s/ or the chart.
 */
public final class ProgramsConfigMap {
  /** The programs under {@code resources/fineflow/programs/} in the jar. */
  public static final List<String> PROGRAMS = List.of("train.py", "stage_runner.py", "model_fetch.py");

  private ProgramsConfigMap() {
  }

  public static ConfigMap build(String namespace, Map<String, String> programs) {
    return new ConfigMapBuilder()
        .withNewMetadata()
          .withName(JobFactory.PROGRAMS_CONFIG_MAP)
          .withNamespace(namespace)
          .addToLabels(FineflowLabels.NAME, FineflowLabels.FINEFLOW)
          .addToLabels(FineflowLabels.MANAGED_BY, FineflowLabels.FINEFLOW)
          .addToLabels(FineflowLabels.COMPONENT, "programs")
        .endMetadata()
        .withData(new TreeMap<>(programs))
        .build();
  }

  /** Creates or replaces the ConfigMap with {@code programs} (file name → content). */
  public static void apply(KubernetesClient client, String namespace, Map<String, String> programs) {
    client.configMaps().inNamespace(namespace).resource(build(namespace, programs))
        .createOr(NonDeletingOperation::update);
  }

  /**
   * The programs shipped in the jar.
   *
   * @throws IllegalStateException when one is missing (a broken build)
   */
  public static Map<String, String> fromClasspath() {
    Map<String, String> programs = new TreeMap<>();
    for (String name : PROGRAMS) {
      try (InputStream in = ProgramsConfigMap.class.getResourceAsStream("/fineflow/programs/" + name)) {
        if (in == null) {
          throw new IllegalStateException("fineflow/programs/" + name + " is missing from the jar");
        }
        programs.put(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return programs;
  }
}
