package fineflow.workers.dev;

import java.util.Optional;

/** The Temporal service of a dev stack: the embedded test server or the real dev server. */
public interface DevTemporal extends AutoCloseable {
  String NAMESPACE = "default";

  /** The frontend, host:port. */
  String target();

  /** The Web UI's workflow list of fineflow runs, when there is a UI. */
  Optional<String> uiUrl();

  /** The frontend's HTTP API, when there is one. */
  Optional<String> httpUrl();

  @Override
  void close();
}
