package fineflow.activities.rollout;

/**
 * What a passed smoke test saw.
 *
 * @param adapterOutput the generation with the LoRA adapter, null when no adapter is served
 * @param baseOutput the generation of the base model
 * @param servedMaxBatchSize Triton's served {@code max_batch_size}, null for other servers
 * @param simulated the server said its replies are simulated (the dev node's stand-in servers)
 */
public record SmokeReport(
    String baseUrl, String adapterOutput, long adapterMillis, String baseOutput, long baseMillis,
    Integer servedMaxBatchSize, boolean simulated) {
}
