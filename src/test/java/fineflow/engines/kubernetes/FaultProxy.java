package fineflow.engines.kubernetes;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import fineflow.activities.DaemonThreads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A small HTTP proxy in front of the API server that injects the faults a real cluster's API
 * server and its load balancers produce: 429 with Retry-After (API priority and fairness), 503
 * (a server going away), an answer lost after the request was served, a watch that ends, and a
 * watch that answers 410 Gone (an expired resource version). The client talks plain HTTP to it,
 * so it sees and can cut every request; it forwards over TLS with the client's own credentials.
 */
final class FaultProxy implements AutoCloseable {
  private static final Pattern RESOURCE = Pattern.compile(
      "^/(?:api/v1|apis/[^/]+/[^/]+)(?:/namespaces/[^/]+)?/([a-z]+)(/[^/?]+)?(/[a-z]+)?$");
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "host", "upgrade",
      "transfer-encoding", "keep-alive", "expect");

  private final URI upstream;
  private final HttpClient client;
  private final HttpServer server;
  private final ExecutorService handlers = Executors.newCachedThreadPool(new DaemonThreads("fault-proxy"));
  private final java.util.concurrent.ScheduledExecutorService cuts =
      Executors.newSingleThreadScheduledExecutor(new DaemonThreads("fault-proxy-cut"));

  /** Faults to inject, counted down as they happen. */
  final AtomicInteger goneWatches = new AtomicInteger();
  /** Every Nth plain request (not a watch) gets 429, the next Nth 503, the next an answer lost after it was served. */
  volatile int faultEvery;
  private final AtomicInteger plainRequests = new AtomicInteger();
  /** Watches are cut after this long (a watch that ends); null: forwarded as long as they last. */
  volatile Duration watchLifetime;

  /** What happened, in order: "410 jobs", "list jobs", "429 GET pods", ... */
  final List<String> events = new CopyOnWriteArrayList<>();
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  FaultProxy(String upstreamUrl, Path caCertificate) throws Exception {
    this.upstream = URI.create(upstreamUrl.replaceAll("/+$", ""));
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(caCertificate)) {
      trust.setCertificateEntry("ca", (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls)
        .connectTimeout(Duration.ofSeconds(3)).build();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(handlers);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  long count(String event) {
    LongAdder a = counts.get(event);
    return a == null ? 0 : a.sum();
  }

  private void record(String event) {
    events.add(event);
    counts.computeIfAbsent(event, k -> new LongAdder()).increment();
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      String path = ex.getRequestURI().getRawPath();
      String query = ex.getRequestURI().getRawQuery();
      Matcher m = RESOURCE.matcher(path);
      String resource = m.matches() ? m.group(1) + (m.group(3) == null ? "" : m.group(3)) : path;
      boolean watch = query != null && query.contains("watch=true");
      if (watch) {
        record("watch " + resource);
        if (goneWatches.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
          record("410 " + resource);
          // What the API server streams for a watch from a compacted resource version.
          send(ex, 200, "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
              + "\"status\":\"Failure\",\"message\":\"too old resource version: 1 (2)\",\"reason\":\"Expired\","
              + "\"code\":410}}\n", Map.of());
          return;
        }
      } else if ("GET".equals(ex.getRequestMethod()) && m.matches() && m.group(2) == null) {
        record("list " + resource);
      }
      int every = faultEvery;
      Fault fault = Fault.NONE;
      if (!watch && every > 0) {
        int n = plainRequests.incrementAndGet();
        if (n % every == 0) {
          fault = Fault.values()[1 + (n / every) % 3];
        }
      }
      if (fault == Fault.THROTTLED) {
        record("429 " + ex.getRequestMethod() + " " + resource);
        send(ex, 429, status(429, "TooManyRequests", "Too many requests, please try again later."),
            Map.of("Retry-After", "1"));
        return;
      }
      if (fault == Fault.UNAVAILABLE) {
        record("503 " + ex.getRequestMethod() + " " + resource);
        send(ex, 503, status(503, "ServiceUnavailable", "the server is currently unable to handle the request"),
            Map.of());
        return;
      }
      forward(ex, watch, fault == Fault.ANSWER_LOST, ex.getRequestMethod() + " " + resource);
    } catch (IOException e) {
      // The client hung up (a watch it closed).
    } finally {
      ex.close();
    }
  }

  private enum Fault { NONE, THROTTLED, UNAVAILABLE, ANSWER_LOST }

  private void forward(HttpExchange ex, boolean watch, boolean loseAnswer, String what) throws IOException {
    byte[] body = ex.getRequestBody().readAllBytes();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(upstream + ex.getRequestURI().toString()))
        .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    ex.getRequestHeaders().forEach((name, values) -> {
      if (!HOP_BY_HOP.contains(name.toLowerCase())) {
        values.forEach(v -> request.header(name, v));
      }
    });
    if (!watch) {
      request.timeout(Duration.ofSeconds(30));
    }
    HttpResponse<InputStream> answer;
    try {
      answer = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      // The API server is down (restarting): what a load balancer in front of it answers.
      record("502 " + what);
      send(ex, 502, status(502, "BadGateway", "upstream unreachable: " + e.getMessage()), Map.of());
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (loseAnswer) {
      // Served, but the answer never arrives: the client must not do it twice.
      answer.body().close();
      record("lost " + what);
      send(ex, 503, status(503, "ServiceUnavailable", "connection reset before the answer"), Map.of());
      return;
    }
    answer.headers().map().forEach((name, values) -> {
      if (!HOP_BY_HOP.contains(name.toLowerCase()) && !name.startsWith(":")) {
        ex.getResponseHeaders().put(name, values);
      }
    });
    ex.sendResponseHeaders(answer.statusCode(), 0);
    long cutAt = watch && watchLifetime != null ? System.nanoTime() + watchLifetime.toNanos() : Long.MAX_VALUE;
    try (InputStream in = answer.body(); OutputStream out = ex.getResponseBody()) {
      byte[] buffer = new byte[8192];
      if (cutAt != Long.MAX_VALUE) {
        cuts.schedule(() -> {
          try {
            in.close();
          } catch (IOException ignored) {
            // Closed already.
          }
        }, watchLifetime.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      }
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      if (System.nanoTime() >= cutAt) {
        record("cut watch");
      }
    }
  }

  private static String status(int code, String reason, String message) {
    return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\""
        + message.replace("\"", "'") + "\",\"reason\":\"" + reason + "\",\"code\":" + code + "}";
  }

  private static void send(HttpExchange ex, int code, String body, Map<String, String> headers) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    handlers.shutdownNow();
    cuts.shutdownNow();
  }
}
