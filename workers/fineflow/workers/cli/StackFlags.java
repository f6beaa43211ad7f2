package fineflow.workers.cli;

import fineflow.workflows.plan.StageName;
import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The flags {@code dev} and {@code demo} share, checked before a stack starts, so a bad value is
 * one located line and exit 2 rather than an internal error from inside the stack.
 */
final class StackFlags {
  private StackFlags() {
  }

  static void speed(CommandLine cl, double speed) {
    // Also NaN and Infinity, which Double.parseDouble accepts.
    if (!(speed > 0) || Double.isInfinite(speed)) {
      throw new ParameterException(cl, "--speed must be a number > 0 (how many times faster than"
          + " real the simulated GPU stages run), got " + format(speed));
    }
  }

  static void failStage(CommandLine cl, String stage, int times) {
    if (stage != null && Arrays.stream(StageName.values()).noneMatch(s -> s.id().equals(stage))) {
      throw new ParameterException(cl, "--fail-stage: no stage '" + stage + "'; the stages are "
          + Arrays.stream(StageName.values()).map(StageName::id).collect(Collectors.joining(", ")));
    }
    if (times < 0) {
      throw new ParameterException(cl, "--fail-times must be >= 0, got " + times);
    }
  }

  static void port(CommandLine cl, String option, int port) {
    if (port < 0 || port > 65535) {
      throw new ParameterException(cl, option + " must be a TCP port, 0 to 65535 (0: a free one), got " + port);
    }
  }

  private static String format(double v) {
    return v == Math.rint(v) && !Double.isInfinite(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
