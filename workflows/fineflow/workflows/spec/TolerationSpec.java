package fineflow.workflows.spec;

/** A Kubernetes toleration, as in a pod spec. */
public record TolerationSpec(String key, String operator, String value, String effect) {
  public TolerationSpec {
    operator = operator == null ? "Exists" : operator;
  }
}
