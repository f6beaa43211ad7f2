package fineflow.workers.client;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;

/** A client connection to a Temporal frontend (a cluster, or the embedded dev stack). */
public final class TemporalConnection implements AutoCloseable {
  private final WorkflowServiceStubs service;
  private final WorkflowClient client;
  private final String target;

  private TemporalConnection(String target, WorkflowServiceStubs service, String namespace) {
    this.target = target;
    this.service = service;
    this.client = WorkflowClient.newInstance(service,
        WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
  }

  /**
   * Connects and checks the server answers, so that a wrong address is one clear error rather
   * than a hang at the first call.
   */
  public static TemporalConnection open(String target, String namespace) {
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(target)
            .setRpcTimeout(Duration.ofSeconds(10)).build());
    try {
      service.healthCheck();
    } catch (RuntimeException e) {
      service.shutdownNow();
      throw new Unreachable("cannot reach Temporal at " + target
          + " (start `fineflow dev`, or pass --temporal HOST:PORT): " + e.getMessage(), e);
    }
    return new TemporalConnection(target, service, namespace);
  }

  public WorkflowClient client() {
    return client;
  }

  public WorkflowServiceStubs service() {
    return service;
  }

  public String target() {
    return target;
  }

  @Override
  public void close() {
    service.shutdown();
  }

  /** Temporal could not be reached: exit code 6. */
  public static final class Unreachable extends RuntimeException {
    public Unreachable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
