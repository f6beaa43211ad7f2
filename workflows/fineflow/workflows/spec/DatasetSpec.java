package fineflow.workflows.spec;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

public record DatasetSpec(
    @JsonPropertyDescription("Path of the data file on the workspace volume (or a local file for dev).")
    String path,
    @JsonPropertyDescription("json (one array) or jsonl (one record per line).")
    DatasetFormat format,
    @JsonPropertyDescription("Prompt template: llama2-chat ([INST] <<SYS>>) or plain.")
    PromptTemplate template,
    @JsonPropertyDescription("System prompt put into the template.")
    String systemPrompt,
    @JsonPropertyDescription("Record field names.")
    DatasetFields fields,
    @JsonPropertyDescription("Share of records held out for validation (0 < x < 1).")
    Double validationSplit,
    @JsonPropertyDescription("Seed of the deterministic train/validation split.")
    Long seed,
    @JsonPropertyDescription("fail: any bad record fails the stage; skip: bad records are counted and dropped.")
    InvalidRecordPolicy onInvalid) {

  public DatasetSpec {
    format = format == null ? DatasetFormat.JSON : format;
    template = template == null ? PromptTemplate.LLAMA2_CHAT : template;
    systemPrompt = systemPrompt == null ? "" : systemPrompt;
    fields = fields == null ? DatasetFields.defaults() : fields;
    validationSplit = validationSplit == null ? 0.2 : validationSplit;
    seed = seed == null ? 42L : seed;
    onInvalid = onInvalid == null ? InvalidRecordPolicy.FAIL : onInvalid;
  }
}
