package fineflow.workers.dev;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The log of every simulated container, appended to as the simulated kubelet runs it. */
public final class PodLogStore {
  private final Map<String, StringBuffer> logs = new ConcurrentHashMap<>();

  public void append(String namespace, String pod, String line) {
    logs.computeIfAbsent(namespace + "/" + pod, k -> new StringBuffer()).append(line).append('\n');
  }

  public Optional<String> text(String namespace, String pod) {
    return Optional.ofNullable(logs.get(namespace + "/" + pod)).map(StringBuffer::toString);
  }

  public void remove(String namespace, String pod) {
    logs.remove(namespace + "/" + pod);
  }
}
