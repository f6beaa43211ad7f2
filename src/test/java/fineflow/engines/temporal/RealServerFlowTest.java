package fineflow.engines.temporal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.workers.cli.ExitCode;
import fineflow.workers.cli.Cli;
import fineflow.workers.client.RunClient;
import fineflow.workers.dev.DevStack;
import fineflow.workers.engines.TemporalDevServer;
import fineflow.workers.dev.DevEndpoints;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator flow on the real Temporal server, as a user types it: submit → the run pauses at
 * engine-build → a bad patch is rejected by the update validator and leaves nothing in the
 * history → resume with engine.maxBatchSize=8 → succeeded, training launched once, and the
 * pause and the resume still visible in {@code show}.
 */
@Tag("real-temporal")
class RealServerFlowTest {
  @TempDir static Path dir;
  static RealTemporalStack real;
  static TemporalDevServer server;
  static DevStack stack;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void startStack() {
    real = RealTemporalStack.start(dir);
    server = real.server();
    stack = real.stack();
  }

  @AfterAll
  static void stopStack() {
    if (real != null) {
      real.close();
    }
  }

  static Cli fineflow(String... args) {
    return Cli.onTemporal(server.target(), args);
  }

  @Test
  void theStackSaysItRunsOnTheRealServerWithItsUiAndHttpApi() throws Exception {
    DevEndpoints endpoints = stack.endpoints();
    assertThat(endpoints.engines()).containsEntry("temporal", "real").containsEntry("kubernetes", "embedded");
    assertThat(endpoints.temporalUi()).isEqualTo(server.uiUrl()
        + "/namespaces/default/workflows?query=WorkflowType%3D%22PipelineWorkflow%22");
    assertThat(endpoints.temporalHttp()).isEqualTo(server.httpUrl());
    HttpResponse<String> namespaces = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(endpoints.temporalHttp() + "/api/v1/namespaces/default")).build(), BodyHandlers.ofString());
    assertThat(namespaces.statusCode()).isEqualTo(200);
    assertThat(namespaces.body()).contains("\"name\":\"default\"");
    HttpResponse<String> ui = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(endpoints.temporalUi())).build(), BodyHandlers.ofString());
    assertThat(ui.statusCode()).isEqualTo(200);
  }

  @Test
  void submitPauseRejectResumeSucceedsWithTrainingLaunchedOnce() throws Exception {
    Cli submit = fineflow("submit", "configs/demo.yaml");
    assertThat(submit.exit()).as(submit.err()).isZero();
    Matcher m = Pattern.compile("submitted (\\S+)").matcher(submit.out());
    assertThat(m.find()).isTrue();
    String run = m.group(1);

    Cli watch = fineflow("watch", run, "--interval", "0.2");
    assertThat(watch.exit()).as(watch.out()).isEqualTo(ExitCode.PAUSED);
    assertThat(watch.out()).contains("engine-build paused");

    RunClient runs = new RunClient(stack.connection());
    int eventsBefore = runs.history(run).size();
    Cli bad = fineflow("resume", run, "--set", "engine.maxBatchSize=0");
    assertThat(bad.exit()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(bad.err()).contains("engine.maxBatchSize");
    assertThat(runs.history(run)).as("a rejected update leaves no event").hasSize(eventsBefore);

    Cli resume = fineflow("resume", run, "--set", "engine.maxBatchSize=8");
    assertThat(resume.exit()).as(resume.err()).isZero();
    assertThat(resume.out()).contains("keep   train", "retry  engine-build");

    Cli done = fineflow("watch", run, "--interval", "0.2");
    assertThat(done.exit()).as(done.out()).isZero();

    Cli show = fineflow("show", run, "-o", "json");
    assertThat(show.exit()).as(show.err()).isZero();
    JsonNode audit = JSON.readTree(show.out());
    assertThat(audit.get("state").asText()).isEqualTo("succeeded");
    assertThat(stage(audit, "train").get("launches").asInt()).isEqualTo(1);
    assertThat(stage(audit, "engine-build").get("launches").asInt()).isEqualTo(2);
    assertThat(audit.get("revisions")).hasSize(2);
    assertThat(audit.get("revisions").get(1).get("change").asText()).isEqualTo("engine.maxBatchSize=8");
    // The pause and the resume stay visible after the success, with every launch of engine-build.
    JsonNode engineBuild = stage(audit, "engine-build").get("attempts");
    assertThat(engineBuild).hasSize(2);
    assertThat(engineBuild.get(0).get("outcome").asText()).isEqualTo("failed");
    assertThat(engineBuild.get(0).get("pausedRun").asBoolean()).isTrue();
    assertThat(engineBuild.get(0).get("reason").asText()).isNotBlank();
    assertThat(engineBuild.get(0).get("revision").asInt()).isEqualTo(1);
    assertThat(engineBuild.get(1).get("outcome").asText()).isEqualTo("succeeded");
    assertThat(engineBuild.get(1).get("revision").asInt()).isEqualTo(2);
    assertThat(engineBuild.get(1).get("objectName").asText()).isNotBlank();
    assertThat(audit.get("timeline")).hasSize(2);
    assertThat(audit.get("timeline").get(0).get("event").asText()).startsWith("paused at engine-build");
    assertThat(audit.get("timeline").get(1).get("event").asText())
        .isEqualTo("resumed as revision 2: engine.maxBatchSize=8");
    Cli text = fineflow("show", run);
    assertThat(text.out()).contains("LAUNCHES", "PAUSES AND RESUMES", "→ run paused");

    // The replay test replays this history too (src/test/resources/histories/real-paused-resumed-run.json).
    String history = stack.connection().client().fetchHistory(run).toJson(true) + "\n";
    Path exported = Path.of("target", REAL_HISTORY);
    Files.createDirectories(exported.getParent());
    Files.writeString(exported, history);
    if (Boolean.getBoolean("fineflow.exportHistories")) {
      Files.writeString(Path.of("src/test/resources", REAL_HISTORY), history);
    }
  }

  /** Where the history of this flow is kept for the replay test. */
  static final String REAL_HISTORY = "histories/real-paused-resumed-run.json";

  static JsonNode stage(JsonNode audit, String name) {
    for (JsonNode s : audit.get("stages")) {
      if (s.get("name").asText().equals(name)) {
        return s;
      }
    }
    throw new AssertionError("no stage " + name);
  }
}
