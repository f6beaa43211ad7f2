package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.engines.RealEngines;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A small run of the orchestration benchmark: every pipeline completes, history stays small. */
class BenchOrchestratorCommandTest {

  @Test
  void fivePipelinesCompleteWithBoundedHistoryAndTheDocumentedFields() throws Exception {
    JsonNode r = bench("embedded");
    assertThat(r.get("engines").asText()).isEqualTo("embedded Temporal, embedded Kubernetes");
  }

  /** The same smoke run on the real Temporal server and control plane with the node agent (CI has them). */
  @Test
  void fivePipelinesCompleteOnTheRealEngines() throws Exception {
    for (String engine : List.of("temporal", "etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler")) {
      RealEngines.require(engine);
    }
    JsonNode r = bench("real");
    assertThat(r.get("engines").asText()).isEqualTo("real Temporal, real Kubernetes");
  }

  /** Five pipelines, five at once; what every run must show whatever the engines. */
  private static JsonNode bench(String engines) throws Exception {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));

    int code = cl.execute("bench-orchestrator", "--pipelines", "5", "--concurrency", "5", "--engines", engines,
        "--timeout-minutes", "5", "--output", "json");

    assertThat(code).as(err.toString()).isEqualTo(ExitCode.OK);
    JsonNode r = new ObjectMapper().readTree(out.toString());
    List<String> fields = List.of("engines", "pipelines", "completed", "wallSeconds", "stageTransitionMs", "floorTemporalMs",
        "floorKubernetesMs", "historyEventsPerRun", "workerThreadsPeak", "heapPeakMiB", "kubeApiRequestsPerStage",
        "floorKubeApiRequestsPerStage", "pipelinesPerMinute");
    assertThat(r.properties()).extracting(e -> e.getKey()).containsExactlyElementsOf(fields);
    assertThat(r.get("completed").asInt()).isEqualTo(5);
    assertThat(r.get("historyEventsPerRun").get("max").asInt()).isBetween(1, 150);
    // 6 transitions per run (dataset-prep → … → rollout), each a real duration.
    assertThat(r.get("stageTransitionMs").get("p50").asDouble()).isPositive();
    assertThat(r.get("kubeApiRequestsPerStage").asDouble()).isPositive();
    // Both floors ran on the same stack (the exit code says every chain completed).
    assertThat(r.get("floorTemporalMs").get("p50").asDouble()).isPositive();
    assertThat(r.get("floorKubernetesMs").get("p50").asDouble()).isPositive();
    assertThat(r.get("floorKubeApiRequestsPerStage").asDouble()).isPositive();
    return r;
  }

  @Test
  void rejectsANonPositivePipelineCount() {
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(new StringWriter()));
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));

    assertThat(cl.execute("bench-orchestrator", "--pipelines", "0")).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("--pipelines");
  }
}
