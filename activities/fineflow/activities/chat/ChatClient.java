package fineflow.activities.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fineflow.workflows.format.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;

/**
 * Talks to a deployed model with streaming: each server-sent event's text is handed over as it
 * arrives. Keeps the conversation for OpenAI-style servers; Triton prompts are sent as given.
 *
 * @param adapter OpenAI: the adapter's name (vLLM serves it as a model); null = the base model
 * @param adapterPath trtllm-serve: the adapter's directory on the server, sent as
 *     {@code lora_request} with the base model's name; null for vLLM
 * @param loraTaskId Triton: the adapter's task id; null = the base model
 */
public record ChatClient(
    OkHttpClient http, String baseUrl, ChatApi api, String model, String adapter, String adapterPath,
    Long loraTaskId, int maxTokens, String system) {

  private static final MediaType JSON_TYPE = MediaType.get("application/json");
  private static final ObjectMapper JSON = Json.mapper();

  /** The conversation so far (OpenAI chat); Triton's generate endpoint is stateless. */
  public static final class History {
    private final List<String[]> turns = new ArrayList<>();

    void add(String role, String content) {
      turns.add(new String[] {role, content});
    }
  }

  /** Sends one user message and streams the reply into {@code onText}; returns the whole reply. */
  public String send(String prompt, History history, Consumer<String> onText) {
    StringBuilder reply = new StringBuilder();
    Request request = new Request.Builder().url(url())
        .header("Accept", "text/event-stream")
        .post(RequestBody.create(body(prompt, history).toString(), JSON_TYPE)).build();
    StreamedReply listener = new StreamedReply(data -> {
      String text = text(data);
      if (!text.isEmpty()) {
        reply.append(text);
        onText.accept(text);
      }
    });
    // okhttp-sse splits the events and decodes UTF-8 over whole lines, so a character split
    // across network chunks stays whole.
    try (Response response = http.newCall(request).execute()) {
      if (!response.isSuccessful()) {
        throw new IllegalStateException(request.url() + " answered HTTP " + response.code() + ": "
            + response.body().string());
      }
      EventSources.processResponse(response, listener);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stream from " + request.url() + ": " + e.getMessage(), e);
    }
    listener.rethrow(request.url().toString());
    if (history != null) {
      history.add("user", prompt);
      history.add("assistant", reply.toString());
    }
    return reply.toString();
  }

  /**
   * Hands each event's data on; keeps the first failure, ours (an event we cannot read) or the
   * stream's, to throw on the caller's thread.
   */
  private static final class StreamedReply extends EventSourceListener {
    private final Consumer<String> onData;
    private RuntimeException rejected;
    private String streamFailure;

    StreamedReply(Consumer<String> onData) {
      this.onData = onData;
    }

    @Override
    public void onEvent(EventSource source, String id, String type, String data) {
      if (rejected != null) {
        return;
      }
      try {
        onData.accept(data);
      } catch (RuntimeException e) {
        rejected = e;
        source.cancel();
      }
    }

    @Override
    public void onFailure(EventSource source, Throwable t, Response response) {
      if (rejected == null && streamFailure == null) {
        streamFailure = t != null ? String.valueOf(t.getMessage())
            : "HTTP " + response.code() + " with Content-Type " + response.header("Content-Type")
                + " (expected text/event-stream)";
      }
    }

    void rethrow(String url) {
      if (rejected != null) {
        throw rejected;
      }
      if (streamFailure != null) {
        throw new IllegalStateException("cannot stream from " + url + ": " + streamFailure);
      }
    }
  }

  private String url() {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return api == ChatApi.TRITON ? base + "/v2/models/" + model + "/generate_stream"
        : base + "/v1/chat/completions";
  }

  private ObjectNode body(String prompt, History history) {
    if (api == ChatApi.TRITON) {
      ObjectNode b = JSON.createObjectNode().put("text_input", prompt).put("max_tokens", maxTokens)
          .put("bad_words", "").put("stop_words", "").put("stream", true)
          .put("exclude_input_in_output", true);
      if (loraTaskId != null) {
        b.put("lora_task_id", loraTaskId);
      }
      return b;
    }
    boolean byRequest = adapter != null && adapterPath != null;
    ObjectNode b = JSON.createObjectNode().put("model", adapter != null && !byRequest ? adapter : model)
        .put("max_tokens", maxTokens).put("stream", true);
    if (byRequest) {
      b.putObject("lora_request").put("lora_name", adapter).put("lora_int_id", 0).put("lora_path", adapterPath);
    }
    ArrayNode messages = b.putArray("messages");
    if (system != null) {
      messages.addObject().put("role", "system").put("content", system);
    }
    if (history != null) {
      history.turns.forEach(t -> messages.addObject().put("role", t[0]).put("content", t[1]));
    }
    messages.addObject().put("role", "user").put("content", prompt);
    return b;
  }

  /** The text of one event: Triton's {@code text_output}, OpenAI's {@code choices[0].delta.content}. */
  private String text(String data) {
    if (data.equals("[DONE]")) {
      return "";
    }
    JsonNode event;
    try {
      event = JSON.readTree(data);
    } catch (IOException e) {
      throw new IllegalStateException("the server sent an event that is not JSON: " + data, e);
    }
    if (event.has("error")) {
      throw new IllegalStateException("the server reported an error: " + event.get("error"));
    }
    return api == ChatApi.TRITON ? event.path("text_output").asText("")
        : event.path("choices").path(0).path("delta").path("content").asText("");
  }
}
