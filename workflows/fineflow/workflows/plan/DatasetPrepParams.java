package fineflow.workflows.plan;

import fineflow.workflows.spec.DatasetFields;
import java.util.List;

/**
 * dataset-prep's parameters ({@code fineflow stage dataset-prep}).
 *
 * @param format json or jsonl
 * @param template llama2-chat or plain
 * @param systemPrompt for records without their own; empty for none
 * @param onInvalid fail or skip
 * @param maxInputTokens the engine's max input length: prompts estimated longer are bad records
 * @param contentAddressed write into {@code output/<sha256 of the written files>/} and record the
 *     sha: what the pipeline keys the later stages by
 */
public record DatasetPrepParams(
    String input,
    String format,
    String template,
    String systemPrompt,
    DatasetFields fields,
    double validationSplit,
    long seed,
    String onInvalid,
    int maxInputTokens,
    String output,
    boolean contentAddressed) implements StageParams {

  @Override
  public List<String> argv() {
    return new Argv("fineflow", "stage", "dataset-prep").opt(OPTION, json()).build();
  }
}
