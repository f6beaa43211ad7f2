package fineflow.workers.cli;

import fineflow.activities.chat.ChatApi;
import fineflow.activities.chat.ChatClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fineflow chat URL}: talk to a deployed model, streaming, with or without the adapter. */
@Command(
    name = "chat",
    mixinStandardHelpOptions = true,
    description = {
        "Chat with a deployed model. Replies stream as they are generated; multi-byte characters",
        "(Japanese, emoji) are decoded across network chunks, never split.",
        "Type a message and Enter; an empty line or EOF (Ctrl-D) ends the chat."})
public final class ChatCommand implements Callable<Integer> {

  @Parameters(paramLabel = "RUN|URL", description = "The server's base URL, e.g. http://localhost:8000.")
  String target;

  @Option(names = "--api", defaultValue = "auto",
      description = "triton, openai or auto (openai when GET /v1/models answers). Default: ${DEFAULT-VALUE}.")
  String api;

  @Option(names = "--model", description = "Triton: the model (default ensemble); OpenAI: the base model id (default: the first of /v1/models).")
  String model;

  @Option(names = "--adapter", description = "OpenAI-style servers: the LoRA adapter's model name.")
  String adapter;

  @Option(names = "--lora-path",
      description = "trtllm-serve: the adapter's directory on the server (sent as lora_request with --adapter).")
  String loraPath;

  @Option(names = "--lora-task-id", defaultValue = "0",
      description = "Triton: lora_task_id of the adapter. Default: ${DEFAULT-VALUE}.")
  long loraTaskId;

  @Option(names = "--no-lora", description = "Talk to the base model, to compare with the fine-tuned one.")
  boolean noLora;

  @Option(names = "--max-tokens", defaultValue = "256", description = "Default: ${DEFAULT-VALUE}.")
  int maxTokens;

  @Option(names = "--system", description = "System prompt.")
  String system;

  @Option(names = "--template", defaultValue = "none",
      description = "Triton only: wrap prompts in a chat template, llama2 or none. Default: ${DEFAULT-VALUE}.")
  String template;

  @Option(names = "--prompt", description = "Send one message, print the reply and exit.")
  String prompt;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (!target.startsWith("http://") && !target.startsWith("https://")) {
      err.println("fineflow chat: '" + target + "' is not a URL. Finding a run's server by run id needs"
          + " a Temporal connection, which this build of the chat command does not have; pass the"
          + " server URL (e.g. after kubectl port-forward svc/NAME 8000).");
      return ExitCode.BAD_INPUT;
    }
    if (!template.equals("none") && !template.equals("llama2")) {
      err.println("fineflow chat: --template must be llama2 or none, got '" + template + "'");
      return ExitCode.BAD_INPUT;
    }
    OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofMinutes(5)).build();
    ChatApi chatApi = switch (api) {
      case "triton" -> ChatApi.TRITON;
      case "openai" -> ChatApi.OPENAI;
      case "auto" -> detect(http);
      default -> null;
    };
    if (chatApi == null) {
      err.println("fineflow chat: --api must be triton, openai or auto, got '" + api + "'");
      return ExitCode.BAD_INPUT;
    }
    String m = model != null ? model : chatApi == ChatApi.TRITON ? "ensemble" : firstModel(http);
    ChatClient client = new ChatClient(http, target, chatApi, m,
        noLora || chatApi == ChatApi.TRITON ? null : adapter,
        noLora || chatApi == ChatApi.TRITON ? null : loraPath,
        noLora || chatApi == ChatApi.OPENAI ? null : loraTaskId, maxTokens, system);
    PrintWriter out = spec.commandLine().getOut();
    ChatClient.History history = new ChatClient.History();
    if (prompt != null) {
      client.send(wrap(prompt), history, text -> { out.print(text); out.flush(); });
      out.println();
      out.flush();
      return ExitCode.OK;
    }
    out.println("chatting with " + m + (client.adapter() != null ? " + adapter " + client.adapter()
        : client.loraTaskId() != null ? " + LoRA task " + client.loraTaskId() : " (base model)")
        + " at " + target);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    while (true) {
      out.print("> ");
      out.flush();
      String line = in.readLine();
      if (line == null || line.isBlank()) {
        return ExitCode.OK;
      }
      client.send(wrap(line), history, text -> { out.print(text); out.flush(); });
      out.println();
    }
  }

  /** The seed's Llama-2 chat template; Triton's generate endpoint takes the prompt verbatim. */
  private String wrap(String text) {
    if (!template.equals("llama2")) {
      return text;
    }
    String sys = system == null ? "" : "<<SYS>>\n" + system + "\n<</SYS>>\n\n";
    return "<s>[INST] " + sys + text + " [/INST]";
  }

  private ChatApi detect(OkHttpClient http) {
    try (Response r = http.newCall(new Request.Builder().url(base() + "/v1/models").get().build()).execute()) {
      return r.isSuccessful() ? ChatApi.OPENAI : ChatApi.TRITON;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot reach " + target + ": " + e.getMessage(), e);
    }
  }

  private String firstModel(OkHttpClient http) throws java.io.IOException {
    try (Response r = http.newCall(new Request.Builder().url(base() + "/v1/models").get().build()).execute()) {
      var models = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body().string()).path("data");
      if (!r.isSuccessful() || models.isEmpty()) {
        throw new IllegalStateException("GET /v1/models lists no model; pass --model");
      }
      return models.get(0).path("id").asText();
    }
  }

  private String base() {
    return target.endsWith("/") ? target.substring(0, target.length() - 1) : target;
  }
}
