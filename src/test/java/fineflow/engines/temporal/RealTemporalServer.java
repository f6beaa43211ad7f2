package fineflow.engines.temporal;

import fineflow.engines.RealEngines;
import fineflow.workers.dev.DevTemporal;
import fineflow.workers.engines.TemporalDevServer;
import fineflow.workflows.pipeline.RunSearchAttributes;
import java.nio.file.Path;

/**
 * The real dev server for one test class: a fresh SQLite file and free ports. Fails on CI and
 * skips elsewhere when the Temporal CLI is not installed ({@link RealEngines}).
 */
final class RealTemporalServer {
  private RealTemporalServer() {
  }

  static TemporalDevServer.Settings settings(Path dir) {
    return TemporalDevServer.Settings.onFreePorts(RealEngines.require("temporal"), dir.resolve("temporal.db"),
        DevTemporal.NAMESPACE, RunSearchAttributes.ALL);
  }

  /** Starts it and says how long the start took (the number the issue asks for). */
  static TemporalDevServer start(TemporalDevServer.Settings settings) {
    long started = System.nanoTime();
    TemporalDevServer server = TemporalDevServer.start(settings);
    System.out.printf("temporal server start-dev answered after %d ms (%s, UI %s)%n",
        (System.nanoTime() - started) / 1_000_000, server.target(), server.uiUrl());
    return server;
  }

  static TemporalDevServer start(Path dir) {
    return start(settings(dir));
  }
}
