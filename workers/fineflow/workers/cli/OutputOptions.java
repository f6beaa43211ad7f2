package fineflow.workers.cli;

import picocli.CommandLine.Option;

/** {@code -o text|json}, shared by commands that print results. */
public final class OutputOptions {
  public enum Format { text, json }

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Format format;

  public boolean json() {
    return format == Format.json;
  }
}
