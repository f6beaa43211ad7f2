package fineflow.workers.dev;

import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.testserver.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.Optional;

/**
 * Temporal's Java test server bound to a TCP port, so other fineflow processes (and any
 * Temporal client) can connect. In memory only: nothing survives a restart. It runs in real
 * time (no time skipping), like a real cluster. It listens on every interface: the test server's
 * public API takes a port, not an address.
 */
public final class EmbeddedTemporal implements DevTemporal {

  private final TestServer.PortBoundTestServer server;
  private final int port;

  private EmbeddedTemporal(TestServer.PortBoundTestServer server, int port) {
    this.server = server;
    this.port = port;
  }

  /** Starts on {@code port} (0: a free one) and registers the given search attributes. */
  public static EmbeddedTemporal start(int port, Map<String, IndexedValueType> searchAttributes) {
    int bound = port == 0 ? freePort() : port;
    EmbeddedTemporal temporal = new EmbeddedTemporal(TestServer.createPortBoundServer(bound), bound);
    temporal.registerSearchAttributes(searchAttributes);
    return temporal;
  }

  @Override
  public String target() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
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

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free TCP port on the loopback interface", e);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
