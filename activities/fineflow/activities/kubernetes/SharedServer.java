package fineflow.activities.kubernetes;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A model server object (Deployment, Service, files ConfigMap) shared by the runs of one cache
 * key: each run is a user label on it, and the last user to leave deletes it.
 *
 * <p>Joining and leaving are JSON patches locked to the resourceVersion they were computed from
 * (Fabric8's {@code edit} sends it; the API server answers 409 when the object changed since),
 * so they are applied one after the other and each is re-read and retried on a conflict. The
 * last user's patch also sets {@link #RELEASED_BY}: from then on no run joins the object, so the
 * delete that follows cannot remove a server another run has just joined. A run that meets a
 * released object waits until it is gone and creates a new one.
 */
public final class SharedServer {
  /** Set by the last user's leaving patch: the object is being deleted and takes no new user. */
  public static final String RELEASED_BY = "fineflow.dev/released-by";
  static final int CONFLICT_TRIES = 8;

  private SharedServer() {
  }

  /** Thrown instead of joining an object its last user released: launch again once it is gone. */
  public static final class Releasing extends RuntimeException {
    public Releasing(HasMetadata item) {
      super(item.getKind() + " " + item.getMetadata().getName() + " is being deleted by its last user ("
          + releasedBy(item) + "); a new one is created once it is gone");
    }
  }

  /** True when the object's last user released it or its deletion has begun. */
  public static boolean released(HasMetadata item) {
    return item.getMetadata().getDeletionTimestamp() != null || releasedBy(item) != null;
  }

  private static String releasedBy(HasMetadata item) {
    Map<String, String> labels = item.getMetadata().getLabels();
    return labels == null ? null : labels.get(RELEASED_BY);
  }

  /** The user labels among {@code labels}: the runs that share a server. */
  public static Map<String, String> users(Map<String, String> labels) {
    Map<String, String> users = new LinkedHashMap<>();
    if (labels != null) {
      labels.forEach((k, v) -> {
        if (k.startsWith(FineflowLabels.USER_PREFIX)) {
          users.put(k, v);
        }
      });
    }
    return users;
  }

  /**
   * Makes {@code user} a user of the object, applying {@code change} to the object as read in
   * the same locked patch. Throws {@link Releasing} when its last user released it.
   */
  public static <T extends HasMetadata> T join(Resource<T> resource, String user, UnaryOperator<T> change) {
    for (int tries = 1; ; tries++) {
      try {
        return resource.edit(item -> {
          if (released(item)) {
            throw new Releasing(item);
          }
          T changed = change.apply(item);
          changed.getMetadata().getLabels().put(user, "true");
          return changed;
        });
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || tries >= CONFLICT_TRIES) {
          throw e;
        }
      }
    }
  }

  /**
   * {@code user} leaves the object; the last user deletes it unless {@code keep} holds for it
   * (the stable server stays serving). True when this call deleted it.
   *
   * @param runValue the leaving run, recorded in {@link #RELEASED_BY} by the last user
   */
  public static <T extends HasMetadata> boolean leave(Resource<T> resource, String user, String runValue,
      Predicate<T> keep) {
    T left = null;
    for (int tries = 1; left == null; tries++) {
      try {
        left = resource.edit(item -> {
          item.getMetadata().getLabels().remove(user);
          if (users(item.getMetadata().getLabels()).isEmpty() && !keep.test(item)) {
            item.getMetadata().getLabels().put(RELEASED_BY, runValue);
          }
          return item;
        });
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          return false;
        }
        if (e.getCode() != 409 || tries >= CONFLICT_TRIES) {
          throw e;
        }
      }
    }
    if (!runValue.equals(releasedBy(left))) {
      return false;
    }
    // Foreground: the Deployment's ReplicaSets and pods are gone before the Deployment is.
    resource.withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
    return true;
  }

  /**
   * Finishes a release whose delete did not happen (the worker died between the two calls):
   * an object marked released has no user, so deleting it again is always safe.
   */
  public static <T extends HasMetadata> void finishRelease(Resource<T> resource) {
    resource.withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
  }
}
