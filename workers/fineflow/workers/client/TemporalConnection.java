package fineflow.workers.client;

import com.uber.m3.tally.Scope;
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
    return open(target, namespace, null, null);
  }

  /** With mTLS ({@code tls} may be null) and a metrics scope for the SDK's metrics (may be null). */
  public static TemporalConnection open(String target, String namespace, TemporalTls tls, Scope metrics) {
    WorkflowServiceStubsOptions.Builder options = WorkflowServiceStubsOptions.newBuilder().setTarget(target)
        .setRpcTimeout(Duration.ofSeconds(10));
    if (tls != null) {
      options.setSslContext(tls.sslContext());
      if (tls.serverName() != null) {
        options.setChannelInitializer(channel -> channel.overrideAuthority(tls.serverName()));
      }
    }
    if (metrics != null) {
      options.setMetricsScope(metrics);
    }
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(options.build());
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
