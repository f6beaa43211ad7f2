package fineflow.workflows.contract;

public record CacheEntry(String namespace, String runId, String cacheKey, StageResult result) {
}
