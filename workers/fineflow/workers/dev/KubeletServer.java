package fineflow.workers.dev;

import fineflow.activities.DaemonThreads;
import fineflow.workers.engines.KubePki;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The node agent's kubelet endpoint, the part the API server calls for {@code pods/log}: HTTPS
 * {@code GET /containerLogs/{namespace}/{pod}/{container}} with the kubelet's query parameters
 * ({@code tailLines}, {@code follow}, {@code timestamps}, {@code sinceSeconds}, {@code sinceTime},
 * {@code limitBytes}, {@code previous}). Secured as a kubelet is by default: TLS with a
 * certificate of the cluster CA, client certificates of that CA only (x509 authentication:
 * CN the user, O the groups), and each caller authorized for {@code nodes/proxy} of this node
 * (kubelet's {@code pkg/kubelet/server/auth.go} maps {@code /containerLogs} to that subresource).
 */
final class KubeletServer implements AutoCloseable {
  private static final String LOGS = "/containerLogs/";
  private static final char[] NO_PASSWORD = new char[0];
  /** How long a follow request waits for a new line before it looks again. */
  private static final Duration FOLLOW_POLL = Duration.ofSeconds(1);

  /** Who may read logs: the API server asks as its kubelet client (issue it {@code nodes/proxy}). */
  @FunctionalInterface
  interface Authorizer {
    boolean allows(String user, List<String> groups);
  }

  /** A container's log as the node knows it, or why it has none. */
  record LogAnswer(int status, String error, ContainerLogs.Log log) {
    static LogAnswer of(ContainerLogs.Log log) {
      return new LogAnswer(200, null, log);
    }

    static LogAnswer error(int status, String error) {
      return new LogAnswer(status, error, null);
    }
  }

  /** Finds a container's log on this node. */
  @FunctionalInterface
  interface Logs {
    LogAnswer find(String namespace, String pod, String container);
  }

  private final HttpsServer server;
  private final ExecutorService handlers = Executors.newCachedThreadPool(new DaemonThreads("kubelet-server"));

  KubeletServer(KubePki.Issued serving, X509Certificate clientCa, Authorizer authorizer, Logs logs) {
    try {
      server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      SSLContext tls = tls(serving, clientCa);
      server.setHttpsConfigurator(new HttpsConfigurator(tls) {
        @Override
        public void configure(HttpsParameters params) {
          SSLParameters ssl = tls.getDefaultSSLParameters();
          ssl.setNeedClientAuth(true);
          params.setSSLParameters(ssl);
        }
      });
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot start the node agent's kubelet endpoint", e);
    }
    server.createContext("/healthz", ex -> send(ex, 200, "ok"));
    server.createContext(LOGS, ex -> {
      try {
        Optional<String> denied = authorize((HttpsExchange) ex, authorizer);
        if (denied.isPresent()) {
          send(ex, denied.get().startsWith("Unauthorized") ? 401 : 403, denied.get());
          return;
        }
        serveLog(ex, logs);
      } catch (IOException e) {
        // The client went away (a follow that the caller stopped): nothing to answer.
      } finally {
        ex.close();
      }
    });
    server.setExecutor(handlers);
    server.start();
  }

  /** The port the node registers as {@code status.daemonEndpoints.kubeletEndpoint}. */
  int port() {
    return server.getAddress().getPort();
  }

  private static Optional<String> authorize(HttpsExchange ex, Authorizer authorizer) {
    Certificate[] chain;
    try {
      chain = ex.getSSLSession().getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.of("Unauthorized");
    }
    X509Certificate client = (X509Certificate) chain[0];
    String user = null;
    List<String> groups = new ArrayList<>();
    try {
      for (Rdn rdn : new LdapName(client.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          user = rdn.getValue().toString();
        } else if (rdn.getType().equalsIgnoreCase("O")) {
          groups.add(rdn.getValue().toString());
        }
      }
    } catch (InvalidNameException e) {
      return Optional.of("Unauthorized");
    }
    if (user == null) {
      return Optional.of("Unauthorized");
    }
    // The kubelet's own words for a denied request (pkg/kubelet/server/auth.go).
    return authorizer.allows(user, groups) ? Optional.empty()
        : Optional.of("Forbidden (user=" + user + ", verb=get, resource=nodes, subresource=proxy)");
  }

  private static void serveLog(HttpExchange ex, Logs logs) throws IOException {
    String[] parts = ex.getRequestURI().getRawPath().substring(LOGS.length()).split("/");
    if (parts.length != 3) {
      send(ex, 400, "expected " + LOGS + "{namespace}/{pod}/{container}");
      return;
    }
    String ns = decode(parts[0]);
    String pod = decode(parts[1]);
    String container = decode(parts[2]);
    Map<String, String> query = query(ex.getRequestURI().getRawQuery());
    LogQuery q;
    try {
      q = LogQuery.parse(query);
    } catch (IllegalArgumentException e) {
      send(ex, 400, e.getMessage());
      return;
    }
    if (q.previous()) {
      // No container restarts here (Never for Jobs; a server that fails to start is not restarted).
      send(ex, 400, "previous terminated container \"" + container + "\" in pod \"" + pod + "\" not found");
      return;
    }
    LogAnswer answer = logs.find(ns, pod, container);
    if (answer.log() == null) {
      send(ex, answer.status(), answer.error());
      return;
    }
    ContainerLogs.Log log = answer.log();
    List<ContainerLogs.Line> all = log.from(0);
    int start = q.tailLines() == null ? 0 : Math.max(0, all.size() - q.tailLines());
    ex.getResponseHeaders().set("Content-Type", "text/plain");
    ex.sendResponseHeaders(200, 0);
    try (OutputStream out = ex.getResponseBody()) {
      long written = 0;
      int next = start;
      while (true) {
        for (ContainerLogs.Line line : log.from(next)) {
          next++;
          if (q.since() != null && line.time().isBefore(q.since())) {
            continue;
          }
          byte[] bytes = ((q.timestamps() ? DateTimeFormatter.ISO_INSTANT.format(line.time()) + " " : "")
              + line.text() + "\n").getBytes(StandardCharsets.UTF_8);
          if (q.limitBytes() != null && written + bytes.length > q.limitBytes()) {
            out.write(bytes, 0, (int) (q.limitBytes() - written));
            return;
          }
          out.write(bytes);
          written += bytes.length;
        }
        out.flush();
        if (!q.follow() || log.ended()) {
          if (log.from(next).isEmpty()) {
            return;
          }
          continue;
        }
        try {
          log.await(next, FOLLOW_POLL);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** The kubelet's log options (core/v1 PodLogOptions), as the API server passes them on. */
  private record LogQuery(boolean follow, boolean previous, boolean timestamps, Integer tailLines,
      Long limitBytes, Instant since) {
    static LogQuery parse(Map<String, String> q) {
      Instant since = null;
      if (q.containsKey("sinceSeconds")) {
        since = Instant.now().minusSeconds(number(q, "sinceSeconds"));
      } else if (q.containsKey("sinceTime")) {
        try {
          since = Instant.parse(q.get("sinceTime"));
        } catch (DateTimeParseException e) {
          throw new IllegalArgumentException("sinceTime: not an RFC 3339 time: " + q.get("sinceTime"));
        }
      }
      return new LogQuery(bool(q, "follow"), bool(q, "previous"), bool(q, "timestamps"),
          q.containsKey("tailLines") ? (int) number(q, "tailLines") : null,
          q.containsKey("limitBytes") ? number(q, "limitBytes") : null, since);
    }

    private static boolean bool(Map<String, String> q, String key) {
      return "true".equalsIgnoreCase(q.get(key)) || "1".equals(q.get(key));
    }

    private static long number(Map<String, String> q, String key) {
      try {
        long n = Long.parseLong(q.get(key));
        if (n < 0) {
          throw new IllegalArgumentException(key + ": must be >= 0, got " + n);
        }
        return n;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + ": not a number: " + q.get(key));
      }
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      out.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
    }
    return out;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static void send(HttpExchange ex, int code, String body) throws IOException {
    byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static SSLContext tls(KubePki.Issued serving, X509Certificate clientCa)
      throws GeneralSecurityException, IOException {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("kubelet", serving.keys().getPrivate(), NO_PASSWORD, new Certificate[] {serving.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, NO_PASSWORD);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("client-ca", clientCa);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return tls;
  }

  @Override
  public void close() {
    server.stop(0);
    handlers.shutdownNow();
  }
}
