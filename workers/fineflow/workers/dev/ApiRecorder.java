package fineflow.workers.dev;

import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.workflows.format.Json;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client-side view of one Kubernetes client's requests on the real cluster, where the API
 * server's own timestamps have 1 s granularity: counts requests by "VERB resource" and records
 * when a stage's Job or Deployment POST leaves the client into a {@link StageTimeline} (by the
 * same labels {@link EmbeddedKubernetes} reads on the mock server).
 */
public final class ApiRecorder implements Interceptor {
  private static final Pattern RESOURCE_PATH =
      Pattern.compile("^/(?:api/v1|apis/[^/]+/[^/]+)(?:/namespaces/[^/]+)?/([a-z]+)(/[^/?]+)?(/status|/log)?");
  private static final Pattern CREATE_PATH =
      Pattern.compile("^/apis/(?:batch/v1|apps/v1)/namespaces/[^/]+/(jobs|deployments)/?$");
  private static final ObjectMapper JSON = Json.mapper();

  private final StageTimeline timeline;
  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();

  public ApiRecorder(StageTimeline timeline) {
    this.timeline = timeline;
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    String path = request.uri().getRawPath();
    Matcher m = RESOURCE_PATH.matcher(path);
    String resource = m.find() ? m.group(1) + (m.group(3) == null ? "" : m.group(3)) : path;
    // A watch is one long request, not a poll: counted apart so a list-all poll would show.
    boolean watch = request.uri().getRawQuery() != null && request.uri().getRawQuery().contains("watch=true");
    requests.computeIfAbsent(request.method() + " " + resource + (watch ? " (watch)" : ""), k -> new LongAdder())
        .increment();
    if ("POST".equals(request.method()) && CREATE_PATH.matcher(path).matches()) {
      recordCreate(request.bodyString());
    }
  }

  private void recordCreate(String body) {
    if (body == null) {
      return;
    }
    try {
      timeline.created(JSON.readTree(body).path("metadata").path("labels"));
    } catch (IOException e) {
      // Not JSON: the API server answers it with its own error; nothing to time.
    }
  }

  /** Requests so far, by "VERB resource". */
  public Map<String, Long> requestCounts() {
    Map<String, Long> out = new HashMap<>();
    requests.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
