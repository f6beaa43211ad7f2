package fineflow.workflows.pipeline;

import fineflow.workflows.plan.OutputPin;
import fineflow.workflows.plan.Plan;
import fineflow.workflows.plan.Resources;
import fineflow.workflows.plan.SecretEnv;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.StageKind;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.spec.DatasetSpec;
import fineflow.workflows.spec.Metadata;
import fineflow.workflows.spec.ModelSpec;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.TrainingSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Specs and hand-built plans of the eight stages, with cache keys that follow a variant name. */
final class TestPlans {
  static final String MODEL = "elyza/ELYZA-japanese-Llama-2-7b-instruct";
  static final String HF_SECRET = "hf-token";

  private TestPlans() {
  }

  static PipelineSpec spec(String name) {
    return new PipelineSpec(null, null, new Metadata(name, null, null),
        new ModelSpec(MODEL, null, null, null, HF_SECRET, null),
        new DatasetSpec("data/dazai.json", null, null, null, null, null, null, null),
        new TrainingSpec(null, null, null, null, null, null, null, null, null, null, null, null,
            null, null, null, null, null, null),
        null, null, null, null);
  }

  /**
   * The eight stages of a fine-tune on Triton, without a baseline and without model-fetch (its
   * pinning needs the planner's consumes; PipelineModelFetchTest runs a planned plan).
   */
  static final List<StageName> EIGHT = Arrays.stream(StageName.values())
      .filter(name -> name != StageName.BASELINE && name != StageName.MODEL_FETCH).toList();

  /** The {@link #EIGHT} stages; every stage of one variant has the same key in every plan. */
  static Plan plan(PipelineSpec spec, String variant, Map<StageName, Long> expectedSeconds) {
    List<Stage> stages = new ArrayList<>();
    for (StageName name : EIGHT) {
      String key = sha256(variant + "/" + name.id());
      StageKind kind = name == StageName.ROLLOUT ? StageKind.DEPLOYMENT : StageKind.JOB;
      List<SecretEnv> secrets = name == StageName.TRAIN || name == StageName.DATASET_PREP
          ? List.of(new SecretEnv("HF_TOKEN", HF_SECRET, "token")) : List.of();
      stages.add(new Stage(name, kind, "img/" + name.id() + ":1", List.of(name.id(), "--out",
          "/workspace/cache/" + name.id() + "-" + key.substring(0, 12)), Map.of(), secrets,
          Resources.cpuOnly("1", "1Gi"), List.of(), 12 * 3600,
          expectedSeconds.getOrDefault(name, 600L), List.of(), List.of(), key,
          name.id() + " with " + "img/" + name.id() + ":1"));
    }
    return new Plan(spec.metadata().name(), sha256(variant), stages);
  }

  static Plan plan(PipelineSpec spec, String variant) {
    return plan(spec, variant, Map.of());
  }

  /** The plan with one stage's timeout changed. */
  static Plan withTimeout(Plan plan, StageName name, long seconds) {
    return new Plan(plan.pipeline(), plan.specDigest(), plan.stages().stream()
        .map(s -> s.name() != name ? s : new Stage(s.name(), s.kind(), s.image(), s.argv(),
            s.env(), s.secretEnv(), s.resources(), s.volumes(), seconds, s.expectedSeconds(),
            s.consumes(), s.produces(), s.cacheKey(), s.summary()))
        .toList());
  }

  /** The plan as the run pins it once model-fetch and dataset-prep ran on the {@link FakeCluster}. */
  static Plan pinned(Plan plan) {
    return pinned(plan, "dataset v1");
  }

  /** The plan as pinned when the dataset file held {@code datasetContent}. */
  static Plan pinned(Plan plan, String datasetContent) {
    String fetchKey = plan.stage(StageName.MODEL_FETCH).orElseThrow().cacheKey();
    List<OutputPin> pins = new ArrayList<>(List.of(new OutputPin(StageName.MODEL_FETCH, fetchKey,
        sha256(fetchKey).substring(0, 40))));
    plan.stage(StageName.DATASET_PREP).ifPresent(prep -> pins.add(new OutputPin(
        StageName.DATASET_PREP, prep.cacheKey(), FakeCluster.datasetSha(datasetContent))));
    return plan.pinned(pins);
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
