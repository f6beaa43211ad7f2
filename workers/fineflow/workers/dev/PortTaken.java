package fineflow.workers.dev;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** A port the dev stack was asked to listen on is in use: {@code fineflow dev} exits 6, naming it. */
public final class PortTaken extends RuntimeException {
  private final int port;

  public PortTaken(String what, int port, Throwable cause) {
    super("port " + port + " (" + what + ") is already in use on 127.0.0.1: stop what listens there or"
        + " choose another port", cause);
    this.port = port;
  }

  public int port() {
    return port;
  }

  /**
   * Throws when {@code port} cannot be bound on the loopback interface, where every server of the
   * stack listens. A check before the start, so a taken port is named before anything starts.
   */
  public static void requireFree(String what, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
    } catch (IOException e) {
      throw new PortTaken(what, port, e);
    }
  }
}
