package fineflow.workers.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The dev stack's embedded Temporal listens on 127.0.0.1 only, like the rest of the stack. */
class EmbeddedTemporalTest {

  @Test
  void itListensOnTheLoopbackAddressOnly() throws Exception {
    try (EmbeddedTemporal temporal = EmbeddedTemporal.start(0, Map.of())) {
      assertThat(temporal.address().getAddress().isLoopbackAddress()).as(temporal.address().toString()).isTrue();
      assertThat(temporal.target()).isEqualTo("127.0.0.1:" + temporal.port());
      try (Socket ok = new Socket()) {
        ok.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), temporal.port()), 2000);
      }

      Optional<InetAddress> external = nonLoopbackAddress();
      // CI machines have one: there the check must run, never skip.
      if (fineflow.engines.RealEngines.onCi()) {
        assertThat(external).as("a non-loopback IPv4 address to try").isPresent();
      }
      assumeTrue(external.isPresent(), "this machine has no non-loopback IPv4 address to try");
      assertThatThrownBy(() -> {
        try (Socket refused = new Socket()) {
          refused.connect(new InetSocketAddress(external.get(), temporal.port()), 2000);
        }
      }).as("connect to %s:%d", external.get(), temporal.port()).isInstanceOf(ConnectException.class);
    }
  }

  @Test
  void aTakenPortIsNamed() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> EmbeddedTemporal.start(taken.getLocalPort(), Map.of()))
          .isInstanceOfSatisfying(PortTaken.class, e -> assertThat(e.port()).isEqualTo(taken.getLocalPort()))
          .hasMessageContaining("port " + taken.getLocalPort() + " (Temporal) is already in use");
    }
  }

  private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
    return NetworkInterface.networkInterfaces().filter(EmbeddedTemporalTest::up)
        .flatMap(NetworkInterface::inetAddresses)
        .filter(a -> a instanceof java.net.Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
        .findFirst();
  }

  private static boolean up(NetworkInterface nic) {
    try {
      return nic.isUp() && !nic.isLoopback();
    } catch (SocketException e) {
      return false;
    }
  }
}
