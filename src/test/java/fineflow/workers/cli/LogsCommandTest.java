package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.activities.kubernetes.FineflowLabels;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

@EnableKubernetesMockClient(crud = true)
class LogsCommandTest {
  static final String NS = "ml";
  static final String RUN = "elyza-qlora-1";

  KubernetesMockServer server;
  KubernetesClient client;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();
  final java.util.concurrent.atomic.AtomicInteger pauses = new java.util.concurrent.atomic.AtomicInteger();

  @BeforeEach
  void twoLaunchesOfTrain() {
    pod("elyza-qlora-1-train-1-aaaaaa-x1", 1);
    pod("elyza-qlora-1-train-2-bbbbbb-x2", 2);
  }

  @Test
  void printsTheTailOfTheNewestLaunch() {
    server.expect().get()
        .withPath("/api/v1/namespaces/ml/pods/elyza-qlora-1-train-2-bbbbbb-x2/log?pretty=false&container=train&tailLines=2")
        .andReturn(200, "step 9\nstep 10\n").always();

    int code = run("logs", RUN, "train", "--tail", "2", "-n", NS);

    assertThat(code).as(err.toString()).isEqualTo(ExitCode.OK);
    assertThat(out.toString()).isEqualTo("step 9\nstep 10\n");
  }

  @Test
  void followReconnectsWhileTheContainerRunsAndStopsWhenItEnds() {
    String pod = "elyza-qlora-1-train-2-bbbbbb-x2";
    String log = "/api/v1/namespaces/ml/pods/" + pod + "/log?pretty=false&container=train";
    // The log as it grows; each follow stream ends early, as a proxy timeout would end it.
    server.expect().get().withPath(log).andReturn(200, "step 1\n").once();
    server.expect().get().withPath(log + "&follow=true").andReturn(200, "step 1\nstep 2\n").once();
    server.expect().get().withPath(log + "&follow=true").andReturn(200, "step 1\nstep 2\nstep 3\n").once();
    server.expect().get().withPath(log).andReturn(200, "step 1\nstep 2\nstep 3\ndone\n").once();
    // Running for the first two looks at the pod, then terminated.
    running(pod, 3);

    int code = run("logs", RUN, "train", "--follow", "--namespace", NS);

    assertThat(code).as(err.toString()).isEqualTo(ExitCode.OK);
    assertThat(out.toString()).isEqualTo("step 1\nstep 2\nstep 3\ndone\n");
    assertThat(pauses.get()).isEqualTo(1);
  }

  @Test
  void aServerWithoutLogsIsReportedNeverPrinted() {
    int code = run("logs", RUN, "train", "-n", NS);

    assertThat(code).isEqualTo(ExitCode.RUN_FAILED);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).contains("not a log").doesNotContain("PodList");
  }

  @Test
  void anUnknownStageOrRunIsBadInput() {
    assertThat(run("logs", RUN, "training", "-n", NS)).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("unknown stage 'training'");
    assertThat(run("logs", "other-run", "train", "-n", NS)).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("no pod of stage train of run other-run in namespace ml");
  }

  private int run(String... args) {
    // The real command, with a client of the mock server instead of the kubeconfig's.
    assertThat(Main.commandLine().getSubcommands()).containsKey(args[0]);
    CommandLine logs = new CommandLine(new LogsCommand(server::createClient, millis -> pauses.incrementAndGet()));
    logs.setCaseInsensitiveEnumValuesAllowed(true);
    logs.setOut(new PrintWriter(out, true));
    logs.setErr(new PrintWriter(err, true));
    String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
    return logs.execute(rest);
  }

  /** The pod reads as running for the first {@code looks - 1} GETs, then as terminated. */
  private void running(String name, int looks) {
    String path = "/api/v1/namespaces/" + NS + "/pods/" + name;
    var pod = client.pods().inNamespace(NS).withName(name).get();
    var runningPod = new PodBuilder(pod).withNewStatus().withPhase("Running").addNewContainerStatus()
        .withName("train").withNewState().withNewRunning().endRunning().endState().endContainerStatus().endStatus().build();
    var endedPod = new PodBuilder(pod).withNewStatus().withPhase("Succeeded").addNewContainerStatus()
        .withName("train").withNewState().withNewTerminated().withExitCode(0).endTerminated().endState()
        .endContainerStatus().endStatus().build();
    server.expect().get().withPath(path).andReturn(200, runningPod).times(looks - 1);
    server.expect().get().withPath(path).andReturn(200, endedPod).always();
  }

  private void pod(String name, int launch) {
    client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name)
        .addToLabels(FineflowLabels.RUN, RUN).addToLabels(FineflowLabels.STAGE, "train")
        .addToLabels(FineflowLabels.LAUNCH, Integer.toString(launch)).endMetadata()
        .withNewSpec().addNewContainer().withName("train").withImage("nvcr.io/nvidia/pytorch:24.12-py3")
        .endContainer().endSpec().build()).create();
  }
}
