package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code fineflow dev} refuses bad options before it starts anything: exit 2 with one located
 * line, and the exit code its help promises (6) for a port in use, naming the port. (A check
 * that let a stack start would block until Ctrl-C: the timeout turns that into a failure.)
 */
@Timeout(120)
class DevCommandTest {
  static Cli dev(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "dev";
    System.arraycopy(args, 0, all, 1, args.length);
    all[args.length + 1] = "--engines";
    all[args.length + 2] = "embedded";
    return Cli.run(all);
  }

  @Test
  void aSpeedThatIsNotPositiveIsBadInput() {
    for (String speed : new String[] {"-5", "0", "NaN"}) {
      Cli r = dev("--speed", speed, "--temporal-port", "0");
      assertThat(r.exit()).as(r.err()).isEqualTo(ExitCode.BAD_INPUT);
      assertThat(r.err()).contains("--speed must be a number > 0", "got " + speed)
          .doesNotContain("internal error", "run it again with --verbose");
      assertThat(r.out()).doesNotContain("stack is up");
    }
  }

  @Test
  void anUnknownFailStageIsBadInputListingTheStages() {
    Cli r = dev("--fail-stage", "nosuchstage", "--temporal-port", "0");
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(r.err()).contains("--fail-stage: no stage 'nosuchstage'", "dataset-prep", "train",
        "engine-build", "benchmark").doesNotContain("internal error");
    Cli times = dev("--fail-stage", "train", "--fail-times", "-1", "--temporal-port", "0");
    assertThat(times.exit()).as(times.err()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(times.err()).contains("--fail-times must be >= 0");
  }

  @Test
  void aPortOutOfRangeIsBadInput() {
    Cli r = dev("--temporal-port", "70000");
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(r.err()).contains("--temporal-port must be a TCP port", "got 70000");
  }

  @Test
  void aPortInUseIsExit6NamingThePort() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      Cli temporal = dev("--temporal-port", Integer.toString(port));
      assertThat(temporal.exit()).as(temporal.err()).isEqualTo(ExitCode.PORT_TAKEN).isEqualTo(6);
      assertThat(temporal.err()).contains("port " + port + " (Temporal, --temporal-port) is already in use")
          .doesNotContain("internal error");

      Cli kubernetes = dev("--temporal-port", "0", "--kubernetes-port", Integer.toString(port));
      assertThat(kubernetes.exit()).as(kubernetes.err()).isEqualTo(6);
      assertThat(kubernetes.err()).contains("port " + port + " (Kubernetes API, --kubernetes-port)");
    }
  }
}
