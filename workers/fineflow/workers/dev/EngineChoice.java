package fineflow.workers.dev;

/**
 * Which engines {@code fineflow dev} and {@code demo} run on ({@code --engines}): the real ones
 * that {@code scripts/install-engines} builds, the embedded ones in this JVM, or the real ones
 * when installed.
 */
public enum EngineChoice {
  real, embedded, auto;

  /** The engine used for one component, given whether its real engine is installed. */
  public Engine resolve(boolean realInstalled) {
    return switch (this) {
      case real -> Engine.real;
      case embedded -> Engine.embedded;
      case auto -> realInstalled ? Engine.real : Engine.embedded;
    };
  }

  /** What one component of the stack runs on. */
  public enum Engine {
    real, embedded
  }
}
