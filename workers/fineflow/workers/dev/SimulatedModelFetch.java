package fineflow.workers.dev;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fineflow.activities.stages.ContentDigest;
import fineflow.workflows.format.Json;
import fineflow.workflows.plan.ModelFetchParams;
import fineflow.workflows.plan.Programs;
import fineflow.workflows.plan.StageParams;
import fineflow.workflows.plan.Workspace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * model-fetch on the dev node, read from the container's effective argv
 * ({@code python3 /opt/fineflow-programs/model_fetch.py --params …}) with the pod's own
 * mounts. The program must be where the pod says (the programs ConfigMap's mount), as python3
 * needs it. The node has no internet, so a Hugging Face id is not downloaded: the recorded
 * "commit" is made up (sha1 of model and revision, so a run is repeatable), the snapshot folder
 * is created empty but for a marker, and the result says {@code simulated}. A workspace model
 * needs no network and is hashed for real, as model_fetch.py hashes it (its {@code sha256sum}
 * listing, {@link ContentDigest}); a missing one fails as there (exit 2).
 */
final class SimulatedModelFetch {
  private static final ObjectMapper JSON = Json.mapper();
  private static final String PROGRAM = Programs.path("model_fetch.py");
  /** model_fetch.py's exit code for bad arguments or a missing model path. */
  private static final int EXIT_BAD_INPUT = 2;

  private SimulatedModelFetch() {
  }

  static StageOutcome run(StageArgs args, PodMounts paths) throws IOException {
    List<String> argv = args.argv();
    if (argv.size() < 2 || !argv.get(1).equals(PROGRAM)) {
      return failed("model-fetch: the container runs " + argv + ", not python3 " + PROGRAM);
    }
    if (!Files.isRegularFile(paths.local(PROGRAM))) {
      // What python3 says for a script nothing provides (no programs ConfigMap mounted there).
      return failed("python3: can't open file '" + PROGRAM + "': [Errno 2] No such file or directory");
    }
    ModelFetchParams params = args.params(ModelFetchParams.class).orElse(null);
    if (params == null) {
      return failed("model_fetch.py: error: the following arguments are required: "
          + StageParams.OPTION);
    }
    return params.model().startsWith("/") ? local(params.model(), params.output(), paths)
        : hub(params.model(), params.revision(), params.output(), paths);
  }

  private static StageOutcome hub(String model, String revision, String output, PodMounts paths)
      throws IOException {
    String sha = madeUpSha(model + "@" + revision);
    // huggingface_hub's layout under HF_HOME (the pod's mount of the workspace HF cache).
    String snapshot = Workspace.HF_HOME + "/hub/models--" + model.replace("/", "--") + "/snapshots/" + sha;
    Path local = Files.createDirectories(paths.local(snapshot));
    Files.writeString(local.resolve("SIMULATED"), "simulated snapshot of " + model + "\n",
        StandardCharsets.UTF_8);
    ObjectNode record = JSON.createObjectNode().put("model", model).put("revision", revision)
        .put("sha", sha).put("snapshot", snapshot).put("simulated", true);
    ObjectNode artifact = writeRecord(paths, output, record);
    ObjectNode result = JSON.createObjectNode().put("simulated", true);
    result.putArray("artifacts").add(artifact);
    result.putObject("metrics");
    result.putObject("info").put("sha", sha).put("snapshot", snapshot).put("model", model)
        .put("source", SimulatedGpuStage.MARK);
    return new StageOutcome(List.of("[simulated] no internet on the dev node: " + model + " at "
        + revision + " is not downloaded; made-up commit " + sha + " (simulated)"),
        Duration.ofMillis(200), 0, result.toString());
  }

  private static StageOutcome local(String model, String output, PodMounts paths) throws IOException {
    Path dir = paths.local(model);
    if (!Files.isDirectory(dir)) {
      return failed("model-fetch: model " + model + ": no such directory on the workspace");
    }
    if (!Files.isRegularFile(dir.resolve("config.json"))) {
      return failed("model-fetch: model " + model + ": no config.json, not a model directory");
    }
    ContentDigest digest = ContentDigest.of(dir);
    ObjectNode record = JSON.createObjectNode().put("model", model).put("sha", digest.sha256())
        .put("snapshot", model).put("sizeBytes", digest.sizeBytes()).put("source", "workspace")
        .put("simulated", false);
    ObjectNode artifact = writeRecord(paths, output, record);
    ObjectNode result = JSON.createObjectNode().put("simulated", false);
    result.putArray("artifacts").add(artifact);
    result.putObject("metrics");
    result.putObject("info").put("sha", digest.sha256()).put("snapshot", model).put("model", model)
        .put("sizeBytes", Long.toString(digest.sizeBytes())).put("source", "workspace");
    return new StageOutcome(List.of("model-fetch: " + model + " is " + digest.sha256() + " ("
        + model + ")"), Duration.ofMillis(200), 0, result.toString());
  }

  /**
   * Writes {@code output/model-fetch.json}, the stage's artifact, and returns it as the result
   * names it: its digest is the record's (the snapshot is named in info; a commit is not a
   * content hash).
   */
  private static ObjectNode writeRecord(PodMounts paths, String output, ObjectNode record) throws IOException {
    Path out = Files.createDirectories(paths.local(output));
    Path file = Files.writeString(out.resolve("model-fetch.json"), record.toPrettyString(),
        StandardCharsets.UTF_8);
    ContentDigest digest = ContentDigest.of(file);
    return JSON.createObjectNode().put("name", "model-fetch").put("path", output + "/model-fetch.json")
        .put("sha256", digest.sha256()).put("sizeBytes", digest.sizeBytes());
  }

  private static StageOutcome failed(String message) {
    return new StageOutcome(List.of(message), Duration.ZERO, EXIT_BAD_INPUT,
        JSON.createObjectNode().put("error", message).toString());
  }

  private static String madeUpSha(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JRE", e);
    }
  }
}
