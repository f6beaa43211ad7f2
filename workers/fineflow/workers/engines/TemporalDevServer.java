package fineflow.workers.engines;

import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The real Temporal server, as the Temporal CLI's {@code temporal server start-dev} runs it: the
 * frontend, SQLite persistence and visibility, the Web UI and the HTTP API in one child process,
 * bound to 127.0.0.1. On the same SQLite file a restart finds every run again.
 */
public final class TemporalDevServer implements AutoCloseable {
  /** Overrides where the CLI is found; used as is. */
  public static final String CLI_ENV = "FINEFLOW_TEMPORAL_CLI";
  static final String HOST = "127.0.0.1";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  /**
   * How to start it.
   *
   * @param database the SQLite file (created with its schema when new)
   * @param port the frontend's gRPC port; {@code httpPort} the HTTP API's, {@code uiPort} the Web UI's
   * @param log where the server's output goes (appended)
   */
  public record Settings(Path cli, Path database, String namespace, Map<String, IndexedValueType> searchAttributes,
      int port, int httpPort, int uiPort, Path log) {
    public Settings {
      searchAttributes = Map.copyOf(new TreeMap<>(searchAttributes));
    }

    /** Free ports on 127.0.0.1, the server's log beside its database. */
    public static Settings onFreePorts(Path cli, Path database, String namespace,
        Map<String, IndexedValueType> searchAttributes) {
      return new Settings(cli, database, namespace, searchAttributes, freePort(), freePort(), freePort(),
          database.resolveSibling(database.getFileName() + ".log"));
    }

    /** The command line, e.g. {@code temporal server start-dev --db-filename … --search-attribute FineflowState=Keyword}. */
    public List<String> command() {
      List<String> argv = new ArrayList<>(List.of(cli.toString(), "server", "start-dev",
          "--db-filename", database.toString(), "--ip", HOST, "--port", Integer.toString(port),
          "--http-port", Integer.toString(httpPort), "--ui-port", Integer.toString(uiPort),
          "--namespace", namespace, "--log-level", "warn",
          // Only these flags configure it: not the user's ~/.config/temporalio profile or TEMPORAL_* variables.
          "--disable-config-file", "--disable-config-env"));
      searchAttributes.forEach((name, type) -> {
        argv.add("--search-attribute");
        argv.add(name + "=" + cliType(type));
      });
      return argv;
    }
  }

  private final Settings settings;
  private final Process process;
  /** A child process outlives a JVM that exits without close(): this stops it then. */
  private final Thread stopAtExit;

  private TemporalDevServer(Settings settings, Process process) {
    this.settings = settings;
    this.process = process;
    this.stopAtExit = new Thread(process::destroy, "temporal-dev-server-stop");
    Runtime.getRuntime().addShutdownHook(stopAtExit);
  }

  /** The CLI to run: {@value #CLI_ENV}, else a {@code temporal} on PATH, else the one install-engines built. */
  public static Optional<Path> findCli() {
    String configured = System.getenv(CLI_ENV);
    if (configured != null && !configured.isBlank()) {
      return Optional.of(Path.of(configured));
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        Path candidate = Path.of(dir.isEmpty() ? "." : dir, "temporal");
        if (Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return EngineBinaries.fromEnvironment().find("temporal");
  }

  /** The CLI, or an error that says how to get one. */
  public static Path requireCli() {
    return findCli().orElseThrow(() -> new EngineMissingException("the Temporal CLI is not installed (no "
        + CLI_ENV + ", no temporal on PATH, none under " + EngineBinaries.fromEnvironment().bin() + "): "
        + EngineBinaries.INSTALL_HINT));
  }

  /** Starts the server and returns once its frontend answers for the namespace. */
  public static TemporalDevServer start(Settings settings) {
    Process process;
    try {
      Files.createDirectories(settings.database().toAbsolutePath().getParent());
      Files.createDirectories(settings.log().toAbsolutePath().getParent());
      process = new ProcessBuilder(settings.command())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(settings.log().toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + settings.cli(), e);
    }
    TemporalDevServer server = new TemporalDevServer(settings, process);
    try {
      server.awaitFrontend();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  public Settings settings() {
    return settings;
  }

  /** The frontend's gRPC address, host:port. */
  public String target() {
    return HOST + ":" + settings.port();
  }

  /** The Web UI's base URL. */
  public String uiUrl() {
    return "http://" + HOST + ":" + settings.uiPort();
  }

  /** The UI's workflow list, filtered by a visibility query. */
  public String uiListUrl(String query) {
    return uiUrl() + "/namespaces/" + settings.namespace() + "/workflows?query="
        + URLEncoder.encode(query, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** The frontend's HTTP API base URL (what the UI calls: {@code /api/v1/namespaces/…}). */
  public String httpUrl() {
    return "http://" + HOST + ":" + settings.httpPort();
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL, as a crash would: nothing is flushed beyond what SQLite already committed. */
  public void kill() {
    process.destroyForcibly();
    waitForExit(STOP_GRACE);
  }

  private void awaitFrontend() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("temporal server start-dev exited with " + process.exitValue()
            + " before its frontend answered; see " + settings.log() + lastLines());
      }
      if (portOpen(settings.port()) && portOpen(settings.uiPort())) {
        try {
          describeNamespace();
          return;
        } catch (RuntimeException e) {
          last = e;
        }
      }
      sleep(Duration.ofMillis(100));
    }
    throw new IllegalStateException("the Temporal frontend at " + target() + " did not answer within "
        + START_TIMEOUT.toSeconds() + " s; see " + settings.log()
        + (last == null ? "" : " (" + last.getMessage() + ")") + lastLines());
  }

  private void describeNamespace() {
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
        .setTarget(target()).setRpcTimeout(Duration.ofSeconds(5)).build());
    try {
      stubs.blockingStub().describeNamespace(DescribeNamespaceRequest.newBuilder()
          .setNamespace(settings.namespace()).build());
    } finally {
      stubs.shutdownNow();
    }
  }

  private static boolean portOpen(int port) {
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new java.net.InetSocketAddress(HOST, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private String lastLines() {
    try {
      List<String> lines = Files.readAllLines(settings.log());
      return lines.isEmpty() ? "" : ":\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 10),
          lines.size()));
    } catch (IOException e) {
      return "";
    }
  }

  /** The CLI's name of an index type ({@code --search-attribute KEY=TYPE}). */
  static String cliType(IndexedValueType type) {
    return switch (type) {
      case INDEXED_VALUE_TYPE_TEXT -> "Text";
      case INDEXED_VALUE_TYPE_KEYWORD -> "Keyword";
      case INDEXED_VALUE_TYPE_INT -> "Int";
      case INDEXED_VALUE_TYPE_DOUBLE -> "Double";
      case INDEXED_VALUE_TYPE_BOOL -> "Bool";
      case INDEXED_VALUE_TYPE_DATETIME -> "Datetime";
      case INDEXED_VALUE_TYPE_KEYWORD_LIST -> "KeywordList";
      default -> throw new IllegalArgumentException("no CLI name for " + type.name().toLowerCase(Locale.ROOT));
    };
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free TCP port on the loopback interface", e);
    }
  }

  private boolean waitForExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the Temporal server", e);
    }
  }

  /** SIGTERM, then SIGKILL when it has not stopped within the grace period. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(stopAtExit);
    } catch (IllegalStateException exiting) {
      // Called from another shutdown hook: the JVM is exiting anyway.
    }
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    if (!waitForExit(STOP_GRACE)) {
      kill();
    }
  }
}
