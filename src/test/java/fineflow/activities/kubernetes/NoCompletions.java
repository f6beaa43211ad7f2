package fineflow.activities.kubernetes;

import io.temporal.client.ActivityCompletionClient;
import java.lang.reflect.Proxy;

/** An activity completion client for a {@link StageWatcher} that no stage end reaches in a test. */
public final class NoCompletions {
  private NoCompletions() {
  }

  /** Every call does nothing (the watcher's tick and events complete nothing while it runs). */
  public static ActivityCompletionClient client() {
    return (ActivityCompletionClient) Proxy.newProxyInstance(ActivityCompletionClient.class.getClassLoader(),
        new Class<?>[] {ActivityCompletionClient.class}, (proxy, method, args) -> null);
  }
}
