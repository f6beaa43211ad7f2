package fineflow.workers.dev;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The log of every container a node agent runs, by namespace, pod and container, each line with
 * the time it was written (what a kubelet's CRI log files hold, and what {@code timestamps=true}
 * and {@code sinceSeconds} read). A log ends when its container terminates, so that a follow
 * request ends too.
 */
final class ContainerLogs {
  private final Map<String, Log> logs = new ConcurrentHashMap<>();

  /** One line and when it was written. */
  record Line(Instant time, String text) {
  }

  /** The log of one container. */
  static final class Log {
    private final List<Line> lines = new ArrayList<>();
    private boolean ended;

    synchronized void append(String text) {
      lines.add(new Line(Instant.now(), text));
      notifyAll();
    }

    synchronized void end() {
      ended = true;
      notifyAll();
    }

    synchronized boolean ended() {
      return ended;
    }

    /** The lines from index {@code from} on. */
    synchronized List<Line> from(int from) {
      return List.copyOf(lines.subList(Math.min(from, lines.size()), lines.size()));
    }

    /** Waits until there is a line at index {@code from}, the log ended, or {@code max} passed. */
    synchronized void await(int from, Duration max) throws InterruptedException {
      long deadline = System.nanoTime() + max.toNanos();
      while (lines.size() <= from && !ended) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        wait(Math.max(1, left / 1_000_000));
      }
    }
  }

  /** The container's log, created empty on first use. */
  Log open(String namespace, String pod, String container) {
    return logs.computeIfAbsent(key(namespace, pod, container), k -> new Log());
  }

  Optional<Log> find(String namespace, String pod, String container) {
    return Optional.ofNullable(logs.get(key(namespace, pod, container)));
  }

  /** Forgets the logs of a pod that is gone (ending any follow of them). */
  void remove(String namespace, String pod) {
    String prefix = namespace + "/" + pod + "/";
    logs.entrySet().removeIf(e -> {
      if (e.getKey().startsWith(prefix)) {
        e.getValue().end();
        return true;
      }
      return false;
    });
  }

  private static String key(String namespace, String pod, String container) {
    return namespace + "/" + pod + "/" + container;
  }
}
