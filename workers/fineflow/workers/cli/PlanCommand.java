package fineflow.workers.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import fineflow.activities.kubernetes.ManifestRenderer;
import fineflow.activities.rollout.RolloutObjects;
import fineflow.workflows.contract.LaunchRequest;
import fineflow.workflows.plan.Plan;
import fineflow.workflows.plan.StageKind;
import fineflow.workflows.spec.ClusterSpec;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecJson;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fineflow plan SPEC}: what a run of the spec would do, stage by stage, like terraform plan. */
@Command(
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:the plan is printed",
        "2:the spec has problems (every one is listed) or cannot be read"},
    name = "plan",
    header = "Print the stages a spec runs: image, GPUs, cache key and exact command.",
    mixinStandardHelpOptions = true,
    description = {
        "Print the stages a spec runs: image, GPUs, cache key and exact command of each.",
        "Stages whose cache key already has a recorded result are skipped when the run starts."})
public final class PlanCommand implements Callable<Integer> {

  @Parameters(paramLabel = "SPEC", description = "Pipeline spec (YAML).")
  Path specFile;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
      description = "text (a table), json (the plan the workflow runs) or k8s (the Kubernetes "
          + "objects each stage creates, multi-document YAML). Default: ${DEFAULT-VALUE}.")
  PlanOutput output;

  @Option(names = "--run-id", paramLabel = "ID",
      description = "Run id the k8s objects are named and labelled with. Default: the pipeline name.")
  String runId;

  @Spec
  CommandSpec command;

  @Override
  public Integer call() throws IOException {
    PrintWriter err = command.commandLine().getErr();
    SpecInput input = SpecInput.read(specFile);
    if (!input.ok()) {
      input.printProblems(err);
      err.flush();
      return ExitCode.BAD_INPUT;
    }
    input.printWarnings(err);
    err.flush();
    PipelineSpec spec = input.spec();
    Plan plan = input.plan();
    command.commandLine().getOut().print(
        render(plan, spec.cluster(), runId == null ? plan.pipeline() : runId, output));
    command.commandLine().getOut().flush();
    return ExitCode.OK;
  }

  /** A rollout stage's ConfigMap of mounted files (if any), Deployment and Service. */
  private static List<HasMetadata> rolloutObjects(LaunchRequest request) {
    RolloutObjects objects = RolloutObjects.of(request, new KubernetesSerialization());
    List<HasMetadata> list = new ArrayList<>();
    if (objects.files() != null) {
      list.add(objects.files());
    }
    list.add(objects.deployment());
    list.add(objects.service());
    return list;
  }

  static String render(Plan plan, ClusterSpec cluster, String runId, PlanOutput output)
      throws JsonProcessingException {
    return switch (output) {
      case TEXT -> PlanTable.render(plan);
      case JSON -> SpecJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(plan) + "\n";
      case K8S -> new ManifestRenderer(Map.of(StageKind.JOB, ManifestRenderer.JOBS,
          StageKind.DEPLOYMENT, PlanCommand::rolloutObjects)).render(plan, cluster, runId);
    };
  }
}
