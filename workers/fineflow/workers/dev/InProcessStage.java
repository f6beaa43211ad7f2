package fineflow.workers.dev;

import fineflow.workers.stage.StageCommand;
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
 * Runs the fineflow program of a fineflow-image container for real, in this JVM: the same
 * {@code fineflow stage …} code the image's {@code fineflow} entrypoint runs, given the
 * arguments after the program in the container's effective argv (the caller resolved the
 * program against the image's contract), with paths rewritten onto the pod's mounts. Every
 * container fineflow plans on that image runs a stage program, so only {@code stage} is
 * there: any other subcommand is an unknown argument here ({@link StageCommand#program}).
 */
final class InProcessStage {

  /** @param programArgs the effective argv after the resolved {@code fineflow} program */
  StageOutcome run(List<String> programArgs, PodMounts paths) {
    try {
      Path resultFile = Files.createTempFile("fineflow-termination-", ".json");
      try {
        List<String> args = new ArrayList<>(paths.toLocal(programArgs));
        args.add("--result-file");
        args.add(resultFile.toString());
        StringWriter out = new StringWriter();
        Instant start = Instant.now();
        var cl = StageCommand.program();
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
