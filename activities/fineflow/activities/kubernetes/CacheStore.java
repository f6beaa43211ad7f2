package fineflow.activities.kubernetes;

import fineflow.workflows.contract.StageResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Stage results by cache key, one ConfigMap {@code fineflow-cache-<key12>} each, so a stage that
 * already ran with the same inputs (in any run) is skipped. The full key is in an annotation: a
 * 12-digit prefix collision reads as a miss, never as another stage's result.
 */
public final class CacheStore {
  public static final String PREFIX = "fineflow-cache-";
  public static final String DATA_KEY = "result.json";
  /** Which run recorded the entry, for audit; an annotation so that run cleanup never matches it. */
  public static final String RECORDED_BY_ANNOTATION = "fineflow.dev/recorded-by-run";

  private final KubernetesClient client;

  public CacheStore(KubernetesClient client) {
    this.client = client;
  }

  public static String configMapName(String cacheKey) {
    return PREFIX + cacheKey.substring(0, 12);
  }

  /** The result recorded under the key; empty when none is, or the entry is unreadable. */
  public Optional<StageResult> lookup(String namespace, String cacheKey) {
    ConfigMap cm = client.configMaps().inNamespace(namespace).withName(configMapName(cacheKey)).get();
    if (cm == null || cm.getData() == null || cm.getMetadata().getAnnotations() == null
        || !cacheKey.equals(cm.getMetadata().getAnnotations().get(FineflowLabels.CACHE_KEY_ANNOTATION))) {
      return Optional.empty();
    }
    String json = cm.getData().get(DATA_KEY);
    if (json == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(StageResultJson.read(json)).filter(r -> cacheKey.equals(r.cacheKey()));
    } catch (IllegalArgumentException e) {
      // An entry edited by hand or written by an incompatible version: run the stage again.
      return Optional.empty();
    }
  }

  /** Creates the entry, or replaces it (a re-recorded key gets the newer result). */
  public void record(String namespace, String runId, String cacheKey, StageResult result) {
    try {
      client.configMaps().inNamespace(namespace).resource(configMap(namespace, runId, cacheKey, result))
          .createOr(NonDeletingOperation::update);
    } catch (KubernetesClientException e) {
      // Entries are content-addressed: a run that recorded the same key at the same moment
      // (409 on our update) recorded an equivalent result. Anything else is a real error.
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  /** The entry's ConfigMap. */
  public static ConfigMap configMap(String namespace, String runId, String cacheKey, StageResult result) {
    Map<String, String> labels = new TreeMap<>();
    labels.put(FineflowLabels.NAME, FineflowLabels.FINEFLOW);
    labels.put(FineflowLabels.MANAGED_BY, FineflowLabels.FINEFLOW);
    labels.put(FineflowLabels.COMPONENT, FineflowLabels.CACHE_COMPONENT);
    labels.put(FineflowLabels.STAGE, result.stage().id());
    Map<String, String> annotations = new TreeMap<>();
    annotations.put(FineflowLabels.CACHE_KEY_ANNOTATION, cacheKey);
    annotations.put(RECORDED_BY_ANNOTATION, runId);
    return new ConfigMapBuilder()
        .withNewMetadata()
          .withName(configMapName(cacheKey))
          .withNamespace(namespace)
          .withLabels(labels)
          .withAnnotations(annotations)
        .endMetadata()
        .withData(Map.of(DATA_KEY, StageResultJson.write(result)))
        .build();
  }
}
