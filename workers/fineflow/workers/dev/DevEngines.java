package fineflow.workers.dev;

import fineflow.workers.dev.EngineChoice.Engine;
import fineflow.workers.engines.EngineBinaries;
import fineflow.workers.engines.KubeControlPlane;
import fineflow.workers.engines.TemporalDevServer;

/**
 * What each component of a dev stack runs on, one axis per component: {@code auto} picks a
 * component's real engine when all of its binaries are installed.
 */
public record DevEngines(Engine temporal, Engine kubernetes) {
  public static DevEngines resolve(EngineChoice choice) {
    return new DevEngines(choice.resolve(TemporalDevServer.findCli().isPresent()),
        choice.resolve(EngineBinaries.fromEnvironment().has(KubeControlPlane.BINARIES.toArray(String[]::new))));
  }

  /** For the first line of {@code dev} and {@code demo}, e.g. "real Temporal server, embedded Kubernetes". */
  public String describe() {
    return (temporal == Engine.real ? "real Temporal server (temporal server start-dev)"
        : "embedded Temporal (Java test server)")
        + ", " + (kubernetes == Engine.real
            ? "real Kubernetes (etcd, kube-apiserver, kube-controller-manager, kube-scheduler; fineflow's node agent)"
            : "embedded Kubernetes (mock API server)");
  }
}
