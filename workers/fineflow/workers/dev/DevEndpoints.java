package fineflow.workers.dev;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.workflows.format.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where a running {@code fineflow dev} says it can be reached, so that other fineflow commands
 * find it without flags: {@code $FINEFLOW_HOME/dev.json} (default {@code ~/.fineflow/dev.json}).
 *
 * @param temporal Temporal frontend address (host:port)
 * @param kubernetes Kubernetes API URL of the mock server
 * @param engines what each component runs on, e.g. {@code {"temporal": "real", "kubernetes": "embedded"}}
 * @param temporalUi the Temporal Web UI's list of fineflow runs (real engine only, else null)
 * @param temporalHttp the Temporal frontend's HTTP API (real engine only, else null)
 * @param kubeconfig the real control plane's admin kubeconfig, for kubectl and fineflow's own
 *     Kubernetes clients (real engine only, else null: the mock server needs no credentials)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DevEndpoints(String temporal, String kubernetes, String namespace, String workspace, long pid,
    Map<String, String> engines, String temporalUi, String temporalHttp, String kubeconfig) {
  private static final ObjectMapper JSON = Json.mapper();

  public static Path file() {
    String home = System.getenv("FINEFLOW_HOME");
    return (home != null ? Path.of(home) : Path.of(System.getProperty("user.home"), ".fineflow"))
        .resolve("dev.json");
  }

  public void write() {
    try {
      Files.createDirectories(file().getParent());
      Files.writeString(file(), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file(), e);
    }
  }

  /** The endpoints of a dev stack that is still running (its process alive), if any. */
  public static Optional<DevEndpoints> read() {
    Path f = file();
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    try {
      DevEndpoints e = JSON.readValue(f.toFile(), DevEndpoints.class);
      return ProcessHandle.of(e.pid()).filter(ProcessHandle::isAlive).map(p -> e);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** A client configuration for this stack's Kubernetes API: its kubeconfig, else the mock server's URL. */
  public io.fabric8.kubernetes.client.Config kubernetesConfig() {
    return kubeconfig != null
        ? io.fabric8.kubernetes.client.Config.fromKubeconfig(Path.of(kubeconfig).toFile())
        : new io.fabric8.kubernetes.client.ConfigBuilder().withMasterUrl(kubernetes).build();
  }

  /** Removes the file if it still describes this process's stack. */
  public void delete() {
    if (read().filter(e -> e.pid() == pid).isPresent()) {
      try {
        Files.deleteIfExists(file());
      } catch (IOException e) {
        // Best effort: a stale file is ignored anyway because its pid is dead.
      }
    }
  }
}
