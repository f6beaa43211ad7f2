package fineflow.workers.stage;

import fineflow.workers.VersionProvider;
import fineflow.activities.stages.datasetprep.DatasetPrep;
import fineflow.activities.stages.datasetprep.DatasetPrepRequest;
import fineflow.workflows.plan.DatasetPrepParams;
import fineflow.workflows.plan.StageParams;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code fineflow stage dataset-prep}: validate, template and split a dataset (see DatasetPrep). */
@Command(
    name = "dataset-prep",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
        "Validate every record of a JSON/JSONL dataset, apply the chat template, split it",
        "deterministically and write train.jsonl, validation.jsonl and manifest.json."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:written", "2:invalid records (policy fail), unreadable input or bad options"})
final class DatasetPrepCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  StageResultFile result;

  @Option(names = StageParams.OPTION, required = true, paramLabel = "JSON",
      description = {"The stage's parameters as the planner made them (DatasetPrepParams): input,",
          "format (json|jsonl), template (llama2-chat|plain), systemPrompt, fields (instruction,",
          "output, input, system: the records' field names), validationSplit (0 < X < 1), seed,",
          "onInvalid (fail|skip), maxInputTokens, output, contentAddressed."})
  String params;

  @Option(names = "--max-total-tokens", defaultValue = "0", paramLabel = "N",
      description = "The trainer's max sequence length for prompt + completion; 0 = not checked.")
  int maxTotalTokens;

  @Override
  public Integer call() {
    DatasetPrepRequest request;
    try {
      request = new DatasetPrepRequest(StageParams.fromJson(params, DatasetPrepParams.class), maxTotalTokens);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    return result.run(spec.commandLine().getOut(), spec.commandLine().getErr(),
        () -> (request.params().contentAddressed() ? DatasetPrep.runContentAddressed(request)
            : DatasetPrep.run(request)).message());
  }
}
