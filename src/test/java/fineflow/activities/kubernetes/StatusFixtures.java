package fineflow.activities.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Pod and Job objects as {@code kubectl get -o yaml} shows them, from test resources. */
final class StatusFixtures {
  private StatusFixtures() {
  }

  static Pod pod(String name) {
    return load("pod-" + name + ".yaml", Pod.class);
  }

  static Job job(String name) {
    return load("job-" + name + ".yaml", Job.class);
  }

  private static <T> T load(String file, Class<T> type) {
    try (InputStream in = StatusFixtures.class.getResourceAsStream("status/" + file)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + file);
      }
      return Serialization.unmarshal(in, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
