package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ChatCommandTest {

  @Test
  void oneShotPromptAgainstTheBaseModel() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(new MockResponse().setResponseCode(404));
      server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream")
          .setBody("data: {\"text_output\":\"こんにちは\"}\n\n"));
      CommandLine cl = Main.commandLine();
      StringWriter out = new StringWriter();
      cl.setOut(new PrintWriter(out));

      int code = cl.execute("chat", server.url("/").toString(), "--no-lora", "--template", "llama2",
          "--system", "あなたは太宰治です。", "--prompt", "こんにちは");

      assertThat(code).isEqualTo(ExitCode.OK);
      assertThat(out.toString()).contains("こんにちは");
      assertThat(server.takeRequest().getPath()).isEqualTo("/v1/models");
      JsonNode body = new ObjectMapper().readTree(server.takeRequest().getBody().readUtf8());
      assertThat(body.has("lora_task_id")).isFalse();
      assertThat(body.get("text_input").asText())
          .isEqualTo("<s>[INST] <<SYS>>\nあなたは太宰治です。\n<</SYS>>\n\nこんにちは [/INST]");
    }
  }

  @Test
  void neitherUrlNorRunIdIsBadInput() {
    CommandLine cl = Main.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));

    assertThat(cl.execute("chat", "Not_A/Run", "--temporal", "127.0.0.1:1")).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("is neither a URL nor a run id");
  }
}
