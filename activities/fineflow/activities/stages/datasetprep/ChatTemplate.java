package fineflow.activities.stages.datasetprep;

import fineflow.workflows.spec.PromptTemplate;

/**
 * Renders a record as prompt + completion. Fields are stripped, as Meta's reference chat code
 * does; the input, when present, follows the instruction after a blank line.
 *
 * <ul>
 *   <li>llama2-chat: {@code <s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST]} and the
 *       completion {@code " {output} </s>"}; without a system prompt the {@code <<SYS>>} block is
 *       left out ({@code <s>[INST] {user} [/INST]}), as in Llama-2's own format.
 *   <li>plain: {@code {system}\n\n} (if any), {@code ### Instruction:\n…\n\n},
 *       {@code ### Input:\n…\n\n} (if any), {@code ### Response:\n}; completion {@code {output}};
 *       no special tokens, the tokenizer adds BOS/EOS as it is configured to.
 * </ul>
 */
public final class ChatTemplate {
  private ChatTemplate() {
  }

  public static PromptCompletion render(PromptTemplate template, String system, String instruction,
                                        String input, String output) {
    String sys = strip(system);
    String in = strip(input);
    String out = strip(output);
    return switch (template) {
      case LLAMA2_CHAT -> llama2(sys, user(strip(instruction), in), out);
      case PLAIN -> plain(sys, strip(instruction), in, out);
    };
  }

  private static PromptCompletion llama2(String system, String user, String output) {
    String prompt = system.isEmpty()
        ? "<s>[INST] " + user + " [/INST]"
        : "<s>[INST] <<SYS>>\n" + system + "\n<</SYS>>\n\n" + user + " [/INST]";
    return new PromptCompletion(prompt, " " + output + " </s>");
  }

  private static PromptCompletion plain(String system, String instruction, String input,
                                        String output) {
    StringBuilder prompt = new StringBuilder();
    if (!system.isEmpty()) {
      prompt.append(system).append("\n\n");
    }
    prompt.append("### Instruction:\n").append(instruction).append("\n\n");
    if (!input.isEmpty()) {
      prompt.append("### Input:\n").append(input).append("\n\n");
    }
    prompt.append("### Response:\n");
    return new PromptCompletion(prompt.toString(), output);
  }

  private static String user(String instruction, String input) {
    return input.isEmpty() ? instruction : instruction + "\n\n" + input;
  }

  private static String strip(String s) {
    return s == null ? "" : s.strip();
  }
}
