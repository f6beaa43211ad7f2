package fineflow.workers.dev;

import fineflow.workers.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs a fineflow-image stage ({@code fineflow stage …}) for real, in this JVM, against the
 * local workspace: the same code the fineflow image runs in a pod.
 */
final class InProcessStage {
  private final WorkspacePaths paths;

  InProcessStage(WorkspacePaths paths) {
    this.paths = paths;
  }

  StageOutcome run(List<String> argv) {
    try {
      Path resultFile = Files.createTempFile("fineflow-termination-", ".json");
      try {
        List<String> args = new ArrayList<>(paths.toLocal(argv.subList(1, argv.size())));
        args.add("--result-file");
        args.add(resultFile.toString());
        StringWriter out = new StringWriter();
        Instant start = Instant.now();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        int exit = cl.execute(args.toArray(String[]::new));
        List<String> lines = Arrays.stream(paths.toPod(out.toString()).split("\n"))
            .filter(l -> !l.isBlank()).toList();
        String message = exit == 0 && Files.size(resultFile) > 0
            ? paths.toPod(Files.readString(resultFile))
            : String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        return new StageOutcome(lines, Duration.between(start, Instant.now()), exit, message);
      } finally {
        Files.deleteIfExists(resultFile);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
