package fineflow.workers.dev;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Temporal's Java test server bound to a TCP port on 127.0.0.1, so other fineflow processes on
 * this machine (and any Temporal client there) can connect, and nothing else can. In memory
 * only: nothing survives a restart. It runs in real time (no time skipping), like a real cluster.
 *
 * <p>The test server's own {@code TestServer.createPortBoundServer(port)} listens on every
 * interface (it builds its gRPC server with {@code Grpc.newServerBuilderForPort}); this registers
 * the same services and health checks (temporal-test-server's
 * {@code io/temporal/testserver/TestServer.java}) on a Netty server bound to the loopback address.
 */
public final class EmbeddedTemporal implements DevTemporal {

  private final TestServicesStarter services;
  private final Server server;

  private EmbeddedTemporal(TestServicesStarter services, Server server) {
    this.services = services;
    this.server = server;
  }

  /**
   * Starts on {@code port} (0: a free one) and registers the given search attributes.
   *
   * @throws PortTaken when the port is in use
   */
  public static EmbeddedTemporal start(int port, Map<String, IndexedValueType> searchAttributes) {
    if (port != 0) {
      PortTaken.requireFree("Temporal", port);
    }
    // Time skipping locked, as createPortBoundServer(port) does: the server runs in real time.
    TestServicesStarter services = new TestServicesStarter(true, 0);
    // grpc-api has no address variant of Grpc.newServerBuilderForPort; Netty's builder has.
    ServerBuilder<?> builder = NettyServerBuilder.forAddress(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), port), InsecureServerCredentials.create());
    GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
    Server server;
    try {
      server = builder.build().start();
    } catch (IOException e) {
      services.close();
      // Taken since the check: Netty's native transport says so in its own exception type.
      if (hasCause(e, BindException.class) || String.valueOf(e.getMessage()).contains("in use")) {
        throw new PortTaken("Temporal", port, e);
      }
      throw new UncheckedIOException("cannot start the embedded Temporal server on 127.0.0.1:" + port, e);
    }
    EmbeddedTemporal temporal = new EmbeddedTemporal(services, server);
    temporal.registerSearchAttributes(searchAttributes);
    return temporal;
  }

  @Override
  public String target() {
    return "127.0.0.1:" + port();
  }

  public int port() {
    return server.getPort();
  }

  /** Where the server listens (the loopback address and its port). */
  public InetSocketAddress address() {
    return (InetSocketAddress) server.getListenSockets().get(0);
  }

  /** The test server has no Web UI. */
  @Override
  public Optional<String> uiUrl() {
    return Optional.empty();
  }

  /** Nor an HTTP API. */
  @Override
  public Optional<String> httpUrl() {
    return Optional.empty();
  }

  private void registerSearchAttributes(Map<String, IndexedValueType> attributes) {
    // validateAndBuildWithDefaults: plain build() leaves the channel unset and throws an NPE.
    OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
        OperatorServiceStubsOptions.newBuilder().setTarget(target()).validateAndBuildWithDefaults());
    try {
      operator.blockingStub().addSearchAttributes(AddSearchAttributesRequest.newBuilder()
          .setNamespace(NAMESPACE).putAllSearchAttributes(attributes).build());
    } finally {
      operator.shutdownNow();
    }
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  /** As the test server's own close: stop taking calls (5 s grace), then stop its services. */
  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
    services.close();
  }
}
