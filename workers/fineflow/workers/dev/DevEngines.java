package fineflow.workers.dev;

import fineflow.workers.dev.EngineChoice.Engine;
import fineflow.workers.engines.TemporalDevServer;

/**
 * What each component of a dev stack runs on, one axis per component. Kubernetes is the mock
 * API server for now, whatever was chosen: no real control plane is wired in yet.
 */
public record DevEngines(Engine temporal, Engine kubernetes) {
  public static DevEngines resolve(EngineChoice choice) {
    return new DevEngines(choice.resolve(TemporalDevServer.findCli().isPresent()), Engine.embedded);
  }

  /** For the first line of {@code dev} and {@code demo}, e.g. "real Temporal server, embedded Kubernetes". */
  public String describe() {
    return (temporal == Engine.real ? "real Temporal server (temporal server start-dev)"
        : "embedded Temporal (Java test server)")
        + ", " + (kubernetes == Engine.real ? "real Kubernetes control plane" : "embedded Kubernetes (mock API server)");
  }
}
