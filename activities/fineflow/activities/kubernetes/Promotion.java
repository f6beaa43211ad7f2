package fineflow.activities.kubernetes;

/**
 * What the executor of {@code DEPLOYMENT} stages does beyond launch and await: point the
 * stable Service at a candidate revision. An interface here, so the stage activities find it
 * through their executor map without depending on the rollout package.
 */
public interface Promotion {

  /** Idempotent; returns the stable Service's name. */
  String promote(String namespace, String runId, String revision);
}
