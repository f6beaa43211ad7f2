package fineflow.workflows.plan;

import fineflow.workflows.spec.DatasetFields;
import fineflow.workflows.spec.DatasetFormat;
import fineflow.workflows.spec.InvalidRecordPolicy;
import fineflow.workflows.spec.PromptTemplate;
import java.util.List;

/**
 * dataset-prep's parameters ({@code fineflow stage dataset-prep}).
 *
 * @param format the spec's, spelled as there in the JSON (json, jsonl)
 * @param template the spec's (llama2-chat, plain)
 * @param systemPrompt for records without their own; empty or null for none
 * @param onInvalid the spec's (fail, skip)
 * @param maxInputTokens the engine's max input length: prompts estimated longer are bad records
 * @param contentAddressed write into {@code output/<sha256 of the written files>/} and record the
 *     sha: what the pipeline keys the later stages by
 */
public record DatasetPrepParams(
    String input,
    DatasetFormat format,
    PromptTemplate template,
    String systemPrompt,
    DatasetFields fields,
    double validationSplit,
    long seed,
    InvalidRecordPolicy onInvalid,
    int maxInputTokens,
    String output,
    boolean contentAddressed) implements StageParams {

  /** The same parameters writing into {@code output} (a staging folder of the content-addressed run). */
  public DatasetPrepParams withOutput(String output) {
    return new DatasetPrepParams(input, format, template, systemPrompt, fields, validationSplit, seed, onInvalid,
        maxInputTokens, output, contentAddressed);
  }

  @Override
  public List<String> argv() {
    return new Argv("fineflow", "stage", "dataset-prep").opt(OPTION, json()).build();
  }
}
