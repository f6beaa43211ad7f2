package fineflow.engines.temporal;

import fineflow.workers.dev.DevOptions;
import fineflow.workers.dev.DevStack;
import fineflow.workers.dev.RealTemporal;
import fineflow.workers.engines.TemporalDevServer;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The real Temporal dev server of one test class with a dev stack attached to it (Kubernetes
 * embedded), whose engine build fails once: the set-up of the CLI flows on the real server.
 */
record RealTemporalStack(TemporalDevServer server, DevStack stack) implements AutoCloseable {

  static RealTemporalStack start(Path dir) {
    TemporalDevServer server = RealTemporalServer.start(dir);
    try {
      return new RealTemporalStack(server, DevStack.on(RealTemporal.attach(server), new DevOptions(0, 0,
          dir.resolve("workspace"), 1000, Duration.ofMillis(100), "engine-build", 1, "fineflow", null), true));
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  @Override
  public void close() {
    try {
      stack.close();
    } finally {
      server.close();
    }
  }
}
