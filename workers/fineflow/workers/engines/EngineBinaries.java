package fineflow.workers.engines;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where {@code scripts/install-engines} puts the real engines (the Temporal CLI, etcd, the
 * Kubernetes control plane, kubectl): {@code $FINEFLOW_ENGINES/bin}, by default
 * {@code ~/.fineflow/engines/bin}.
 */
public record EngineBinaries(Path root) {
  public static final String INSTALL_HINT = "run scripts/install-engines";

  public static EngineBinaries fromEnvironment() {
    String configured = System.getenv("FINEFLOW_ENGINES");
    Path root = configured == null || configured.isBlank()
        ? Path.of(System.getProperty("user.home"), ".fineflow", "engines")
        : Path.of(configured);
    return new EngineBinaries(root.toAbsolutePath());
  }

  public Path bin() {
    return root.resolve("bin");
  }

  /** The named engine binary when it is installed and executable. */
  public Optional<Path> find(String name) {
    Path candidate = bin().resolve(name);
    return Files.isExecutable(candidate) ? Optional.of(candidate) : Optional.empty();
  }

  /** The named engine binary, or an error that says how to install it. */
  public Path require(String name) {
    return find(name).orElseThrow(() -> new EngineMissingException(
        name + " is not installed under " + bin() + ": " + INSTALL_HINT));
  }

  /** True when every named engine is installed. */
  public boolean has(String... names) {
    for (String name : names) {
      if (find(name).isEmpty()) {
        return false;
      }
    }
    return true;
  }
}
