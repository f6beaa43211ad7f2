package fineflow.workers.bench.floor;

import fineflow.workers.worker.WorkerTuning;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Measures the Temporal floor on a given server: {@code chains} bare workflows at once, each
 * running {@code steps} no-op activities in sequence, on a worker of its own with the same
 * slots, pollers and cache as fineflow's ({@link WorkerTuning}), on its own task queue.
 */
public final class TemporalFloor {
  /** What the floor measured. */
  public record Result(List<Double> gapsMillis, long completeChains, double wallSeconds) {
  }

  private final WorkflowClient client;
  private final WorkerTuning tuning;

  public TemporalFloor(WorkflowClient client, WorkerTuning tuning) {
    this.client = client;
    this.tuning = tuning;
  }

  public Result measure(int chains, int steps, Duration timeout) throws InterruptedException {
    String queue = "fineflow-floor-" + Long.toHexString(System.nanoTime());
    StepClock clock = new StepClock();
    WorkerFactory factory = WorkerFactory.newInstance(client, tuning.factoryOptions());
    Worker worker = factory.newWorker(queue, tuning.workerOptions());
    worker.registerWorkflowImplementationTypes(FloorWorkflowImpl.class);
    worker.registerActivitiesImplementations(clock);
    factory.start();
    long start = System.nanoTime();
    try {
      List<CompletableFuture<Void>> done = new ArrayList<>();
      for (int i = 0; i < chains; i++) {
        WorkflowStub stub = client.newUntypedWorkflowStub("FloorWorkflow", WorkflowOptions.newBuilder()
            .setTaskQueue(queue)
            .setWorkflowId(queue + "-" + i)
            .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
            .build());
        stub.start(steps);
        done.add(stub.getResultAsync(Void.class));
      }
      try {
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (ExecutionException | TimeoutException e) {
        // Counted below: a chain that did not finish has fewer than `steps` steps.
      }
      return new Result(clock.gapsMillis(), clock.completeChains(steps), (System.nanoTime() - start) / 1e9);
    } finally {
      factory.shutdown();
      factory.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
