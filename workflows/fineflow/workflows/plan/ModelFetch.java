package fineflow.workflows.plan;

import static fineflow.workflows.plan.CacheKey.OUT;

import fineflow.workflows.spec.ClusterSpec;
import fineflow.workflows.spec.PipelineSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * model-fetch: pins the base model before anything reads it. A Hugging Face id is downloaded
 * with {@code huggingface_hub.snapshot_download} into the workspace's HF cache and the commit
 * its revision resolves to is recorded; a workspace path is hashed instead. Every later stage
 * reads the snapshot (a workspace path, never the Hub), and the workflow folds the recorded sha
 * into their cache keys ({@link Plan#pinned}, {@link OutputPin}), so {@code revision: main} moving upstream re-runs
 * them instead of reusing results of other weights.
 *
 * <pre>
 * python3 /opt/fineflow-programs/model_fetch.py --params {@link ModelFetchParams}
 *   writes OUTPUT/model-fetch.json; the result's info holds sha and snapshot
 * </pre>
 * Runs in fineflow's own trainer image ({@code images/trainer/Dockerfile} installs
 * huggingface_hub), whatever {@code training.image} names: the program is fineflow's, so is the
 * image it is written for. The program comes from the {@link Programs} ConfigMap; the token
 * from the model's Secret as HF_TOKEN, never through argv.
 */
final class ModelFetch {
  static final String PROGRAM = Programs.path("model_fetch.py");
  static final String RESULT_FILE = "model-fetch.json";
  /** Stands for the recorded commit sha in later stages until model-fetch has run. */
  static final String SHA = OutputPin.MODEL_SHA;

  private ModelFetch() {
  }

  /**
   * Where {@code snapshot_download} puts revision {@code sha} of {@code id} under HF_HOME
   * (huggingface_hub's cache layout: {@code hub/models--org--name/snapshots/<sha>}).
   */
  static String snapshotDir(String id, String sha) {
    return Workspace.HF_HOME + "/hub/models--" + id.replace("/", "--") + "/snapshots/" + sha;
  }

  static StageDraft draft(PipelineSpec spec) {
    String id = spec.model().id();
    boolean local = id.startsWith("/");
    String model = local ? Workspace.resolve("model.id", id) : id;
    ModelFetchParams params = new ModelFetchParams(model, local ? null : spec.model().revision(), OUT);
    List<VolumeMount> volumes = new ArrayList<>();
    if (local) {
      Workspace.readOnly(model).ifPresent(volumes::add);
    } else {
      volumes.add(HuggingFace.cacheMount());
    }
    volumes.add(StageDraft.outputMount());
    return new StageDraft(StageName.MODEL_FETCH, StageKind.JOB,
        spec.cluster().ownImage(ClusterSpec.TRAINER_IMAGE),
        params, Map.of("HF_HOME", Workspace.HF_HOME, "PYTHONUNBUFFERED", "1"),
        local ? List.of() : HuggingFace.token(spec), Resources.cpuOnly("2", "4Gi"), volumes,
        2 * 3_600, 5 * 60, List.of(),
        List.of(new ArtifactRef("model-fetch", OUT + "/" + RESULT_FILE)),
        local ? "Hash the model at " + model
            : "Download " + id + " at " + spec.model().revision() + " and record its commit",
        Map.of());
  }
}
