package fineflow.workflows.gate;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.workflows.spec.SloSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromotionGateTest {

  // Triton (candidate) and vLLM (baseline) at c=16 from the manual run's comparison
  // (docs/manual-procedure.md "Benchmarks").
  static final BenchmarkSummary SUMMARY = new BenchmarkSummary(
      List.of(new BenchmarkPoint(1, 16.47, 14.0, 5.83, 171.29, 173.18),
          new BenchmarkPoint(16, 61.2, 38.6, 13.31, 1156.97, 75.35)),
      List.of(new BenchmarkPoint(16, 60.6, 52.7, 19.38, 813.81, 51.5)));

  @Test
  void passesWhenEveryBoundHolds() {
    GateVerdict v = PromotionGate.evaluate(new SloSpec(16, 100.0, 15.0, 130.0), SUMMARY);

    assertThat(v.pass()).isTrue();
    assertThat(v.checks()).hasSize(3).allMatch(GateCheck::pass);
    assertThat(v.checks().get(2).actual()).isCloseTo(142.17, org.assertj.core.api.Assertions.within(0.01));
    assertThat(v.table()).contains("TTFT p99 (ms)", "61.20", "<= 100.00", "142.17", ">= 130.00", "pass");
  }

  @Test
  void failsOnTheBoundThatDoesNotHold() {
    GateVerdict v = PromotionGate.evaluate(new SloSpec(16, 50.0, 15.0, 150.0), SUMMARY);

    assertThat(v.pass()).isFalse();
    assertThat(v.checks()).extracting(GateCheck::pass).containsExactly(false, true, false);
    assertThat(v.table()).contains("FAIL");
  }

  @Test
  void defaultsToTheHighestConcurrency() {
    GateVerdict v = PromotionGate.evaluate(new SloSpec(null, null, 10.0, null), SUMMARY);

    assertThat(v.checks()).singleElement().satisfies(c -> {
      assertThat(c.concurrency()).isEqualTo(16);
      assertThat(c.pass()).isFalse();
    });
  }

  @Test
  void unmeasuredLevelOrMissingBaselineFails() {
    GateVerdict missingLevel = PromotionGate.evaluate(new SloSpec(8, 100.0, null, null), SUMMARY);
    GateVerdict noBaseline = PromotionGate.evaluate(new SloSpec(1, null, null, 50.0), SUMMARY);

    assertThat(missingLevel.pass()).isFalse();
    assertThat(missingLevel.checks().get(0).note()).contains("concurrency 8 was not benchmarked");
    assertThat(noBaseline.pass()).isFalse();
    assertThat(noBaseline.checks().get(0).note()).contains("no baseline");
  }

  @Test
  void nonStreamingBenchmarkCannotPassLatencyBounds() {
    BenchmarkSummary s = new BenchmarkSummary(
        List.of(new BenchmarkPoint(16, null, null, null, 1106.4, null)), List.of());

    GateVerdict v = PromotionGate.evaluate(new SloSpec(16, 100.0, null, null), s);

    assertThat(v.pass()).isFalse();
    assertThat(v.checks().get(0).note()).contains("non-streaming");
  }

  @Test
  void noBoundsMeansNoGate() {
    assertThat(PromotionGate.isGated(null)).isFalse();
    assertThat(PromotionGate.isGated(new SloSpec(16, null, null, null))).isFalse();
    assertThat(PromotionGate.evaluate(null, SUMMARY).pass()).isTrue();
  }

  @Test
  void metricsRoundTripThroughAStageResult() {
    var metrics = SUMMARY.toMetrics();

    assertThat(metrics).containsEntry("c16.outputThroughput", 1156.97)
        .containsEntry("baseline.c16.outputThroughput", 813.81)
        .containsEntry("outputThroughputAtMaxConcurrency", 1156.97)
        .containsEntry("baselineOutputThroughputAtMaxConcurrency", 813.81)
        .containsEntry("maxConcurrency", 16.0);
    BenchmarkSummary back = BenchmarkSummary.fromMetrics(metrics);
    assertThat(back.candidateAt(16).orElseThrow().ttftP99Ms()).isEqualTo(61.2);
    assertThat(back.candidateAt(1).orElseThrow().outputTokenThroughputPerUser()).isEqualTo(173.18);
    assertThat(PromotionGate.evaluate(new SloSpec(16, 100.0, 15.0, 130.0), back).pass()).isTrue();
  }
}
