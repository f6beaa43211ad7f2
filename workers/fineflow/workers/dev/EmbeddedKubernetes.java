package fineflow.workers.dev;

import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.workflows.format.Json;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fabric8's Kubernetes mock API server in CRUD mode, on a loopback port, with two additions
 * the dev stack needs: pod logs served from the simulated kubelet (CRUD mode answers a log
 * request with the namespace's PodList JSON, which must never reach a user as a log), and a
 * count of API requests by verb and resource (for {@code bench-orchestrator}).
 */
public final class EmbeddedKubernetes implements AutoCloseable {
  private static final Pattern LOG_PATH =
      Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/?]+)/log(\\?.*)?$");
  private static final Pattern RESOURCE_PATH =
      Pattern.compile("^/(?:api/v1|apis/[^/]+/[^/]+)(?:/namespaces/[^/]+)?/([a-z]+)(/[^/?]+)?(/status|/log)?");


  /**
   * The mock server logs every request at INFO through java.util.logging: at a few thousand
   * requests a minute that is most of the CPU the stack spends (JFR), so only warnings show.
   * Held here so the setting is not garbage-collected with a weakly referenced logger.
   */
  private static final java.util.logging.Logger MOCK_SERVER_LOG = quiet("io.fabric8.mockwebserver");

  private final KubernetesMockServer server;
  private final PodLogStore logs = new PodLogStore();
  private static final Pattern CREATE_PATH =
      Pattern.compile("^/apis/(?:batch/v1|apps/v1)/namespaces/[^/]+/(jobs|deployments)/?(\\?.*)?$");

  private static final ObjectMapper LABELS_READER = Json.mapper();

  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final StageTimeline timeline = new StageTimeline();
  private KubernetesClient client;

  public EmbeddedKubernetes() {
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    Dispatcher crud = new KubernetesMixedDispatcher(expectations);
    Dispatcher dispatcher = new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        count(request);
        if ("POST".equals(request.getMethod()) && CREATE_PATH.matcher(request.getPath()).matches()) {
          recordCreate(request);
        }
        Matcher m = LOG_PATH.matcher(request.getPath());
        if (m.matches() && "GET".equals(request.getMethod())) {
          return logResponse(m.group(1), m.group(2), m.group(3));
        }
        return crud.dispatch(request);
      }
    };
    server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(),
        expectations, dispatcher, false);
  }

  /** Starts on the loopback interface; port 0 picks a free port. */
  public EmbeddedKubernetes start(int port) {
    try {
      server.init(InetAddress.getLoopbackAddress(), port);
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot start the Kubernetes mock API server on port " + port, e);
    }
    client = server.createClient();
    return this;
  }

  public KubernetesClient client() {
    return client;
  }

  /** Base URL any Kubernetes client can use (plain HTTP, no auth). */
  public String url() {
    return "http://" + server.getHostName() + ":" + server.getPort();
  }

  public int port() {
    return server.getPort();
  }

  public PodLogStore logs() {
    return logs;
  }

  private static java.util.logging.Logger quiet(String name) {
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
    if (logger.getLevel() == null) { // a java.util.logging config that sets it wins
      logger.setLevel(java.util.logging.Level.WARNING);
    }
    return logger;
  }

  /** Stage start and end times, for {@code bench-orchestrator}. */
  public StageTimeline timeline() {
    return timeline;
  }

  private void recordCreate(RecordedRequest request) {
    if (request.getBody() == null) {
      return;
    }
    // getBytes, not getUtf8Body: reading would consume the body the CRUD dispatcher stores.
    try {
      timeline.created(LABELS_READER.readTree(request.getBody().getBytes()).path("metadata").path("labels"));
    } catch (IOException e) {
      // Not JSON: the CRUD dispatcher answers it with its own error; nothing to time.
    }
  }

  /** API requests so far, by "VERB resource" (e.g. "GET jobs", "POST pods"). */
  public Map<String, Long> requestCounts() {
    Map<String, Long> out = new HashMap<>();
    requests.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** User agent of clients whose requests are not fineflow's (the benchmark's teardown). */
  public static final String UNCOUNTED_AGENT = "fineflow-bench-teardown";

  /** A client whose requests {@link #requestCounts()} leaves out. */
  public KubernetesClient uncountedClient() {
    return new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
        new io.fabric8.kubernetes.client.ConfigBuilder(client.getConfiguration()).withUserAgent(UNCOUNTED_AGENT).build())
        .build();
  }

  private void count(RecordedRequest request) {
    if (UNCOUNTED_AGENT.equals(request.getHeader("User-Agent"))) {
      return;
    }
    Matcher m = RESOURCE_PATH.matcher(request.getPath());
    String resource = m.find() ? m.group(1) + (m.group(3) == null ? "" : m.group(3)) : request.getPath();
    requests.computeIfAbsent(request.getMethod() + " " + resource, k -> new LongAdder()).increment();
  }

  private MockResponse logResponse(String namespace, String pod, String query) {
    return logs.text(namespace, pod)
        .map(text -> new MockResponse().setResponseCode(200)
            .setHeader("Content-Type", "text/plain").setBody(tail(text, query)))
        .orElseGet(() -> new MockResponse().setResponseCode(404)
            .setHeader("Content-Type", "application/json")
            .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"NotFound\","
                + "\"message\":\"pods \\\"" + pod + "\\\" not found\",\"code\":404}"));
  }

  /** Honours {@code tailLines=N} like the real API server. */
  private static String tail(String text, String query) {
    if (query == null) {
      return text;
    }
    Matcher m = Pattern.compile("[?&]tailLines=(\\d+)").matcher(query);
    if (!m.find()) {
      return text;
    }
    int n = Integer.parseInt(m.group(1));
    String[] lines = text.split("\n", -1);
    int end = text.endsWith("\n") ? lines.length - 1 : lines.length;
    int start = Math.max(0, end - n);
    StringBuilder sb = new StringBuilder();
    for (int i = start; i < end; i++) {
      sb.append(lines[i]).append('\n');
    }
    return sb.toString();
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
    server.destroy();
  }
}
