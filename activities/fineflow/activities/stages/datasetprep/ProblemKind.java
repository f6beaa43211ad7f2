package fineflow.activities.stages.datasetprep;

import com.fasterxml.jackson.annotation.JsonValue;

/** Why a dataset record was rejected; the manifest counts records per kind. */
public enum ProblemKind {
  MALFORMED_JSON("malformed-json"),
  NOT_AN_OBJECT("not-an-object"),
  MISSING_FIELD("missing-field"),
  EMPTY_FIELD("empty-field"),
  WRONG_TYPE("wrong-type"),
  DUPLICATE("duplicate"),
  TOO_LONG("too-long");

  private final String label;

  ProblemKind(String label) {
    this.label = label;
  }

  @JsonValue
  public String label() {
    return label;
  }
}
