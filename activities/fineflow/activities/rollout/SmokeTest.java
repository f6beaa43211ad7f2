package fineflow.activities.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.workflows.format.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fineflow.workflows.plan.RolloutTarget;
import fineflow.workflows.spec.ServingBackend;
import java.io.IOException;
import java.time.Duration;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Proves a ready server really serves the model: one generation with the LoRA adapter and one
 * without (both non-empty), and for Triton the served {@code max_batch_size} equals the
 * engine's — the manual run's server silently stayed at the backend default of 4
 * (docs/manual-procedure.md "Pitfalls").
 */
public final class SmokeTest {

  static final int MAX_TOKENS = 32;
  private static final MediaType JSON_TYPE = MediaType.get("application/json");
  private static final ObjectMapper JSON = Json.mapper();

  private final OkHttpClient http;
  private final int attempts;
  private final Duration retryDelay;

  /**
   * @param attempts tries per request when the server cannot be reached: a Service's endpoints
   *     may lag a few seconds behind pod readiness, and that must not roll back a healthy server
   */
  public SmokeTest(OkHttpClient http, int attempts, Duration retryDelay) {
    this.http = http;
    this.attempts = Math.max(1, attempts);
    this.retryDelay = retryDelay;
  }

  public SmokeTest(OkHttpClient http) {
    this(http, 5, Duration.ofSeconds(2));
  }

  /**
   * @param maxBatchSize Triton: what the served config must say (the engine's); null = not checked
   */
  public SmokeReport run(String baseUrl, RolloutTarget target, Integer maxBatchSize) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    Generation adapter = null;
    long adapterMillis = 0;
    if (target.hasAdapter()) {
      long t0 = System.nanoTime();
      adapter = generate(base, target, true);
      adapterMillis = (System.nanoTime() - t0) / 1_000_000;
    }
    long t1 = System.nanoTime();
    Generation baseOutput = generate(base, target, false);
    long baseMillis = (System.nanoTime() - t1) / 1_000_000;
    Integer served = null;
    if (target.backend() == ServingBackend.TRITON) {
      served = servedMaxBatchSize(base);
      if (maxBatchSize != null && served != maxBatchSize.intValue()) {
        throw new SmokeTestException("Triton serves max_batch_size " + served + " but the engine was"
            + " built for " + maxBatchSize + " (GET /v2/models/tensorrt_llm/config): the"
            + " repository's tensorrt_llm/config.pbtxt must say max_batch_size: "
            + maxBatchSize + " (triton_max_batch_size:" + maxBatchSize + ")");
      }
    }
    return new SmokeReport(base, adapter == null ? null : adapter.text(), adapterMillis,
        baseOutput.text(), baseMillis, served,
        baseOutput.simulated() || adapter != null && adapter.simulated());
  }

  /**
   * One generation; {@code simulated} when the reply says so (the dev node's stand-in servers
   * mark their replies {@code "simulated": true}; no real server sends the key).
   */
  private record Generation(String text, boolean simulated) {
    static Generation of(String text, JsonNode reply) {
      return new Generation(text, reply.path("simulated").asBoolean(false));
    }
  }

  private Generation generate(String base, RolloutTarget target, boolean withAdapter) {
    String what = withAdapter ? "generation with the LoRA adapter" : "generation without the adapter";
    if (target.backend() == ServingBackend.TRITON) {
      ObjectNode body = JSON.createObjectNode()
          .put("text_input", target.smokePrompt())
          .put("max_tokens", MAX_TOKENS)
          .put("bad_words", "")
          .put("stop_words", "")
          // Without this text_output starts with the prompt and is never empty.
          .put("exclude_input_in_output", true);
      if (withAdapter) {
        body.put("lora_task_id", target.loraTaskId());
      }
      JsonNode reply = post(base + "/v2/models/" + target.servedModel() + "/generate", body, what);
      String text = reply.path("text_output").asText("");
      if (text.startsWith(target.smokePrompt())) {
        text = text.substring(target.smokePrompt().length());
      }
      return Generation.of(nonEmpty(text, what, reply), reply);
    }
    // vLLM serves an adapter as a model of its own; trtllm-serve takes it per request.
    boolean byRequest = target.backend() == ServingBackend.TRTLLM_SERVE;
    ObjectNode body = JSON.createObjectNode()
        .put("model", withAdapter && !byRequest ? target.adapterName() : target.servedModel())
        .put("prompt", target.smokePrompt())
        .put("max_tokens", MAX_TOKENS)
        .put("temperature", 0);
    if (withAdapter && byRequest) {
      body.putObject("lora_request").put("lora_name", target.adapterName()).put("lora_int_id", 0)
          .put("lora_path", target.adapterPath());
    }
    JsonNode reply = post(base + "/v1/completions", body, what);
    return Generation.of(nonEmpty(reply.path("choices").path(0).path("text").asText(""), what, reply), reply);
  }

  private static String nonEmpty(String text, String what, JsonNode reply) {
    if (text.isBlank()) {
      throw new SmokeTestException(what + " returned empty output: " + abbreviate(reply.toString()));
    }
    return text;
  }

  private int servedMaxBatchSize(String base) {
    JsonNode config = get(base + "/v2/models/tensorrt_llm/config", "reading the served config");
    JsonNode max = config.get("max_batch_size");
    if (max == null || !max.canConvertToInt()) {
      throw new SmokeTestException("served config of tensorrt_llm has no max_batch_size: "
          + abbreviate(config.toString()));
    }
    return max.asInt();
  }

  private JsonNode post(String url, JsonNode body, String what) {
    return call(new Request.Builder().url(url)
        .post(RequestBody.create(body.toString(), JSON_TYPE)).build(), what);
  }

  private JsonNode get(String url, String what) {
    return call(new Request.Builder().url(url).get().build(), what);
  }

  private JsonNode call(Request request, String what) {
    IOException last = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      try (Response response = http.newCall(request).execute()) {
        return read(request, response, what);
      } catch (IOException e) {
        last = e;
        pause(attempt);
      }
    }
    throw new SmokeTestException(what + ": cannot reach " + request.url() + " (" + attempts
        + " attempts): " + last.getMessage(), last);
  }

  private static JsonNode read(Request request, Response response, String what) throws IOException {
    String text = response.body().string();
    if (!response.isSuccessful()) {
      throw new SmokeTestException(what + ": " + request.method() + " " + request.url().encodedPath()
          + " answered HTTP " + response.code() + ": " + abbreviate(text));
    }
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (IOException e) {
      throw new SmokeTestException(what + ": " + request.url().encodedPath()
          + " did not answer JSON: " + abbreviate(text), e);
    }
    if (node == null || !node.isObject()) {
      throw new SmokeTestException(what + ": " + request.url().encodedPath()
          + " did not answer a JSON object: '" + abbreviate(text) + "'");
    }
    return node;
  }

  private void pause(int attempt) {
    if (attempt == attempts) {
      return;
    }
    try {
      Thread.sleep(retryDelay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SmokeTestException("interrupted while waiting to retry", e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "…";
  }
}
