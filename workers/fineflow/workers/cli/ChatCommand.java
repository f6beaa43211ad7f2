package fineflow.workers.cli;

import fineflow.activities.chat.ChatApi;
import fineflow.activities.chat.ChatClient;
import fineflow.workers.client.ServedModel;
import fineflow.workflows.format.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fineflow chat RUN|URL}: talk to a deployed model, streaming, with or without the
 * adapter. For a run id, the server's URL, API, model and adapter come from the run's rollout
 * stage result.
 */
@Command(
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:the chat ended",
        "2:no such run, no rollout in it, or bad options",
        "6:cannot reach the model server or Temporal"},
    name = "chat",
    header = "Chat with a deployed model (streaming).",
    mixinStandardHelpOptions = true,
    description = {
        "Chat with a deployed model. Replies stream as they are generated; multi-byte characters",
        "(Japanese, emoji) are decoded across network chunks, never split.",
        "Type a message and Enter; an empty line or EOF (Ctrl-D) ends the chat.",
        "RUN is a run id: the server its rollout stage deployed (and smoke-tested) is used. On a",
        "real cluster that is the Service's cluster DNS name, reachable from inside the cluster",
        "only; from outside, `kubectl port-forward svc/NAME 8000` and pass http://localhost:8000."})
public final class ChatCommand implements Callable<Integer> {

  @Parameters(paramLabel = "RUN|URL",
      description = "A run id, or the server's base URL, e.g. http://localhost:8000.")
  String target;

  @Mixin
  TemporalOptions temporal = new TemporalOptions();

  /** The server's base URL: {@link #target}, or the one the run's rollout recorded. */
  private String baseUrl;

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

  @Option(names = "--lora-task-id",
      description = "Triton: lora_task_id of the adapter. Default: the run's, or 0 with a URL.")
  Long loraTaskId;

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
    Long taskId = loraTaskId;
    if (target.startsWith("http://") || target.startsWith("https://")) {
      baseUrl = target;
      taskId = taskId != null ? taskId : 0L;
    } else {
      if (!RunLookup.isRunId(target)) {
        err.println("fineflow chat: '" + target + "' is neither a URL nor a run id");
        return ExitCode.BAD_INPUT;
      }
      ServedModel served;
      try {
        served = ServedModel.of(new RunLookup(temporal).progress(target));
      } catch (RunLookup.Failed e) {
        err.println("fineflow chat: " + e.getMessage());
        return e.exitCode;
      } catch (IllegalArgumentException e) {
        err.println("fineflow chat: " + e.getMessage());
        return ExitCode.BAD_INPUT;
      }
      String unreachable = unresolvable(served.url());
      if (unreachable != null) {
        err.println("fineflow chat: run " + target + " serves at " + served.url() + ", but "
            + unreachable + " does not resolve here (a cluster DNS name works only inside the"
            + " cluster). Forward the Service and pass its local URL, e.g. `kubectl port-forward"
            + " svc/" + unreachable.split("\\.")[0] + " 8000` then `fineflow chat"
            + " http://localhost:8000`.");
        return ExitCode.UNREACHABLE;
      }
      baseUrl = served.url();
      api = api.equals("auto") ? (served.triton() ? "triton" : "openai") : api;
      model = model != null ? model : served.servedModel();
      adapter = adapter != null ? adapter : served.adapterName();
      loraPath = loraPath != null ? loraPath : served.adapterPath();
      taskId = taskId != null ? taskId : served.loraTaskId();
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
    ChatClient client = new ChatClient(http, baseUrl, chatApi, m,
        noLora || chatApi == ChatApi.TRITON ? null : adapter,
        noLora || chatApi == ChatApi.TRITON ? null : loraPath,
        noLora || chatApi == ChatApi.OPENAI ? null : taskId, maxTokens, system);
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
        + " at " + baseUrl);
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

  /**
   * The Llama-2 chat template of dataset-prep (docs/stages.md); Triton's generate endpoint takes
   * the prompt verbatim.
   */
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
      throw new java.io.UncheckedIOException("cannot reach " + baseUrl + ": " + e.getMessage(), e);
    }
  }

  private String firstModel(OkHttpClient http) throws java.io.IOException {
    try (Response r = http.newCall(new Request.Builder().url(base() + "/v1/models").get().build()).execute()) {
      var models = Json.mapper().readTree(r.body().string()).path("data");
      if (!r.isSuccessful() || models.isEmpty()) {
        throw new IllegalStateException("GET /v1/models lists no model; pass --model");
      }
      return models.get(0).path("id").asText();
    }
  }

  private String base() {
    return baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
  }

  /** The URL's host when it does not resolve on this machine, else null. */
  private static String unresolvable(String url) {
    String host = URI.create(url).getHost();
    if (host == null) {
      return null;
    }
    try {
      InetAddress.getByName(host);
      return null;
    } catch (UnknownHostException e) {
      return host;
    }
  }
}
