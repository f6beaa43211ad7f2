package fineflow.workers.cli;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import com.uber.m3.util.Duration;
import fineflow.activities.kubernetes.ProgramsConfigMap;
import fineflow.activities.rollout.RolloutExecutor;
import fineflow.workers.client.SearchAttributeSetup;
import fineflow.workers.client.TemporalConnection;
import fineflow.workers.client.TemporalTls;
import fineflow.workers.worker.AwaitMode;
import fineflow.workers.worker.MetricsEndpoint;
import fineflow.workers.worker.PipelineWorker;
import fineflow.workers.worker.WorkerTuning;
import fineflow.workflows.pipeline.RunSearchAttributes;
import fineflow.workflows.pipeline.TaskQueue;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fineflow worker}: the worker process for a real Temporal cluster and Kubernetes cluster. */
@Command(name = "worker",
    header = "Run a fineflow worker against a Temporal and a Kubernetes cluster.", mixinStandardHelpOptions = true,
    description = {"Run a fineflow worker: polls the task queue for pipeline workflows and stage",
        "activities, launches stages as Kubernetes Jobs and Deployments (kubeconfig or in-cluster",
        "config, as Fabric8 finds it), serves Prometheus metrics on /metrics and probes on",
        "/healthz and /readyz. SIGTERM stops it gracefully.",
        "At start it registers fineflow's search attributes (FineflowState, FineflowModel, ...) on the",
        "namespace when they are missing; when it may not, it prints the commands that do and exits 7."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped", "2:bad option", "6:Temporal or Kubernetes unreachable",
        "7:search attributes missing and not registrable (the commands to run are printed)"})
final class WorkerCommand implements Callable<Integer> {
  @Spec CommandSpec command;
  @Mixin TemporalOptions temporal;

  @Option(names = {"-n", "--namespace"}, required = true, paramLabel = "NS",
      description = "Kubernetes namespace for runs whose spec names none.")
  String namespace;

  @Option(names = "--task-queue", defaultValue = TaskQueue.DEFAULT,
      description = "Temporal task queue (default: ${DEFAULT-VALUE}).")
  String taskQueue;

  @Option(names = "--metrics-port", defaultValue = "9090",
      description = "Port of /metrics, /healthz and /readyz (default: ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(names = "--await", defaultValue = "async",
      description = "How stages are awaited: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  AwaitMode awaitMode;

  @Option(names = "--temporal-tls-cert", paramLabel = "PEM", description = "Client certificate for mTLS.")
  Path tlsCert;

  @Option(names = "--temporal-tls-key", paramLabel = "PEM", description = "Client key (PKCS#8) for mTLS.")
  Path tlsKey;

  @Option(names = "--temporal-tls-ca", paramLabel = "PEM", description = "CA of the server certificate.")
  Path tlsCa;

  @Option(names = "--temporal-tls-server-name", paramLabel = "NAME", description = "TLS server name override.")
  String tlsServerName;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = command.commandLine().getOut();
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new picocli.CommandLine.ParameterException(command.commandLine(),
          "--temporal-tls-cert and --temporal-tls-key go together");
    }
    TemporalTls tls = tlsCert == null ? null : new TemporalTls(tlsCert, tlsKey, tlsCa, tlsServerName);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Scope scope = new RootScopeBuilder().reporter(new MicrometerClientStatsReporter(registry))
        .reportEvery(Duration.ofSeconds(10));
    TemporalConnection connection = TemporalConnection.open(temporal.target(), temporal.namespace(), tls, scope);
    SearchAttributeSetup.Result attributes = SearchAttributeSetup.ensure(connection, temporal.namespace(),
        RunSearchAttributes.ALL);
    if (!attributes.ok()) {
      PrintWriter err = command.commandLine().getErr();
      err.printf("fineflow worker: the namespace %s lacks fineflow's search attributes: %s.%n"
          + "Ask an operator of %s to run:%n", temporal.namespace(), attributes.problem(), connection.target());
      attributes.commands().forEach(c -> err.println("  " + c));
      err.flush();
      connection.close();
      return ExitCode.SEARCH_ATTRIBUTES_MISSING;
    }
    if (!attributes.registered().isEmpty()) {
      out.printf("fineflow worker: registered the search attributes %s on namespace %s%n",
          String.join(", ", attributes.registered()), temporal.namespace());
    }
    KubernetesClient kubernetes = new KubernetesClientBuilder().build();
    // Pods mount the trainer and stage runner from this ConfigMap: always this worker's version.
    ProgramsConfigMap.apply(kubernetes, namespace, ProgramsConfigMap.fromClasspath());
    PipelineWorker worker = PipelineWorker.start(connection.client(), taskQueue, kubernetes, namespace,
        RolloutExecutor::clusterDns, awaitMode, registry, WorkerTuning.defaults());
    MetricsEndpoint metrics = new MetricsEndpoint(metricsPort, registry, worker::isStarted);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      worker.close();
      metrics.close();
      connection.close();
      kubernetes.close();
      stopped.countDown();
    }, "fineflow-worker-shutdown"));
    out.printf("fineflow worker: Temporal %s (namespace %s, task queue %s), Kubernetes namespace %s,"
        + " await %s, metrics on :%d%n", connection.target(), temporal.namespace(), taskQueue, namespace,
        awaitMode, metrics.port());
    out.flush();
    stopped.await();
    return ExitCode.OK;
  }
}
