package fineflow.workflows.pipeline;

import fineflow.workflows.gate.GateVerdict;

/**
 * Where the run stands with its promotion gate.
 *
 * @param gated the spec sets SLO bounds, so the run (not the rollout) promotes the candidate
 * @param verdict the last evaluation against the benchmark, null before the benchmark ended
 * @param accepted the user accepted a candidate that missed its SLOs ({@code resume --accept})
 * @param revision the promoted revision, null until promoted
 * @param stableService the Service that serves it, null until promoted
 */
public record GateStatus(
    boolean gated, GateVerdict verdict, boolean accepted, String revision, String stableService) {

  static final GateStatus NONE = new GateStatus(false, null, false, null, null);

  public boolean promoted() {
    return stableService != null;
  }

  GateStatus evaluated(GateVerdict to) {
    return new GateStatus(true, to, accepted, revision, stableService);
  }

  GateStatus accepting() {
    return new GateStatus(true, verdict, true, revision, stableService);
  }

  GateStatus promotedTo(String rev, String service) {
    return new GateStatus(true, verdict, accepted, rev, service);
  }
}
