package fineflow.workers.dev;

import fineflow.activities.DaemonThreads;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import fineflow.workflows.format.Json;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Simulated model servers for the Deployments the dev stack rolls out: each answers under its
 * own path prefix ({@code /<namespace>/<deployment>}) of one loopback HTTP server, with the
 * health, config and generate routes of its backend (Triton, trtllm-serve or vLLM), and every
 * generated text says it is simulated. One server, not one per Deployment: a server costs a
 * dispatcher thread, and a 1,000-pipeline benchmark rolls out 1,000 Deployments.
 */
public final class ModelServers implements AutoCloseable {
  private static final ObjectMapper JSON = Json.mapper();
  /** config.pbtxt's top-level max_batch_size, the value Triton serves (auto-complete only fills a missing one). */
  private static final Pattern MAX_BATCH = Pattern.compile("(?m)^\\s*max_batch_size\\s*:\\s*(\\d+)");
  private static final String REPOSITORY_FLAG = "--model-repository=";

  private final Map<String, Running> servers = new ConcurrentHashMap<>();
  private final ExecutorService handlers = Executors.newFixedThreadPool(2, new DaemonThreads("simulated-model-server"));

  /** One HTTP server for all of them, one context per Deployment: threads do not grow with rollouts. */
  private HttpServer server;

  private record Running(String context, Map<String, String> podLabels) {
  }

  /**
   * @param argv the server container's effective argv
   * @param local maps a path in the server's pod onto the node's disk
   */
  void start(Deployment d, List<String> argv, Function<String, Path> local) {
    Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
    start(d.getMetadata().getNamespace(), d.getMetadata().getName(), labels == null ? Map.of() : labels, argv, local);
  }

  /**
   * Starts (or restarts) the server named {@code name}: one per Deployment on the embedded stack,
   * one per pod on a real cluster's node agent.
   *
   * @param podLabels the server pod's labels, which a Service's selector matches
   */
  void start(String namespace, String name, Map<String, String> podLabels, List<String> argv,
      Function<String, Path> local) {
    String key = key(namespace, name);
    stop(namespace, name);
    String joined = String.join(" ", argv);
    String backend = joined.contains("tritonserver") ? "triton"
        : joined.contains("trtllm-serve") ? "trtllm-serve" : "vllm";
    Path repository = argv.stream().filter(a -> a.startsWith(REPOSITORY_FLAG)).findFirst()
        .map(a -> local.apply(a.substring(REPOSITORY_FLAG.length()))).orElse(null);
    String context = "/" + key;
    server().createContext(context, ex -> handle(ex, ex.getRequestURI().getPath().substring(context.length()),
        backend, repository));
    servers.put(key, new Running(context, Map.copyOf(podLabels)));
  }

  private synchronized HttpServer server() {
    if (server == null) {
      try {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the simulated model server", e);
      }
      server.setExecutor(handlers);
      server.start();
    }
    return server;
  }

  void stop(String namespace, String name) {
    Running r = servers.remove(key(namespace, name));
    if (r != null) {
      server().removeContext(r.context());
    }
  }

  Optional<String> url(Deployment d) {
    return url(d.getMetadata().getNamespace(), d.getMetadata().getName());
  }

  /** The base URL of the server named {@code name}, while it runs. */
  Optional<String> url(String namespace, String name) {
    return Optional.ofNullable(servers.get(key(namespace, name))).map(this::url);
  }

  /** The URL of the simulated server behind a Service (by its selector), as a cluster DNS name would be. */
  public Optional<String> url(Service service) {
    Map<String, String> selector = service.getSpec().getSelector();
    String prefix = service.getMetadata().getNamespace() + "/";
    return servers.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .filter(e -> selector != null && e.getValue().podLabels().entrySet().containsAll(selector.entrySet()))
        .map(e -> url(e.getValue()))
        .findFirst();
  }

  private String url(Running r) {
    return "http://127.0.0.1:" + server().getAddress().getPort() + r.context();
  }

  private static String key(String ns, String name) {
    return ns + "/" + name;
  }

  private void handle(HttpExchange ex, String path, String backend, Path repository) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    switch (path) {
      case "/v2/health/ready", "/health", "/v2/health/live" -> send(ex, 200, "text/plain", "");
      case "/v2/models/tensorrt_llm/config" -> servedConfig(ex, repository);
      case "/v2/models/ensemble/generate", "/v2/models/tensorrt_llm_bls/generate" -> {
        JsonNode req = parse(body);
        boolean lora = req.has("lora_task_id");
        send(ex, 200, "application/json", JSON.createObjectNode().put("model_name", "ensemble")
            .put("model_version", "1").put("text_output", text(backend, lora))
            .put("simulated", true).toString());
      }
      case "/v2/models/ensemble/generate_stream" -> {
        boolean lora = parse(body).has("lora_task_id");
        StringBuilder sse = new StringBuilder();
        for (String piece : text(backend, lora).split("(?<= )")) {
          sse.append("data: ").append(JSON.createObjectNode().put("text_output", piece)).append("\n\n");
        }
        send(ex, 200, "text/event-stream", sse.toString());
      }
      case "/v1/models" -> send(ex, 200, "application/json",
          "{\"object\":\"list\",\"data\":[{\"id\":\"model\",\"object\":\"model\"}]}");
      case "/v1/completions", "/v1/chat/completions" -> {
        JsonNode req = parse(body);
        String model = req.path("model").asText("model");
        boolean chat = path.endsWith("chat/completions");
        ObjectNode choice = JSON.createObjectNode().put("index", 0).put("finish_reason", "stop");
        String text = text(backend, !model.equals("model") && !model.isEmpty() && !model.contains("/"));
        if (chat) {
          choice.putObject("message").put("role", "assistant").put("content", text);
        } else {
          choice.put("text", text);
        }
        ObjectNode resp = JSON.createObjectNode().put("id", "cmpl-simulated")
            .put("object", chat ? "chat.completion" : "text_completion").put("model", model)
            // What a smoke test reads to say so in the rollout's result; no real server sends it.
            .put("simulated", true);
        resp.putArray("choices").add(choice);
        send(ex, 200, "application/json", resp.toString());
      }
      default -> send(ex, 404, "application/json", "{\"error\":\"not found: " + path + "\"}");
    }
  }

  /**
   * The tensorrt_llm model's config as Triton serves it: max_batch_size from the repository's
   * config.pbtxt, as the triton-repo stage wrote it.
   */
  private static void servedConfig(HttpExchange ex, Path repository) throws IOException {
    Path config = repository == null ? null : repository.resolve("tensorrt_llm").resolve("config.pbtxt");
    if (config == null || !Files.isRegularFile(config)) {
      send(ex, 400, "application/json", JSON.createObjectNode().put("error",
          "Request for unknown model: 'tensorrt_llm' is not found (no " + (config == null
              ? "--model-repository" : "tensorrt_llm/config.pbtxt") + ")").toString());
      return;
    }
    Matcher m = MAX_BATCH.matcher(Files.readString(config));
    ObjectNode reply = JSON.createObjectNode().put("name", "tensorrt_llm").put("backend", "tensorrtllm");
    if (m.find()) {
      reply.put("max_batch_size", Integer.parseInt(m.group(1)));
    }
    send(ex, 200, "application/json", reply.put("simulated", true).toString());
  }

  private static String text(String backend, boolean lora) {
    return "[simulated " + backend + (lora ? " + LoRA adapter" : ", base model")
        + "] 恥の多い生涯を送って来ました。";
  }

  private static JsonNode parse(String body) {
    try {
      return body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  private static void send(HttpExchange ex, int code, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
    ex.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    servers.clear();
    synchronized (this) {
      if (server != null) {
        server.stop(0);
      }
    }
    handlers.shutdownNow();
  }
}
