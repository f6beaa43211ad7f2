package fineflow.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.workers.cli.ExitCode;
import fineflow.workers.cli.Main;
import fineflow.workflows.contract.LaunchRequest;
import fineflow.workflows.plan.Plan;
import fineflow.workflows.plan.Planner;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.StageKind;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecLoader;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code fineflow plan SPEC --output k8s} prints the Jobs the worker would create. */
class PlanK8sOutputTest {
  private static final Path ELYZA = Path.of("configs/elyza-7b-qlora-triton.yaml");

  @Test
  void printsEveryJobStageAsTheWorkerWouldCreateIt() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));

    int code = cl.execute("plan", ELYZA.toString(), "--output", "k8s", "--run-id", "elyza-run-1");

    assertThat(code).as(err.toString()).isEqualTo(ExitCode.OK);
    PipelineSpec spec = SpecLoader.load(Files.readString(ELYZA), ELYZA.toString());
    Plan plan = Planner.plan(spec);
    List<Stage> jobs = plan.stages().stream().filter(s -> s.kind() == StageKind.JOB).toList();
    List<HasMetadata> objects = TypedModel.parse(out.toString());
    List<HasMetadata> printedJobs = objects.stream().filter(o -> o instanceof Job).toList();
    assertThat(printedJobs).hasSize(jobs.size());
    for (int i = 0; i < jobs.size(); i++) {
      LaunchRequest first = new LaunchRequest("elyza-run-1", spec.cluster().namespace(), jobs.get(i), 1,
          plan.specDigest(), spec.cluster());
      assertThat(printedJobs.get(i)).isEqualTo(new JobFactory().job(first));
    }
    assertThat(objects).allSatisfy(o -> assertThat(TypedModel.unknownFields(o)).as(o.getKind()).isEmpty());
    // The rollout stage's Deployment and Service, from the rollout executor's factory.
    long deploymentStages = plan.stages().stream().filter(s -> s.kind() == StageKind.DEPLOYMENT).count();
    assertThat(objects).filteredOn(o -> o instanceof Deployment).hasSize((int) deploymentStages);
    assertThat(objects).filteredOn(o -> o instanceof Service).hasSize((int) deploymentStages);
    plan.stages().forEach(s -> assertThat(out.toString()).contains("# stage " + s.name() + " (" + s.kind()));
    // The stages after model-fetch name the sha it will record; the output says so where they do.
    assertThat(out.toString()).containsPattern("# stage train \\(JOB, cache key \\w+\\)\n# \\$\\(MODEL_SHA\\) is the sha"
        + " model-fetch records when it runs.*\n# \\$\\(DATASET_SHA\\) is the sha dataset-prep records")
        .doesNotContainPattern("# stage (model-fetch|dataset-prep) \\(JOB, cache key \\w+\\)\n# \\$\\(MODEL_SHA");
  }

  /**
   * configs/elyza-7b-qlora-triton.yaml with its engine split over two GPUs: Triton runs one MPI
   * rank per GPU.
   */
  @Test
  void rendersTheSeedConfigOnTwoGpus(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    String tp2 = Files.readString(ELYZA).replace("  maxBeamWidth: 1\n", "  maxBeamWidth: 1\n  tpSize: 2\n")
        .replace("  gpuCount: 1\n", "  gpuCount: 2\n");
    assertThat(tp2).contains("tpSize: 2", "gpuCount: 2");
    Path spec = Files.writeString(dir.resolve("elyza-tp2.yaml"), tp2);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));

    int code = cl.execute("plan", spec.toString(), "--output", "k8s");

    assertThat(code).as(err.toString()).isEqualTo(ExitCode.OK);
    Deployment rollout = TypedModel.parse(out.toString()).stream()
        .filter(o -> o instanceof Deployment d && d.getMetadata().getName().contains("-rollout-"))
        .map(Deployment.class::cast).findFirst().orElseThrow();
    var server = rollout.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(server.getCommand()).startsWith("mpirun", "--allow-run-as-root", "-n", "1", "tritonserver");
    assertThat(server.getCommand()).filteredOn("tritonserver"::equals).hasSize(2);
    assertThat(server.getResources().getLimits()).containsKey("nvidia.com/gpu");
  }
}
