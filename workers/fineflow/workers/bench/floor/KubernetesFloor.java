package fineflow.workers.bench.floor;

import fineflow.activities.DaemonThreads;
import fineflow.activities.kubernetes.FineflowLabels;
import fineflow.activities.kubernetes.PodSecurity;
import fineflow.workers.dev.StageTimeline;
import fineflow.workflows.plan.StageName;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures the Kubernetes floor on a given cluster: {@code chains} bare chains at once, each
 * creating a Job, waiting (a Job informer, as fineflow's worker waits) for the Job controller to
 * count its pod succeeded, and creating the next, {@code steps} Jobs per chain, with the worker's
 * ServiceAccount. Nothing of fineflow's runs in between: the gap from a pod's Succeeded to the
 * next Job's POST is what the API server, the Job controller's status update and one watch cost. Times come from the same {@link StageTimeline} fineflow's transitions
 * are read from (the node's Succeeded write, the POST at the client or the mock server), so the
 * two are measured alike.
 *
 * <p>The pod is the cheapest one the dev node runs for real as written: the TensorRT-LLM image's
 * LoRA converter, labelled as a lora-convert stage, which the node simulates in no time when
 * stages take 0 s. It writes into an emptyDir; the Jobs are deleted at the end.
 */
public final class KubernetesFloor {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesFloor.class);
  /** Marks the floor's Jobs and pods; its value is one measurement's. */
  static final String FLOOR_LABEL = "fineflow.dev/floor";
  static final String CHAIN_LABEL = "fineflow.dev/floor-chain";
  static final String STEP_LABEL = "fineflow.dev/floor-step";
  /** The stage label the dev node needs to run a GPU program: the converter's. */
  private static final String STAGE = StageName.LORA_CONVERT.id();
  /** The converter in the TensorRT-LLM image (resources/fineflow/contracts/images.json). */
  private static final List<String> CONVERTER = List.of("python3", "/app/examples/hf_lora_convert.py",
      "-o", "/scratch/out");
  /** Threads that POST the next Job: like the worker's activity slots, a POST never waits on the informer's thread. */
  private static final int CREATORS = 8;

  /**
   * What the floor measured.
   *
   * @param completeChains chains whose every Job's pod succeeded
   */
  public record Result(List<Double> gapsMillis, long completeChains, double wallSeconds) {
  }

  private final KubernetesClient client;
  private final String namespace;
  private final String image;
  private final StageTimeline timeline;

  /**
   * @param client whose POSTs reach {@code timeline} (the real cluster's recorded client, or any
   *     client of the mock server, which records them itself)
   * @param image the TensorRT-LLM image the pipelines' convert stages run
   */
  public KubernetesFloor(KubernetesClient client, String namespace, String image, StageTimeline timeline) {
    this.client = client;
    this.namespace = namespace;
    this.image = image;
    this.timeline = timeline;
  }

  public Result measure(int chains, int steps, Duration timeout) throws InterruptedException {
    String id = "floor-" + Long.toHexString(System.nanoTime());
    CountDownLatch done = new CountDownLatch(chains);
    Set<String> seen = ConcurrentHashMap.newKeySet();
    Map<Integer, Integer> lastStep = new ConcurrentHashMap<>();
    ExecutorService creators = Executors.newFixedThreadPool(CREATORS, new DaemonThreads("floor-create"));
    long start = System.nanoTime();
    SharedIndexInformer<Job> informer = client.batch().v1().jobs().inNamespace(namespace).withLabel(FLOOR_LABEL, id)
        .inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(Job job) {
            onJob(job);
          }

          @Override
          public void onUpdate(Job before, Job job) {
            onJob(job);
          }

          @Override
          public void onDelete(Job job, boolean unknown) {
          }

          private void onJob(Job job) {
            if (job.getStatus() == null) {
              return;
            }
            boolean succeeded = positive(job.getStatus().getSucceeded());
            boolean failed = positive(job.getStatus().getFailed());
            if (!(succeeded || failed) || !seen.add(job.getMetadata().getName())) {
              return;
            }
            if (failed) {
              // The chain ends incomplete; the measurement does not wait for it.
              done.countDown();
              return;
            }
            int chain = Integer.parseInt(job.getMetadata().getLabels().get(CHAIN_LABEL));
            int step = Integer.parseInt(job.getMetadata().getLabels().get(STEP_LABEL));
            lastStep.merge(chain, step, Math::max);
            if (step + 1 < steps) {
              creators.execute(() -> create(id, chain, step + 1, done));
            } else {
              done.countDown();
            }
          }
        });
    try {
      for (int c = 0; c < chains; c++) {
        int chain = c;
        creators.execute(() -> create(id, chain, 0, done));
      }
      done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
      double wall = (System.nanoTime() - start) / 1e9;
      List<Double> gaps = new ArrayList<>();
      for (int c = 0; c < chains; c++) {
        for (int s = 0; s + 1 < steps; s++) {
          OptionalDouble gap = timeline.gapMillis(run(id, c, s), STAGE, run(id, c, s + 1), STAGE);
          gap.ifPresent(gaps::add);
        }
      }
      long complete = lastStep.values().stream().filter(s -> s == steps - 1).count();
      return new Result(gaps, complete, wall);
    } finally {
      informer.close();
      creators.shutdownNow();
      try {
        // Background propagation: the garbage collector removes their pods (the worker's Role
        // may not delete pods).
        client.batch().v1().jobs().inNamespace(namespace).withLabel(FLOOR_LABEL, id)
            .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
      } catch (KubernetesClientException e) {
        // Left behind: finished Jobs of an ended measurement hold no resources.
      }
    }
  }

  private static boolean positive(Integer count) {
    return count != null && count > 0;
  }

  /** The run label of one floor Job: the timeline keys its POST and its pod's Succeeded by it. */
  private static String run(String id, int chain, int step) {
    return id + "-" + chain + "-" + step;
  }

  private void create(String id, int chain, int step, CountDownLatch done) {
    Map<String, String> labels = Map.of(FLOOR_LABEL, id, CHAIN_LABEL, Integer.toString(chain),
        STEP_LABEL, Integer.toString(step), FineflowLabels.RUN, run(id, chain, step), FineflowLabels.STAGE, STAGE);
    Job job = new JobBuilder()
        .withNewMetadata().withName(run(id, chain, step)).withLabels(labels).endMetadata()
        .withNewSpec().withBackoffLimit(0)
        .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
        .withNewSpec().withRestartPolicy("Never").withSecurityContext(PodSecurity.pod())
        .withAutomountServiceAccountToken(false)
        .addNewContainer().withName("floor").withImage(image).withCommand(CONVERTER)
        .withSecurityContext(PodSecurity.container(false))
        .addNewVolumeMount().withName("scratch").withMountPath("/scratch").endVolumeMount()
        .endContainer()
        .addNewVolume().withName("scratch").withNewEmptyDir().endEmptyDir().endVolume()
        .endSpec().endTemplate().endSpec()
        .build();
    try {
      client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
    } catch (KubernetesClientException e) {
      // The chain stops here and counts as incomplete.
      LOG.warn("Kubernetes floor: Job {} not created: {}", job.getMetadata().getName(), e.getMessage());
      done.countDown();
    }
  }
}
