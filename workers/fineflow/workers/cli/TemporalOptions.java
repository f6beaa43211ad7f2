package fineflow.workers.cli;

import fineflow.workers.dev.DevEndpoints;
import picocli.CommandLine.Option;

/** How client commands reach Temporal: flag, then FINEFLOW_TEMPORAL, then a running dev stack, then localhost. */
public final class TemporalOptions {
  static final String DEFAULT_TARGET = "127.0.0.1:7233";

  @Option(names = "--temporal", paramLabel = "HOST:PORT",
      description = "Temporal frontend. Default: $FINEFLOW_TEMPORAL, else the running `fineflow dev`, else "
          + DEFAULT_TARGET + ".")
  String temporal;

  @Option(names = "--temporal-namespace", paramLabel = "NS", defaultValue = "default",
      description = "Temporal namespace (default: ${DEFAULT-VALUE}).")
  String temporalNamespace;

  @Option(names = "--ui-url", paramLabel = "URL",
      description = "Temporal UI base URL, for links (default: $FINEFLOW_UI_URL, else the running `fineflow dev`'s).")
  String uiUrl;

  public String target() {
    if (temporal != null) {
      return temporal;
    }
    String env = System.getenv("FINEFLOW_TEMPORAL");
    if (env != null && !env.isBlank()) {
      return env;
    }
    return DevEndpoints.read().map(DevEndpoints::temporal).orElse(DEFAULT_TARGET);
  }

  public String namespace() {
    return temporalNamespace;
  }

  /** Link to a run in the Temporal UI, or null when no UI URL is configured. */
  public String uiLink(String workflowId) {
    String base = uiUrl != null ? uiUrl : System.getenv("FINEFLOW_UI_URL");
    if ((base == null || base.isBlank()) && temporal == null) {
      // The dev stack's UI, when it is the Temporal this command talks to.
      base = DevEndpoints.read().filter(e -> e.temporal().equals(target())).map(DevEndpoints::temporalUi)
          .map(ui -> ui.replaceFirst("/namespaces/.*$", "")).orElse(null);
    }
    if (base == null || base.isBlank()) {
      return null;
    }
    return base.replaceAll("/+$", "") + "/namespaces/" + temporalNamespace + "/workflows/" + workflowId;
  }
}
