package fineflow.activities.benchmark;

/** A benchmark export that cannot be read; the message names the file and what is wrong. */
public final class BenchmarkFormatException extends RuntimeException {
  public BenchmarkFormatException(String message) {
    super(message);
  }

  public BenchmarkFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
