package fineflow.workflows.contract;

/** {@code result} is null on a miss. */
public record CacheLookup(boolean hit, StageResult result) {
  public static CacheLookup miss() {
    return new CacheLookup(false, null);
  }

  public static CacheLookup hit(StageResult result) {
    return new CacheLookup(true, result);
  }
}
