package fineflow.workers.dev;

import fineflow.workflows.plan.StageName;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded stack's node: the mock API server has no controllers, so this plays the Job
 * controller and the kubelet. It watches Jobs (one informer), creates each Job's pod, moves it
 * Pending → Running → Succeeded/Failed with a termination message, and marks Deployments
 * available. The pods themselves run on the dev node's {@link PodRunner}, as on a real cluster's
 * {@link NodeAgent}.
 */
public final class SimulatedKubelet implements AutoCloseable {
  /**
   * Marks the pods the dev node only pretends to run, for people reading them with kubectl;
   * fineflow itself reads "simulated" from the stages' results, never from this.
   */
  public static final String SIMULATED_ANNOTATION = "fineflow.dev/simulated";
  public static final String NODE_NAME = "simulated-gpu-node-0";
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedKubelet.class);
  private static final String STAGE_LABEL = PodRunner.STAGE_LABEL;
  /** Status writes retried after a conflict: one per run that may join a shared server meanwhile. */
  private static final int STATUS_TRIES = 20;

  private final KubernetesClient client;
  private final PodLogStore logs;
  private final PodRunner runner;
  private final ModelServers servers;
  private final Set<String> started = ConcurrentHashMap.newKeySet();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private final StageTimeline timeline;
  private final WorkspacePaths paths;

  public SimulatedKubelet(KubernetesClient client, PodLogStore logs, WorkspacePaths paths,
      DevOptions options, ModelServers servers) {
    this(client, logs, paths, options, servers, new StageTimeline());
  }

  /** @param timeline told when a stage's pod Succeeded ({@code bench-orchestrator}) */
  public SimulatedKubelet(KubernetesClient client, PodLogStore logs, WorkspacePaths paths,
      DevOptions options, ModelServers servers, StageTimeline timeline) {
    this.timeline = timeline;
    this.client = client;
    this.logs = logs;
    this.paths = paths;
    this.servers = servers;
    this.runner = new PodRunner(paths, options, servers);
  }

  public SimulatedKubelet start() {
    informers.add(client.batch().v1().jobs().inAnyNamespace().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Job job) {
        admit(job);
      }

      @Override
      public void onUpdate(Job oldJob, Job job) {
        admit(job);
      }

      @Override
      public void onDelete(Job job, boolean unknown) {
        runner.cancel(job.getMetadata().getUid());
        deletePods(job.getMetadata().getNamespace(), job.getMetadata().getName());
      }
    }));
    informers.add(client.apps().deployments().inAnyNamespace().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Deployment d) {
        rollOut(d);
      }

      @Override
      public void onUpdate(Deployment old, Deployment d) {
        if (old.getMetadata().getGeneration() == null
            || !old.getMetadata().getGeneration().equals(d.getMetadata().getGeneration())) {
          started.remove(d.getMetadata().getUid() + "/" + old.getMetadata().getGeneration());
        }
        rollOut(d);
      }

      @Override
      public void onDelete(Deployment d, boolean unknown) {
        servers.stop(d.getMetadata().getNamespace(), d.getMetadata().getName());
        deletePods(d.getMetadata().getNamespace(), d.getMetadata().getName());
      }
    }));
    return this;
  }

  private void admit(Job job) {
    String uid = job.getMetadata().getUid();
    boolean finished = job.getStatus() != null
        && (job.getStatus().getSucceeded() != null || job.getStatus().getFailed() != null);
    if (finished || job.getMetadata().getDeletionTimestamp() != null || !started.add(uid)) {
      return;
    }
    Pod pod = client.pods().inNamespace(job.getMetadata().getNamespace()).resource(podFor(job)).create();
    runContainer(job, pod);
  }

  private Pod podFor(Job job) {
    String jobName = job.getMetadata().getName();
    String uid = job.getMetadata().getUid();
    Map<String, String> labels = new HashMap<>();
    if (job.getSpec().getTemplate().getMetadata() != null
        && job.getSpec().getTemplate().getMetadata().getLabels() != null) {
      labels.putAll(job.getSpec().getTemplate().getMetadata().getLabels());
    }
    labels.put("job-name", jobName);
    labels.put("batch.kubernetes.io/job-name", jobName);
    labels.put("controller-uid", uid);
    labels.put("batch.kubernetes.io/controller-uid", uid);
    return new PodBuilder()
        .withNewMetadata()
          .withName(podName(jobName, uid))
          .withNamespace(job.getMetadata().getNamespace())
          .withLabels(labels)
          .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job")
              .withName(jobName).withUid(uid).withController(true).withBlockOwnerDeletion(true).build())
        .endMetadata()
        .withSpec(job.getSpec().getTemplate().getSpec())
        .editSpec().withNodeName(NODE_NAME).endSpec()
        .withNewStatus()
          .withPhase("Pending")
          .withConditions(new PodConditionBuilder().withType("PodScheduled").withStatus("True")
              .withLastTransitionTime(Instant.now().toString()).build())
        .endStatus()
        .build();
  }

  private static String podName(String jobName, String uid) {
    String suffix = Integer.toString(Math.abs(uid.hashCode()) % 60466176, 36);
    String base = jobName.length() > 57 ? jobName.substring(0, 57) : jobName;
    return base + "-" + ("00000" + suffix).substring(suffix.length());
  }

  private void runContainer(Job job, Pod pod) {
    String ns = job.getMetadata().getNamespace();
    String podName = pod.getMetadata().getName();
    PodSpec spec = job.getSpec().getTemplate().getSpec();
    String main = spec.getContainers().get(0).getName();
    StageName stage = StageName.of(job.getMetadata().getLabels().get(STAGE_LABEL));
    runner.run(new PodRunner.PodToRun(job.getMetadata().getUid(), ns, podName, stage, spec, volumes(ns)),
        new PodRunner.Listener() {
          @Override
          public void started(String container) {
            if (container.equals(main)) {
              setPodRunning(ns, podName, job);
            }
          }

          @Override
          public void log(String container, String line) {
            logs.append(ns, podName, line);
          }

          @Override
          public void terminated(String container, StageOutcome outcome) {
            // The mock pod's status shows its main container only.
          }

          @Override
          public void finished(StageOutcome outcome) {
            terminate(job, ns, podName, outcome);
          }
        });
  }

  /** Every claim is the workspace; ConfigMaps come from the mock API server. */
  private PodRunner.Volumes volumes(String ns) {
    return new PodRunner.Volumes() {
      @Override
      public Path claim(String claimName) {
        return paths.workspace();
      }

      @Override
      public Optional<ConfigMap> configMap(String name) {
        try {
          return Optional.ofNullable(client.configMaps().inNamespace(ns).withName(name).get());
        } catch (KubernetesClientException e) {
          return Optional.empty();
        }
      }
    };
  }

  private void setPodRunning(String ns, String podName, Job job) {
    String container = job.getSpec().getTemplate().getSpec().getContainers().get(0).getName();
    editPodStatus(ns, podName, "Running", new ContainerStatusBuilder().withName(container)
        .withReady(true).withStarted(true).withRestartCount(0)
        .withImage(job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .withState(new ContainerStateBuilder().withNewRunning().withStartedAt(Instant.now().toString())
            .endRunning().build()).build());
  }

  private void terminate(Job job, String ns, String podName, StageOutcome outcome) {
    String container = job.getSpec().getTemplate().getSpec().getContainers().get(0).getName();
    boolean ok = outcome.succeeded();
    String now = Instant.now().toString();
    editPodStatus(ns, podName, ok ? "Succeeded" : "Failed", new ContainerStatusBuilder()
        .withName(container).withReady(false).withStarted(false).withRestartCount(0)
        .withImage(job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .withState(new ContainerStateBuilder().withNewTerminated()
            .withExitCode(outcome.exitCode()).withReason(outcome.reason())
            .withMessage(outcome.terminationMessage()).withFinishedAt(now).endTerminated().build())
        .build());
    if (ok) {
      Map<String, String> labels = job.getMetadata().getLabels();
      timeline.succeeded(labels.get(fineflow.activities.kubernetes.FineflowLabels.RUN), labels.get(STAGE_LABEL));
    }
    try {
      client.batch().v1().jobs().inNamespace(ns).withName(job.getMetadata().getName()).editStatus(j -> {
        j.setStatus(j.getStatus() == null ? new io.fabric8.kubernetes.api.model.batch.v1.JobStatus() : j.getStatus());
        j.getStatus().setActive(0);
        j.getStatus().setCompletionTime(ok ? now : null);
        j.getStatus().setSucceeded(ok ? 1 : 0);
        j.getStatus().setFailed(ok ? 0 : 1);
        j.getStatus().setConditions(ok
            ? List.of(condition("SuccessCriteriaMet", "CompletionsReached", now),
                condition("Complete", "CompletionsReached", now))
            : List.of(condition("FailureTarget", "BackoffLimitExceeded", now),
                condition("Failed", "BackoffLimitExceeded", now)));
        return j;
      });
    } catch (KubernetesClientException e) {
      LOG.debug("job {} is gone before it finished", job.getMetadata().getName());
    }
  }

  private static io.fabric8.kubernetes.api.model.batch.v1.JobCondition condition(String type, String reason, String now) {
    return new JobConditionBuilder().withType(type).withStatus("True").withReason(reason)
        .withLastTransitionTime(now).withLastProbeTime(now).build();
  }

  private void editPodStatus(String ns, String podName, String phase, ContainerStatus status) {
    try {
      client.pods().inNamespace(ns).withName(podName).editStatus(p -> {
        p.getStatus().setPhase(phase);
        p.getStatus().setContainerStatuses(List.of(status));
        if (p.getStatus().getStartTime() == null) {
          p.getStatus().setStartTime(Instant.now().toString());
        }
        return p;
      });
    } catch (KubernetesClientException e) {
      LOG.debug("pod {} is gone", podName);
    }
  }

  private void rollOut(Deployment d) {
    String key = d.getMetadata().getUid() + "/" + d.getMetadata().getGeneration();
    if (d.getMetadata().getDeletionTimestamp() != null || !started.add(key)) {
      return;
    }
    runner.after(key, runner.startDelay(), () -> {
      String ns = d.getMetadata().getNamespace();
      Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
      Optional<String> startError = runner.startServer(ns, d.getMetadata().getName(),
          labels == null ? Map.of() : labels, d.getSpec().getTemplate().getSpec(), volumes(ns));
      if (startError.isPresent()) {
        // The server never starts: no model server, no availability, a log that says why.
        createServerPod(d, startError.get());
        return;
      }
      createServerPod(d, null);
      markAvailable(d);
    });
  }

  /**
   * Writes the Deployment's status as its controller would once the server answers. The write
   * is locked to the resourceVersion it read, and runs sharing the server patch their user
   * labels onto the same object meanwhile (409): read again and write again, or the server
   * answers but its Deployment never reads as ready.
   */
  private void markAvailable(Deployment d) {
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    String now = Instant.now().toString();
    for (int tries = 1; ; tries++) {
      try {
        client.apps().deployments().inNamespace(d.getMetadata().getNamespace())
            .withName(d.getMetadata().getName()).editStatus(x -> {
              x.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatus());
              x.getStatus().setObservedGeneration(x.getMetadata().getGeneration());
              x.getStatus().setReplicas(replicas);
              x.getStatus().setUpdatedReplicas(replicas);
              x.getStatus().setReadyReplicas(replicas);
              x.getStatus().setAvailableReplicas(replicas);
              x.getStatus().setConditions(List.of(new DeploymentConditionBuilder().withType("Available")
                  .withStatus("True").withReason("MinimumReplicasAvailable")
                  .withMessage("simulated: the model server answers on " + servers.url(x).orElse("?"))
                  .withLastTransitionTime(now).withLastUpdateTime(now).build()));
              return x;
            });
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || tries >= STATUS_TRIES) {
          LOG.debug("status of deployment {} not written ({})", d.getMetadata().getName(), e.getCode());
          return;
        }
      }
    }
  }

  /** The model server's pod, marked simulated, so the rollout's result says so and logs have a pod. */
  private void createServerPod(Deployment d, String startError) {
    String ns = d.getMetadata().getNamespace();
    String name = podName(d.getMetadata().getName(), d.getMetadata().getUid() + d.getMetadata().getGeneration());
    Pod pod = new PodBuilder()
        .withNewMetadata()
          .withName(name).withNamespace(ns)
          .withLabels(d.getSpec().getTemplate().getMetadata().getLabels())
          .addToAnnotations(SIMULATED_ANNOTATION, "true")
          .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
              .withName(d.getMetadata().getName()).withUid(d.getMetadata().getUid()).withController(true).build())
        .endMetadata()
        .withSpec(d.getSpec().getTemplate().getSpec())
        .editSpec().withNodeName(NODE_NAME).endSpec()
        .withNewStatus().withPhase(startError == null ? "Running" : "Pending")
          .withStartTime(Instant.now().toString()).endStatus()
        .build();
    if (startError != null) {
      // As the kubelet reports a container whose program cannot start.
      String container = d.getSpec().getTemplate().getSpec().getContainers().get(0).getName();
      pod.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withName(container)
          .withReady(false).withRestartCount(0).withImage(d.getSpec().getTemplate().getSpec()
              .getContainers().get(0).getImage())
          .withState(new ContainerStateBuilder().withNewWaiting().withReason("RunContainerError")
              .withMessage(startError).endWaiting().build()).build()));
    }
    try {
      client.pods().inNamespace(ns).resource(pod).create();
      logs.append(ns, name, startError != null ? startError
          : "[simulated] model server for " + d.getMetadata().getName() + " answers on "
              + servers.url(d).orElse("?"));
    } catch (KubernetesClientException e) {
      LOG.debug("pod {} exists already", name);
    }
  }

  private void deletePods(String ns, String ownerName) {
    try {
      client.pods().inNamespace(ns).list().getItems().stream()
          .filter(p -> p.getMetadata().getOwnerReferences().stream()
              .anyMatch(o -> o.getName().equals(ownerName))
              || ownerName.equals(p.getMetadata().getLabels().get("job-name")))
          .forEach(p -> {
            client.pods().inNamespace(ns).withName(p.getMetadata().getName()).delete();
            logs.remove(ns, p.getMetadata().getName());
          });
    } catch (KubernetesClientException e) {
      LOG.debug("cannot delete pods of {}", ownerName, e);
    }
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
    runner.close();
  }
}
