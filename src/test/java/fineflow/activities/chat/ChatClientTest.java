package fineflow.activities.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ChatClientTest {

  MockWebServer server;

  @BeforeEach
  void start() throws Exception {
    server = new MockWebServer();
    server.start();
  }

  @AfterEach
  void stop() throws Exception {
    server.shutdown();
  }

  /** An SSE body sent a few bytes at a time, so chunks end inside three-byte characters. */
  static MockResponse stream(String... events) {
    StringBuilder body = new StringBuilder();
    for (String e : events) {
      body.append("data: ").append(e).append("\n\n");
    }
    return raw(body.toString(), 4);
  }

  /** {@code body} as sent, in chunks of {@code chunk} bytes, each flushed on its own. */
  static MockResponse raw(String body, int chunk) {
    return new MockResponse().setHeader("Content-Type", "text/event-stream")
        .setChunkedBody(new Buffer().writeUtf8(body), chunk).throttleBody(chunk, 1, TimeUnit.MILLISECONDS);
  }

  ChatClient triton() {
    return new ChatClient(new OkHttpClient(), server.url("/").toString(), ChatApi.TRITON,
        "ensemble", null, null, 0L, 64, null);
  }

  @Test
  void everyChunkSizeGivesTheSameTextWithNoReplacementCharacter() {
    String text = "恥の多い生涯を送って来ました。😊 ok";
    for (int chunk = 1; chunk <= 9; chunk++) {
      server.enqueue(raw("data: {\"text_output\":\"" + text + "\"}\n\n", chunk));
      List<String> pieces = new ArrayList<>();

      assertThat(triton().send("x", null, pieces::add)).as("chunk %d", chunk).isEqualTo(text);
      assertThat(pieces).as("chunk %d", chunk).containsExactly(text);
    }
  }

  /**
   * LF and CR LF line ends (what Triton and vLLM's servers send). okhttp-sse does not take a bare
   * CR as a line end, which the SSE spec allows but no server we talk to sends.
   */
  @Test
  void eventsSplitWhateverTheLineEndsCommentsAndMultiLineData() {
    String body = ": keep-alive\r\ndata: {\"text_output\":\"a\"}\r\n\r\n"
        + "data: {\"text_output\":\ndata: \"b\"}\nid: 7\n\n"
        + "event: x\r\ndata:{\"text_output\":\"c\"}\r\n\r\n";
    for (int chunk = 1; chunk <= body.length(); chunk += 5) {
      server.enqueue(raw(body, chunk));
      List<String> pieces = new ArrayList<>();

      assertThat(triton().send("x", null, pieces::add)).as("chunk %d", chunk).isEqualTo("abc");
      assertThat(pieces).containsExactly("a", "b", "c");
    }
  }

  @Test
  void anEventThatIsNotJsonIsReportedWithItsText() {
    server.enqueue(stream("{\"text_output\":\"a\"}", "not json"));

    assertThatThrownBy(() -> triton().send("x", null, t -> { }))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("not JSON: not json");
  }

  @Test
  void aServerThatDoesNotStreamEventsIsNamed() {
    server.enqueue(new MockResponse().setHeader("Content-Type", "application/json").setBody("{}"));

    assertThatThrownBy(() -> triton().send("x", null, t -> { }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot stream from " + server.url("/v2/models/ensemble/generate_stream"))
        .hasMessageContaining("application/json");
  }

  @Test
  void tritonStreamOfJapaneseTextIsNeverSplitMidCharacter() throws Exception {
    server.enqueue(stream(
        "{\"model_name\":\"ensemble\",\"text_output\":\"恥の多い\"}",
        "{\"model_name\":\"ensemble\",\"text_output\":\"生涯を送って\"}",
        "{\"model_name\":\"ensemble\",\"text_output\":\"来ました。\"}"));
    ChatClient client = new ChatClient(new OkHttpClient(), server.url("/").toString(), ChatApi.TRITON,
        "ensemble", null, null, 0L, 64, null);
    List<String> pieces = new ArrayList<>();

    String reply = client.send("自己紹介してください", null, pieces::add);

    assertThat(reply).isEqualTo("恥の多い生涯を送って来ました。");
    assertThat(pieces).containsExactly("恥の多い", "生涯を送って", "来ました。");
    RecordedRequest request = server.takeRequest();
    assertThat(request.getPath()).isEqualTo("/v2/models/ensemble/generate_stream");
    JsonNode body = new ObjectMapper().readTree(request.getBody().readUtf8());
    assertThat(body.get("text_input").asText()).isEqualTo("自己紹介してください");
    assertThat(body.get("lora_task_id").asLong()).isZero();
    assertThat(body.get("stream").asBoolean()).isTrue();
    assertThat(body.get("bad_words").asText()).isEmpty();
  }

  @Test
  void openAiChatStreamKeepsTheConversation() throws Exception {
    server.enqueue(stream("{\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}",
        "{\"choices\":[{\"delta\":{\"content\":\"太宰\"}}]}", "{\"choices\":[{\"delta\":{\"content\":\"です。\"}}]}",
        "[DONE]"));
    server.enqueue(stream("{\"choices\":[{\"delta\":{\"content\":\"はい\"}}]}", "[DONE]"));
    ChatClient client = new ChatClient(new OkHttpClient(), server.url("/").toString(), ChatApi.OPENAI,
        "elyza/ELYZA-japanese-Llama-2-7b-instruct", "dazai", null, null, 64, "あなたは太宰治です。");
    ChatClient.History history = new ChatClient.History();

    assertThat(client.send("あなたは誰?", history, t -> { })).isEqualTo("太宰です。");
    assertThat(client.send("本当?", history, t -> { })).isEqualTo("はい");

    server.takeRequest();
    JsonNode second = new ObjectMapper().readTree(server.takeRequest().getBody().readUtf8());
    assertThat(second.get("model").asText()).isEqualTo("dazai");
    assertThat(second.get("messages")).extracting(m -> m.get("role").asText() + ":" + m.get("content").asText())
        .containsExactly("system:あなたは太宰治です。", "user:あなたは誰?", "assistant:太宰です。", "user:本当?");
  }

  @Test
  void trtllmServeAdapterGoesInLoraRequest() throws Exception {
    server.enqueue(stream("{\"choices\":[{\"delta\":{\"content\":\"はい\"}}]}", "[DONE]"));
    ChatClient client = new ChatClient(new OkHttpClient(), server.url("/").toString(), ChatApi.OPENAI,
        "openai/gpt-oss-20b", "adapter", "/workspace/cache/train-ddd/adapter", null, 64, null);

    client.send("こんにちは", null, t -> { });

    JsonNode body = new ObjectMapper().readTree(server.takeRequest().getBody().readUtf8());
    assertThat(body.get("model").asText()).isEqualTo("openai/gpt-oss-20b");
    assertThat(body.get("lora_request").get("lora_path").asText()).isEqualTo("/workspace/cache/train-ddd/adapter");
  }
}
