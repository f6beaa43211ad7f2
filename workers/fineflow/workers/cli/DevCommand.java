package fineflow.workers.cli;

import fineflow.workers.dev.DevEndpoints;
import fineflow.workers.dev.DevEngines;
import fineflow.workers.dev.DevOptions;
import fineflow.workers.dev.DevStack;
import fineflow.workers.dev.EngineChoice;
import fineflow.workers.dev.EngineChoice.Engine;
import fineflow.workers.dev.PortTaken;
import fineflow.workers.dev.RealTemporal;
import fineflow.workers.worker.AwaitMode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fineflow dev}: the embedded stack, up until Ctrl-C. */
@Command(name = "dev",
    header = "Run the dev stack (Temporal, Kubernetes API, worker, simulated GPU node).", mixinStandardHelpOptions = true,
    description = {"Run the dev stack until Ctrl-C: Temporal (with --engines real the real server,",
        "`temporal server start-dev`, with its Web UI and a SQLite file beside the workspace, so runs",
        "survive a restart; with embedded Temporal's Java test server, in memory), Kubernetes (with",
        "--engines real etcd, kube-apiserver, kube-controller-manager and kube-scheduler on loopback with",
        "k8s/ applied and the worker as its ServiceAccount; with embedded a mock API server), a fineflow",
        "worker, and a simulated GPU node whose GPU stages are simulated (and say so) while fineflow's",
        "own stages run for real.",
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
      description = "Make this stage's pods fail (an injected failure, exit 1) to show pause and resume.")
  String failStage;

  @Option(names = "--fail-times", defaultValue = "1",
      description = "How many pods of --fail-stage fail (default: ${DEFAULT-VALUE}).")
  int failTimes;

  @Option(names = "--speed", defaultValue = "60",
      description = "Simulated GPU stages run this many times faster than the manual run's real"
          + " durations in docs/manual-procedure.md"
          + " (default: ${DEFAULT-VALUE}).")
  double speed;

  @Option(names = {"-n", "--namespace"}, defaultValue = DevOptions.DEFAULT_NAMESPACE,
      description = "Namespace of the runs' objects (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(names = "--await", defaultValue = "async",
      description = "How the worker waits for stages: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  AwaitMode awaitMode;

  @Option(names = "--gpus", defaultValue = "1", paramLabel = "N",
      description = "GPUs of the node agent's Node on real Kubernetes (nvidia.com/gpu capacity; default: ${DEFAULT-VALUE})."
          + " configs/demo.yaml serves Triton and its vLLM baseline at once: give it 2.")
  int gpus;

  @Option(names = "--engines", defaultValue = "auto",
      description = "Run on the real engines (scripts/install-engines), the embedded ones, or auto: real when"
          + " installed (${COMPLETION-CANDIDATES}; default: ${DEFAULT-VALUE}).")
  EngineChoice engines;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = command.commandLine().getOut();
    checkOptions();
    DevOptions options = new DevOptions(temporalPort, kubernetesPort, workspace, speed, null, failStage,
        failTimes, namespace, awaitMode, engines, gpus);
    // First, before the minutes a control plane may take: which engines this stack runs on.
    out.println("Starting the dev stack on the " + fineflow.workers.dev.DevEngines.resolve(engines).describe() + " ...");
    out.flush();
    DevStack stack = DevStack.start(options);
    DevEndpoints endpoints = stack.endpoints();
    endpoints.write();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      endpoints.delete();
      stack.close();
      stopped.countDown();
    }, "fineflow-dev-shutdown"));
    out.println("fineflow dev stack is up on the " + stack.engines().describe() + " (GPU stages are simulated).");
    out.println("  Temporal        " + endpoints.temporal() + "   (any Temporal client or `fineflow --temporal`)");
    if (endpoints.temporalUi() != null) {
      out.println("  Temporal UI     " + endpoints.temporalUi());
      out.println("  Temporal HTTP   " + endpoints.temporalHttp());
    }
    if (endpoints.kubeconfig() != null) {
      out.println("  Kubernetes API  " + endpoints.kubernetes() + "   (RBAC: the worker is ServiceAccount "
          + namespace + "/" + fineflow.workers.dev.RealCluster.WORKER_SERVICE_ACCOUNT + ")");
      out.println("  kubeconfig      " + endpoints.kubeconfig() + "   (kubectl --kubeconfig ...; admin)");
      out.println("  GPU node        " + fineflow.workers.dev.NodeAgent.Settings.DEFAULT_NAME + " with " + gpus
          + " simulated nvidia.com/gpu (fineflow's node agent)");
    } else {
      out.println("  Kubernetes API  " + endpoints.kubernetes() + "   (mock API server; kubectl access is best-effort)");
    }
    out.println("  workspace       " + endpoints.workspace());
    if (failStage != null) {
      out.println("  failing         the first " + failTimes + " pod(s) of " + failStage);
    }
    out.println("Other fineflow commands find this stack through " + DevEndpoints.file() + ". Try:");
    out.println("  ./fineflow submit configs/demo.yaml        then  ./fineflow watch RUN");
    boolean realKubernetes = stack.engines().kubernetes() == Engine.real;
    out.println(stack.engines().temporal() == Engine.real
        ? "Ctrl-C stops it; runs survive a restart in " + options.temporalDatabase()
            + (realKubernetes ? " and the Kubernetes objects in " + options.kubernetesDirectory()
                : " (the Kubernetes objects do not: the API server is a mock).")
        : "Ctrl-C stops it; nothing survives a restart.");
    out.flush();
    stopped.await();
    return ExitCode.OK;
  }

  /** Bad values are exit 2; a port already in use is exit 6, named before anything starts. */
  private void checkOptions() {
    CommandLine cl = command.commandLine();
    StackFlags.speed(cl, speed);
    StackFlags.failStage(cl, failStage, failTimes);
    StackFlags.port(cl, "--temporal-port", temporalPort);
    StackFlags.port(cl, "--kubernetes-port", kubernetesPort);
    if (temporalPort != 0) {
      PortTaken.requireFree("Temporal, --temporal-port", temporalPort);
      if (DevEngines.resolve(engines).temporal() == Engine.real) {
        StackFlags.port(cl, "--temporal-port + 1000 (the Web UI's port)", RealTemporal.uiPort(temporalPort));
        PortTaken.requireFree("Temporal Web UI, --temporal-port + 1000", RealTemporal.uiPort(temporalPort));
      }
    }
    if (kubernetesPort != 0) {
      PortTaken.requireFree("Kubernetes API, --kubernetes-port", kubernetesPort);
    }
  }

}
