package fineflow.workers.cli;

import fineflow.workers.dev.DevEndpoints;
import fineflow.workers.dev.DevOptions;
import fineflow.workers.dev.DevStack;
import fineflow.workers.worker.AwaitMode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fineflow dev}: the embedded stack, up until Ctrl-C. */
@Command(name = "dev",
    header = "Run the embedded dev stack (Temporal, Kubernetes API, worker, simulated GPU node).", mixinStandardHelpOptions = true,
    description = {"Run the embedded dev stack in this process until Ctrl-C: Temporal's test server on",
        "a TCP port, a Kubernetes mock API server, a fineflow worker, and a simulated GPU node whose",
        "GPU stages are simulated (and say so) while fineflow's own stages run for real.",
        "Other fineflow commands find it without flags (it writes $FINEFLOW_HOME/dev.json)."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped with Ctrl-C", "2:bad option", "6:a port is taken"})
final class DevCommand implements Callable<Integer> {
  @Spec CommandSpec command;

  @Option(names = "--temporal-port", defaultValue = "7233", description = "Temporal port (default: ${DEFAULT-VALUE}).")
  int temporalPort;

  @Option(names = "--kubernetes-port", defaultValue = "0",
      description = "Kubernetes API port (default: a free one).")
  int kubernetesPort;

  @Option(names = "--workspace", defaultValue = ".fineflow/workspace",
      description = "Local folder for the workspace volume (default: ${DEFAULT-VALUE}).")
  Path workspace;

  @Option(names = "--fail-stage", paramLabel = "STAGE",
      description = "Make this stage's pods fail (bad arguments, exit 2) to show pause and resume.")
  String failStage;

  @Option(names = "--fail-times", defaultValue = "1",
      description = "How many pods of --fail-stage fail (default: ${DEFAULT-VALUE}).")
  int failTimes;

  @Option(names = "--speed", defaultValue = "60",
      description = "Simulated GPU stages run this many times faster than the seed's real durations"
          + " (default: ${DEFAULT-VALUE}).")
  double speed;

  @Option(names = {"-n", "--namespace"}, defaultValue = DevOptions.DEFAULT_NAMESPACE,
      description = "Namespace of the runs' objects (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(names = "--await", defaultValue = "async",
      description = "How the worker waits for stages: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  AwaitMode awaitMode;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = command.commandLine().getOut();
    DevOptions options = new DevOptions(temporalPort, kubernetesPort, workspace, speed, null, failStage,
        failTimes, namespace, awaitMode);
    DevStack stack = DevStack.start(options);
    DevEndpoints endpoints = stack.endpoints();
    endpoints.write();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      endpoints.delete();
      stack.close();
      stopped.countDown();
    }, "fineflow-dev-shutdown"));
    out.println("fineflow dev stack is up (GPU stages are simulated).");
    out.println("  Temporal        " + endpoints.temporal() + "   (any Temporal client or `fineflow --temporal`)");
    out.println("  Kubernetes API  " + endpoints.kubernetes() + "   (mock API server; kubectl access is best-effort)");
    out.println("  workspace       " + endpoints.workspace());
    if (failStage != null) {
      out.println("  failing         the first " + failTimes + " pod(s) of " + failStage);
    }
    out.println("Other fineflow commands find this stack through " + DevEndpoints.file() + ". Try:");
    out.println("  ./fineflow submit configs/demo.yaml        then  ./fineflow watch RUN");
    out.println("Ctrl-C stops it; nothing survives a restart.");
    out.flush();
    stopped.await();
    return ExitCode.OK;
  }

}
