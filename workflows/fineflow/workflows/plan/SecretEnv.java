package fineflow.workflows.plan;

/** An environment variable read from a Kubernetes Secret: only the names travel. */
public record SecretEnv(String name, String secretName, String key) {
}
