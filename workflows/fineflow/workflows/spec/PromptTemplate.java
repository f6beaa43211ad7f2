package fineflow.workflows.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum PromptTemplate {
  /** {@code <s>[INST] <<SYS>> system <</SYS>> instruction [/INST]} + {@code  output </s>}. */
  @JsonProperty("llama2-chat") LLAMA2_CHAT,
  /** "### Instruction / ### Input / ### Response" sections, no special tokens. */
  @JsonProperty("plain") PLAIN
}
