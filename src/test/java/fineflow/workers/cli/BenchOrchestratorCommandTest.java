package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A small run of the orchestration benchmark: every pipeline completes, history stays small. */
class BenchOrchestratorCommandTest {

  @Test
  void fivePipelinesCompleteWithBoundedHistoryAndTheDocumentedFields() throws Exception {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));

    int code = cl.execute("bench-orchestrator", "--pipelines", "5", "--concurrency", "5", "--engines", "embedded",
        "--output", "json");

    assertThat(code).as(err.toString()).isEqualTo(ExitCode.OK);
    JsonNode r = new ObjectMapper().readTree(out.toString());
    List<String> fields = List.of("engines", "pipelines", "completed", "wallSeconds", "stageTransitionMs", "floorTemporalMs",
        "floorKubernetesMs", "historyEventsPerRun", "workerThreadsPeak", "heapPeakMiB", "kubeApiRequestsPerStage",
        "floorKubeApiRequestsPerStage", "pipelinesPerMinute");
    assertThat(r.properties()).extracting(e -> e.getKey()).containsExactlyElementsOf(fields);
    assertThat(r.get("completed").asInt()).isEqualTo(5);
    assertThat(r.get("historyEventsPerRun").get("max").asInt()).isBetween(1, 150);
    // 6 transitions per run (dataset-prep → … → rollout), all measured.
    assertThat(r.get("stageTransitionMs").get("max").asDouble()).isGreaterThanOrEqualTo(0);
    assertThat(r.get("kubeApiRequestsPerStage").asDouble()).isPositive();
    // Both floors ran on the same stack: 7 gaps per chain of 8, each a real duration.
    assertThat(r.get("floorTemporalMs").get("p50").asDouble()).isPositive();
    assertThat(r.get("floorKubernetesMs").get("p50").asDouble()).isPositive();
    assertThat(r.get("floorKubeApiRequestsPerStage").asDouble()).isPositive();
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
