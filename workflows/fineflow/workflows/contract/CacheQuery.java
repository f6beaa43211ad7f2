package fineflow.workflows.contract;

import fineflow.workflows.plan.StageName;

public record CacheQuery(String namespace, StageName stage, String cacheKey) {
}
