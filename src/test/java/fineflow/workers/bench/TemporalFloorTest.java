package fineflow.workers.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fineflow.workers.bench.floor.TemporalFloor;
import fineflow.workers.worker.WorkerTuning;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TemporalFloorTest {

  @Test
  void everyChainRunsItsStepsInOrderAndEachGapIsMeasured() throws InterruptedException {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      TemporalFloor.Result result = new TemporalFloor(env.getWorkflowClient(), WorkerTuning.defaults())
          .measure(5, 8, Duration.ofMinutes(2));
      assertEquals(5, result.completeChains());
      // 7 gaps per chain of 8; a step starts only after the one before it ended.
      assertEquals(35, result.gapsMillis().size());
      assertTrue(result.gapsMillis().stream().allMatch(g -> g >= 0), result.gapsMillis().toString());
    }
  }
}
