package fineflow.workers.cli;

import fineflow.activities.kubernetes.LogUnavailableException;
import fineflow.activities.kubernetes.PodLogs;
import fineflow.workflows.plan.StageName;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import fineflow.workers.dev.DevEndpoints;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.Optional;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fineflow logs RUN STAGE}: a stage pod's log, like {@code kubectl logs}, found by the run
 * and stage labels (the newest launch). Reads the cluster directly with your kubeconfig.
 */
@Command(
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:the log is printed (with --follow: the container ended)",
        "2:no pod of that run and stage, or bad options",
        "4:the server has no log for the pod",
        "6:cannot reach Kubernetes"},
    name = "logs",
    header = "Print or follow the log of a run's stage pod.",
    mixinStandardHelpOptions = true,
    description = {"Print the log of a run's stage pod (its newest launch).",
        "Reads the cluster of --kubernetes, $FINEFLOW_KUBERNETES, a running `fineflow dev`,",
        "or your kubeconfig (or the in-cluster service account)."})
public final class LogsCommand implements Callable<Integer> {
  /** Where {@code fineflow submit} puts runs whose spec names no namespace. */
  static final String DEFAULT_NAMESPACE = "fineflow";

  @Parameters(index = "0", paramLabel = "RUN", description = "Run id.")
  String run;

  @Parameters(index = "1", paramLabel = "STAGE", description = "Stage name, e.g. train or engine-build.")
  String stage;

  @Option(names = {"-f", "--follow"}, description = "Keep printing new lines until the container ends"
      + " (reconnecting when the stream drops).")
  boolean follow;

  @Option(names = "--tail", paramLabel = "N", defaultValue = "100",
      description = "Lines from the end of the log to start with. Default: ${DEFAULT-VALUE}.")
  int tail;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NS",
      description = "Namespace of the run's pods. Default: a running `fineflow dev`'s, else " + DEFAULT_NAMESPACE
          + " (as for submit).")
  String namespace;

  @Spec
  CommandSpec command;

  private final Supplier<KubernetesClient> clients;
  private final PodLogs.Pause pause;

  @Option(names = "--kubernetes", paramLabel = "URL",
      description = "Kubernetes API URL. Default: $FINEFLOW_KUBERNETES, else the running `fineflow dev`,"
          + " else your kubeconfig (or the in-cluster service account).")
  String kubernetes;

  public LogsCommand() {
    this.clients = this::defaultClient;
    this.pause = PodLogs.Pause.SLEEP;
  }

  /** Flag, then env, then a running dev stack (its mock API server), then Fabric8's auto-configuration. */
  private KubernetesClient defaultClient() {
    String url = kubernetes != null ? kubernetes : System.getenv("FINEFLOW_KUBERNETES");
    Optional<DevEndpoints> dev = url == null ? DevEndpoints.read() : Optional.empty();
    if (url == null && dev.isPresent()) {
      namespace = namespace != null ? namespace : dev.get().namespace();
      // A real control plane's kubeconfig, or the mock server's URL.
      return new KubernetesClientBuilder().withConfig(dev.get().kubernetesConfig()).build();
    }
    if (url == null) {
      return new KubernetesClientBuilder().build();
    }
    return new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(url).build()).build();
  }

  /**
   * @param clients opens the client to read with; the command closes it
   * @param pause waits between reconnects of {@code --follow}
   */
  public LogsCommand(Supplier<KubernetesClient> clients, PodLogs.Pause pause) {
    this.clients = clients;
    this.pause = pause;
  }

  @Override
  public Integer call() throws IOException {
    String stageId = stageId();
    if (tail < 0) {
      throw new ParameterException(command.commandLine(), "--tail must be >= 0, got " + tail);
    }
    PrintWriter out = command.commandLine().getOut();
    PrintWriter err = command.commandLine().getErr();
    try (KubernetesClient client = clients.get()) {
      String ns = namespace != null ? namespace : DEFAULT_NAMESPACE;
      PodLogs logs = new PodLogs(client);
      List<Pod> pods = logs.stagePods(ns, run, stageId);
      if (pods.isEmpty()) {
        err.println("fineflow: no pod of stage " + stageId + " of run " + run + " in namespace " + ns
            + " (not launched yet, cached, or cleaned up)");
        return ExitCode.BAD_INPUT;
      }
      Pod pod = pods.get(0);
      String name = pod.getMetadata().getName();
      String container = pod.getSpec().getContainers().get(0).getName();
      if (follow) {
        logs.follow(ns, name, container, tail, line -> {
          out.println(line);
          out.flush();
        }, pause);
      } else {
        logs.tail(ns, name, container, tail).forEach(out::println);
      }
      out.flush();
      return ExitCode.OK;
    } catch (LogUnavailableException e) {
      err.println("fineflow: " + e.getMessage());
      return ExitCode.RUN_FAILED;
    } catch (KubernetesClientException e) {
      err.println("fineflow: cannot read from Kubernetes: " + e.getMessage());
      return ExitCode.UNREACHABLE;
    }
  }

  private String stageId() {
    try {
      return StageName.of(stage).id();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(command.commandLine(), e.getMessage());
    }
  }
}
