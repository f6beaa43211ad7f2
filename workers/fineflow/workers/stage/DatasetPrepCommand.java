package fineflow.workers.stage;

import fineflow.workers.VersionProvider;
import fineflow.activities.stages.datasetprep.DatasetPrep;
import fineflow.activities.stages.datasetprep.DatasetPrepRequest;
import fineflow.workflows.spec.DatasetFields;
import fineflow.workflows.spec.DatasetFormat;
import fineflow.workflows.spec.InvalidRecordPolicy;
import fineflow.workflows.spec.PromptTemplate;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
  private static final Set<String> FIELD_KEYS = Set.of("instruction", "output", "input", "system");

  @Spec
  CommandSpec spec;

  @Mixin
  StageResultFile result;

  @Option(names = "--input", required = true, paramLabel = "FILE", description = "Dataset file.")
  Path input;

  @Option(names = "--format", defaultValue = "json", paramLabel = "json|jsonl",
      description = "json (one array of records) or jsonl (one record per line). Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(names = "--template", defaultValue = "llama2-chat", paramLabel = "llama2-chat|plain",
      description = "Prompt template. Default: ${DEFAULT-VALUE}.")
  String template;

  @Option(names = "--system-prompt", defaultValue = "", paramLabel = "TEXT",
      description = "System prompt for records without their own.")
  String systemPrompt;

  @Option(names = "--fields", split = ",", paramLabel = "ROLE=NAME",
      description = "Record field names, e.g. instruction=question,output=answer,input=context,system=system.")
  Map<String, String> fields = new LinkedHashMap<>();

  @Option(names = "--validation-split", defaultValue = "0.2", paramLabel = "X",
      description = "Share held out for validation, 0 < X < 1. Default: ${DEFAULT-VALUE}.")
  double validationSplit;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Split seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--on-invalid", defaultValue = "fail", paramLabel = "fail|skip",
      description = "fail: any bad record fails the stage; skip: drop and count them. Default: ${DEFAULT-VALUE}.")
  String onInvalid;

  @Option(names = "--max-input-tokens", required = true, paramLabel = "N",
      description = "The engine's max_input_len: prompts estimated longer are bad records.")
  int maxInputTokens;

  @Option(names = "--max-total-tokens", defaultValue = "0", paramLabel = "N",
      description = "The trainer's max sequence length for prompt + completion; 0 = not checked.")
  int maxTotalTokens;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Output folder.")
  Path output;

  @Option(names = "--content-addressed", paramLabel = "",
      description = {"Write into DIR/<sha256 of the written files>/ (staged, then renamed into place)",
          "and record that sha in the result: what the pipeline keys later stages by."})
  boolean contentAddressed;

  @Override
  public Integer call() {
    DatasetPrepRequest request;
    try {
      request = new DatasetPrepRequest(input, choice("--format", format, DatasetFormat.class),
          choice("--template", template, PromptTemplate.class), systemPrompt, fields(),
          validationSplit, seed, choice("--on-invalid", onInvalid, InvalidRecordPolicy.class),
          maxInputTokens, maxTotalTokens, output);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    return result.run(spec.commandLine().getOut(), spec.commandLine().getErr(),
        () -> (contentAddressed ? DatasetPrep.runContentAddressed(request) : DatasetPrep.run(request))
            .message());
  }

  private DatasetFields fields() {
    for (String key : fields.keySet()) {
      if (!FIELD_KEYS.contains(key)) {
        throw new ParameterException(spec.commandLine(),
            "--fields: unknown role '" + key + "' (roles: instruction, output, input, system)");
      }
    }
    return new DatasetFields(fields.get("instruction"), fields.get("output"), fields.get("input"),
        fields.get("system"));
  }

  /** Options are spelled as in the spec: LLAMA2_CHAT is "llama2-chat". */
  private <E extends Enum<E>> E choice(String option, String value, Class<E> type) {
    for (E constant : type.getEnumConstants()) {
      if (label(constant).equals(value)) {
        return constant;
      }
    }
    throw new ParameterException(spec.commandLine(), option + ": '" + value + "' is not one of "
        + Arrays.stream(type.getEnumConstants()).map(DatasetPrepCommand::label)
        .collect(Collectors.joining(", ")));
  }

  private static String label(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
