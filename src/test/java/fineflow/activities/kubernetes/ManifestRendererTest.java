package fineflow.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.workflows.contract.LaunchRequest;
import fineflow.workflows.plan.Plan;
import fineflow.workflows.spec.ClusterSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestRendererTest {
  private static final Plan PLAN = new Plan("elyza-qlora", "d1g35t",
      List.of(TestStages.datasetPrep(), TestStages.train(), TestStages.rollout()));

  @Test
  void rendersEveryJobAsTheFactoryBuildsIt() {
    ClusterSpec cluster = TestStages.gpuCluster();

    String yaml = new ManifestRenderer().render(PLAN, cluster, "elyza-qlora-1");
    List<HasMetadata> objects = TypedModel.parse(yaml);

    assertThat(objects).hasSize(2).allSatisfy(o -> assertThat(TypedModel.unknownFields(o)).isEmpty());
    assertThat(objects.get(0)).isEqualTo(new JobFactory().job(
        new LaunchRequest("elyza-qlora-1", null, TestStages.datasetPrep(), 1, "d1g35t", cluster)));
    assertThat(((Job) objects.get(1)).getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("nvcr.io/nvidia/pytorch:24.12-py3");
    assertThat(yaml).startsWith("# stage dataset-prep (JOB, cache key a1b2c3d4e5f6)\n---\napiVersion: batch/v1\nkind: Job\n")
        .contains("# stage rollout (DEPLOYMENT, cache key bbbbbbbbbbbb)\n# no manifest factory for DEPLOYMENT stages\n");
  }

  @Test
  void aRegisteredFactoryRendersOtherKinds() {
    ManifestRenderer renderer = new ManifestRenderer(java.util.Map.of(
        fineflow.workflows.plan.StageKind.DEPLOYMENT,
        request -> List.of(new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata()
            .withName(request.runId() + "-candidate").endMetadata().build())));

    String yaml = renderer.render(PLAN, ClusterSpec.defaults(), "r1");

    assertThat(TypedModel.parse(yaml)).extracting(HasMetadata::getKind).containsExactly("Service");
  }

  @Test
  void numberLikeStringsStayQuotedSoKubernetesReadsThemAsStrings() {
    String yaml = new ManifestRenderer().render(PLAN, TestStages.gpuCluster(), "elyza-qlora-1");

    assertThat(yaml).contains("fineflow.dev/launch: '1'\n").doesNotContain("fineflow.dev/launch: 1\n");
  }
}
