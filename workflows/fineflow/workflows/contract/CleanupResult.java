package fineflow.workflows.contract;

import java.util.List;

/** Objects deleted, as {@code kind/name}. */
public record CleanupResult(List<String> deleted) {
  public CleanupResult {
    deleted = List.copyOf(deleted);
  }
}
