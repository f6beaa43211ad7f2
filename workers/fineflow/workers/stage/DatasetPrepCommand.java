package fineflow.workers.stage;

import fineflow.workers.VersionProvider;
import fineflow.activities.stages.datasetprep.DatasetPrep;
import fineflow.activities.stages.datasetprep.DatasetPrepRequest;
import fineflow.workflows.plan.DatasetPrepParams;
import fineflow.workflows.plan.StageParams;
import fineflow.workflows.spec.DatasetFields;
import fineflow.workflows.spec.DatasetFormat;
import fineflow.workflows.spec.InvalidRecordPolicy;
import fineflow.workflows.spec.PromptTemplate;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
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
    DatasetPrepParams p;
    DatasetPrepRequest request;
    try {
      p = StageParams.fromJson(params, DatasetPrepParams.class);
      request = new DatasetPrepRequest(path(p.input(), "input"),
          choice("format", p.format(), DatasetFormat.class),
          choice("template", p.template(), PromptTemplate.class),
          p.systemPrompt() == null ? "" : p.systemPrompt(),
          p.fields() == null ? DatasetFields.defaults() : p.fields(), p.validationSplit(), p.seed(),
          choice("onInvalid", p.onInvalid(), InvalidRecordPolicy.class), p.maxInputTokens(),
          maxTotalTokens, path(p.output(), "output"));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    return result.run(spec.commandLine().getOut(), spec.commandLine().getErr(),
        () -> (p.contentAddressed() ? DatasetPrep.runContentAddressed(request) : DatasetPrep.run(request))
            .message());
  }

  private Path path(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new ParameterException(spec.commandLine(), "the dataset-prep parameters have no " + name);
    }
    return Path.of(value);
  }

  /** Options are spelled as in the spec: LLAMA2_CHAT is "llama2-chat". */
  private <E extends Enum<E>> E choice(String field, String value, Class<E> type) {
    for (E constant : type.getEnumConstants()) {
      if (label(constant).equals(value)) {
        return constant;
      }
    }
    throw new ParameterException(spec.commandLine(), field + ": '" + value + "' is not one of "
        + Arrays.stream(type.getEnumConstants()).map(DatasetPrepCommand::label)
        .collect(Collectors.joining(", ")));
  }

  private static String label(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
