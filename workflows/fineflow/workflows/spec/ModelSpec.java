package fineflow.workflows.spec;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The base model: where it comes from and the shape the memory estimate is computed from. */
public record ModelSpec(
    @JsonPropertyDescription("Hugging Face model id (org/name) or a path on the workspace volume.")
    String id,
    @JsonPropertyDescription("Hugging Face revision (branch, tag or commit).")
    String revision,
    @JsonPropertyDescription("Architecture as in the model's config.json (for the memory estimate).")
    ArchitectureSpec architecture,
    @JsonPropertyDescription("Tokenizer id or path; defaults to the model id.")
    String tokenizer,
    @JsonPropertyDescription("Name of a Kubernetes Secret holding HF_TOKEN (never the token itself).")
    String hfTokenSecret,
    @JsonPropertyDescription("Pass --trust_remote_code / trust_remote_code=True.")
    Boolean trustRemoteCode) {

  public ModelSpec {
    revision = revision == null ? "main" : revision;
    tokenizer = tokenizer == null ? id : tokenizer;
    trustRemoteCode = trustRemoteCode != null && trustRemoteCode;
  }
}
