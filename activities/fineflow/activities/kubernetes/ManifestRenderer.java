package fineflow.activities.kubernetes;

import fineflow.workflows.contract.LaunchRequest;
import fineflow.workflows.plan.OutputPin;
import fineflow.workflows.plan.Plan;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.StageKind;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.spec.ClusterSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.utils.YamlDumpSettingsBuilder;
import java.util.EnumMap;
import tools.jackson.databind.json.JsonMapper;
import java.util.List;
import java.util.Map;

/**
 * {@code fineflow plan SPEC --output k8s}: the objects each stage's first launch would create,
 * as multi-document YAML (like {@code kubectl create --dry-run=client -o yaml}), built by the same
 * factories the executors use.
 */
public final class ManifestRenderer {
  /**
   * Quotes only where YAML needs them, as kubectl prints. Fabric8 8 is on Jackson 3, and only a
   * Jackson 3 mapper takes YamlDumpSettings; Jackson 2's YAML writer with MINIMIZE_QUOTES would
   * drop the quotes on number-like strings ({@code value: '1'} becomes an int Kubernetes refuses).
   */
  private static final KubernetesSerialization YAML = new KubernetesSerialization(
      JsonMapper.builder().build(), true,
      new YamlDumpSettingsBuilder().setMinimizeQuotes(true).build());

  /** The Job of a batch stage. */
  public static final StageManifests JOBS = request -> List.of(new JobFactory().job(request));

  private final Map<StageKind, StageManifests> factories;

  /** Jobs only; pass the rollout executor's factory with the other constructor. */
  public ManifestRenderer() {
    this(Map.of(StageKind.JOB, JOBS));
  }

  public ManifestRenderer(Map<StageKind, StageManifests> factories) {
    this.factories = new EnumMap<>(factories);
  }

  public String render(Plan plan, ClusterSpec cluster, String runId) {
    StringBuilder out = new StringBuilder();
    for (Stage stage : plan.stages()) {
      StageManifests factory = factories.get(stage.kind());
      out.append("# stage ").append(stage.name()).append(" (").append(stage.kind())
          .append(", cache key ").append(stage.shortKey()).append(")\n");
      for (StageName pinned : OutputPin.PINNED) {
        String placeholder = OutputPin.placeholder(pinned);
        if (stage.argv().stream().anyMatch(a -> a.contains(placeholder))) {
          out.append("# ").append(placeholder).append(" is the sha ").append(pinned.id())
              .append(" records when it runs: the run writes it in, and this stage's cache key")
              .append(" and output directory follow it\n");
        }
      }
      if (factory == null) {
        out.append("# no manifest factory for ").append(stage.kind()).append(" stages\n");
        continue;
      }
      LaunchRequest request =
          new LaunchRequest(runId, cluster.namespace(), stage, 1, plan.specDigest(), cluster);
      for (HasMetadata object : factory.objects(request)) {
        String yaml = YAML.asYaml(object);
        out.append(yaml.startsWith("---") ? "" : "---\n").append(yaml);
        if (!yaml.endsWith("\n")) {
          out.append('\n');
        }
      }
    }
    return out.toString();
  }
}
