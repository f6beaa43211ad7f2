package fineflow.workflows.contract;

/** @param stableService the Service that now selects {@code revision} */
public record PromoteResult(String stableService, String revision) {
}
