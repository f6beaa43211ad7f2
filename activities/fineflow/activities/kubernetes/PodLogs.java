package fineflow.activities.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.workflows.format.Json;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Reads a stage pod's log: the tail that travels with failures, progress lines, and follow. */
public final class PodLogs {
  /** Lines of log attached to every stage failure. */
  public static final int FAILURE_TAIL_LINES = 50;

  /**
   * Parses what might be a list object instead of log text: an API server that cannot serve
   * logs (Fabric8's mock server in CRUD mode) answers with the namespace's PodList and status 200.
   * Never shown as a log.
   */
  private static final ObjectMapper JSON = Json.mapper();

  private final KubernetesClient client;

  public PodLogs(KubernetesClient client) {
    this.client = client;
  }

  /**
   * The last {@code lines} lines of a container's log.
   *
   * @param container named, so that the client does not read the pod to find its default one
   * @throws LogUnavailableException when there is no log to read
   * @throws KubernetesClientException when the server refuses the request (401, 403)
   */
  public List<String> tail(String namespace, String podName, String container, int lines) {
    String text;
    try {
      // One GET of the log subresource: the pod DSL's getLog() first lists the pod to wait for
      // readiness, which callers (that read logs of containers that ran) do not need.
      text = client.raw(logUrl(namespace, podName, container, lines));
    } catch (KubernetesClientException e) {
      if (e.getCode() == 401 || e.getCode() == 403) {
        // Not "no log": a missing pods/log permission must reach the caller's RBAC hint.
        throw e;
      }
      // 400 while the container is waiting to start, 404 once the pod is gone.
      throw new LogUnavailableException("no log for pod " + podName + ": " + e.getMessage(), e);
    }
    return lines(text, podName, lines);
  }

  /**
   * Prints a container's log from its last {@code tailLines} lines on, line by line, until the
   * container has ended. A stream that ends while the container still runs (an API server or
   * proxy timeout, a dropped connection, a server that answers a follow request with the log so
   * far) is opened again; lines already printed are skipped by count, since a container's log
   * only grows.
   *
   * @param pause waits between reconnects; the tests pass one that does not sleep
   * @throws LogUnavailableException when the server answers with a list object instead of a log
   */
  public void follow(String namespace, String podName, String container, int tailLines,
      Consumer<String> lineSink, Pause pause) throws IOException {
    List<String> sofar = lines(fullLog(namespace, podName, container), podName, Integer.MAX_VALUE);
    sofar.subList(Math.max(0, sofar.size() - tailLines), sofar.size()).forEach(lineSink);
    long printed = sofar.size();
    for (int attempt = 0; ; attempt++) {
      boolean ended = containerEnded(namespace, podName, container);
      printed = streamFrom(namespace, podName, container, printed, lineSink);
      if (ended || containerEnded(namespace, podName, container)) {
        // Lines written between the last stream's end and the container's exit.
        List<String> all = lines(fullLog(namespace, podName, container), podName, Integer.MAX_VALUE);
        all.subList((int) Math.min(printed, all.size()), all.size()).forEach(lineSink);
        return;
      }
      pause.sleep(Math.min(5_000, 250L << Math.min(attempt, 4)));
    }
  }

  /** Waits between follow reconnects. */
  @FunctionalInterface
  public interface Pause {
    Pause SLEEP = millis -> {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while following a log", e);
      }
    };

    void sleep(long millis);
  }

  /** Streams the whole log, printing from line {@code skip} on; returns the lines seen. */
  private long streamFrom(String namespace, String podName, String container, long skip,
      Consumer<String> lineSink) throws IOException {
    long seen = 0;
    try (LogWatch watch = client.pods().inNamespace(namespace).withName(podName)
        .inContainer(container).watchLog();
        BufferedReader reader = new BufferedReader(
            new InputStreamReader(watch.getOutput(), StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null; seen++) {
        if (seen == 0 && isListJson(line)) {
          throw notALog(podName);
        }
        if (seen >= skip) {
          lineSink.accept(line);
        }
      }
    } catch (KubernetesClientException | IOException e) {
      // A dropped stream: the caller reconnects while the container runs.
    }
    return Math.max(seen, skip);
  }

  /** True when the container has terminated, its pod has ended, or the pod is gone. */
  private boolean containerEnded(String namespace, String podName, String container) {
    Pod pod;
    try {
      pod = client.pods().inNamespace(namespace).withName(podName).get();
    } catch (KubernetesClientException e) {
      return false;
    }
    if (pod == null) {
      return true;
    }
    if (pod.getStatus() == null) {
      return false;
    }
    String phase = pod.getStatus().getPhase();
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      return true;
    }
    return pod.getStatus().getContainerStatuses() != null && pod.getStatus().getContainerStatuses().stream()
        .anyMatch(c -> container.equals(c.getName()) && c.getState() != null && c.getState().getTerminated() != null);
  }

  private String fullLog(String namespace, String podName, String container) {
    try {
      String base = client.getMasterUrl().toString().replaceAll("/+$", "");
      return client.raw(base + "/api/v1/namespaces/" + encode(namespace) + "/pods/" + encode(podName)
          + "/log?pretty=false&container=" + encode(container));
    } catch (KubernetesClientException e) {
      throw new LogUnavailableException("no log for pod " + podName + ": " + e.getMessage(), e);
    }
  }

  /** The pods of a run's stage, newest launch first (then newest pod). */
  public List<Pod> stagePods(String namespace, String runId, String stage) {
    String run = FineflowLabels.runValue(runId);
    List<Pod> pods = client.pods().inNamespace(namespace)
        .withLabel(FineflowLabels.RUN, run)
        .withLabel(FineflowLabels.STAGE, stage)
        .list().getItems();
    if (pods.isEmpty()) {
      pods = serverPods(namespace, run, stage);
    }
    return pods.stream().sorted(Comparator.comparingInt(PodLogs::launch)
        .thenComparing(p -> nullToEmpty(p.getMetadata().getCreationTimestamp()))
        .reversed()).toList();
  }

  /**
   * A model server's pods. Its Deployment is shared by every run of the same key, so the pod
   * template carries no run label (changing it would restart the server for each run): the run
   * is a user label on the Deployment, and the pods are the ones its selector matches.
   */
  private List<Pod> serverPods(String namespace, String run, String stage) {
    List<Pod> pods = new java.util.ArrayList<>();
    for (Deployment d : client.apps().deployments().inNamespace(namespace)
        .withLabel(FineflowLabels.userLabel(run)).withLabel(FineflowLabels.STAGE, stage).list().getItems()) {
      if (d.getSpec() != null && d.getSpec().getSelector() != null
          && d.getSpec().getSelector().getMatchLabels() != null) {
        pods.addAll(client.pods().inNamespace(namespace)
            .withLabels(d.getSpec().getSelector().getMatchLabels())
            .withLabel(FineflowLabels.STAGE, stage).list().getItems());
      }
    }
    return pods;
  }

  /** The last {@code {"event":"progress",...}} line of the tail, if any. */
  public Optional<String> lastProgress(List<String> tail) {
    for (int i = tail.size() - 1; i >= 0; i--) {
      String l = tail.get(i).strip();
      if (l.startsWith("{") && l.replace(" ", "").contains("\"event\":\"progress\"")) {
        return Optional.of(l);
      }
    }
    return Optional.empty();
  }

  /** The pod's log split in lines, the last {@code max} of them. */
  static List<String> lines(String text, String podName, int max) {
    if (text == null || text.isEmpty()) {
      return List.of();
    }
    if (isListJson(text)) {
      throw notALog(podName);
    }
    List<String> all = Arrays.asList(text.split("\r?\n", -1));
    if (!all.isEmpty() && all.get(all.size() - 1).isEmpty()) {
      all = all.subList(0, all.size() - 1);
    }
    return List.copyOf(all.subList(Math.max(0, all.size() - max), all.size()));
  }

  static boolean isListJson(String text) {
    String t = text.strip();
    if (!t.startsWith("{") || !t.endsWith("}")) {
      return false;
    }
    try {
      JsonNode node = JSON.readTree(t);
      return node.path("kind").asText("").endsWith("List") && node.has("items");
    } catch (JsonProcessingException e) {
      return false;
    }
  }

  /** The newest of the pods, by creation time (then name, for a stable answer). */
  static Optional<Pod> newest(List<Pod> pods) {
    return pods.stream().max(Comparator
        .comparing((Pod p) -> nullToEmpty(p.getMetadata().getCreationTimestamp()))
        .thenComparing(p -> p.getMetadata().getName()));
  }

  private static LogUnavailableException notALog(String podName) {
    return new LogUnavailableException("the API server answered the log request for pod "
        + podName + " with a list of objects, not a log (a server that serves no logs)");
  }

  private String logUrl(String namespace, String podName, String container, int lines) {
    String base = client.getMasterUrl().toString().replaceAll("/+$", "");
    return base + "/api/v1/namespaces/" + encode(namespace) + "/pods/" + encode(podName)
        + "/log?pretty=false&container=" + encode(container) + "&tailLines=" + lines;
  }

  private static int launch(Pod pod) {
    String v = pod.getMetadata().getLabels() == null ? null
        : pod.getMetadata().getLabels().get(FineflowLabels.LAUNCH);
    try {
      return v == null ? 0 : Integer.parseInt(v);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
