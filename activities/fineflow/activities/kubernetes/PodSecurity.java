package fineflow.activities.kubernetes;

import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;

/**
 * The security contexts of every pod fineflow creates, stage Jobs and model servers alike: what
 * Pod Security "restricted" (enforced by k8s/namespace.yaml) admits. One non-root uid for all
 * of them, so files a stage writes on the workspace volume are readable by the next.
 */
public final class PodSecurity {
  /** The uid and gid stage and server containers run as (NVIDIA's images have a user 1000). */
  public static final long UID = 1000;

  private PodSecurity() {
  }

  public static PodSecurityContext pod() {
    return new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(UID)
        .withRunAsGroup(UID)
        .withFsGroup(UID)
        // Only when the volume root does not have the group yet: no recursive walk of the
        // workspace at every pod start.
        .withFsGroupChangePolicy("OnRootMismatch")
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .build();
  }

  /** @param readOnlyRoot for fineflow's own image, which writes only to its mounts */
  public static SecurityContext container(boolean readOnlyRoot) {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(readOnlyRoot)
        .withNewCapabilities().withDrop("ALL").endCapabilities()
        .build();
  }
}
