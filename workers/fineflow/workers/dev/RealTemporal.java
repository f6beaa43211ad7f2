package fineflow.workers.dev;

import fineflow.workers.client.RunHistory;
import fineflow.workers.engines.TemporalDevServer;
import fineflow.workflows.pipeline.RunSearchAttributes;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The real Temporal server for a dev stack, on a SQLite file: runs, their histories and the
 * visibility store survive a restart of {@code fineflow dev}.
 */
public final class RealTemporal implements DevTemporal {
  /** The UI's list of fineflow runs (the query the UI's own filter bar writes). */
  public static final String RUNS_QUERY = "WorkflowType=\"" + RunHistory.WORKFLOW_TYPE + "\"";

  private final TemporalDevServer server;
  private final boolean owned;

  private RealTemporal(TemporalDevServer server, boolean owned) {
    this.server = server;
    this.owned = owned;
  }

  /**
   * Starts the dev server on {@code database}, with fineflow's search attributes registered;
   * {@code port} 0 picks free ports, else the UI is on port+1000 as the CLI's default.
   */
  public static RealTemporal start(Path database, int port) {
    TemporalDevServer.Settings free = TemporalDevServer.Settings.onFreePorts(TemporalDevServer.requireCli(),
        database, NAMESPACE, RunSearchAttributes.ALL);
    TemporalDevServer.Settings settings = port == 0 ? free : new TemporalDevServer.Settings(free.cli(), database,
        NAMESPACE, RunSearchAttributes.ALL, port, free.httpPort(), uiPort(port), free.log());
    return new RealTemporal(TemporalDevServer.start(settings), true);
  }

  /** The Web UI's port beside frontend port {@code port}, as the Temporal CLI's defaults (7233, 8233). */
  public static int uiPort(int port) {
    return port + 1000;
  }

  /** A server the caller started and stops (tests that kill and restart it). */
  public static RealTemporal attach(TemporalDevServer server) {
    return new RealTemporal(server, false);
  }

  public TemporalDevServer server() {
    return server;
  }

  @Override
  public String target() {
    return server.target();
  }

  @Override
  public Optional<String> uiUrl() {
    return Optional.of(server.uiListUrl(RUNS_QUERY));
  }

  @Override
  public Optional<String> httpUrl() {
    return Optional.of(server.httpUrl());
  }

  @Override
  public void close() {
    if (owned) {
      server.close();
    }
  }
}
