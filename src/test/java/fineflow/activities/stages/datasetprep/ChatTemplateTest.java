package fineflow.activities.stages.datasetprep;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.workflows.spec.PromptTemplate;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {

  @Test
  void llama2ChatIsMetasFormatWithTheSystemBlock() {
    PromptCompletion p = ChatTemplate.render(PromptTemplate.LLAMA2_CHAT, " sys ", "ask", "", "answer ");
    assertThat(p.prompt()).isEqualTo("<s>[INST] <<SYS>>\nsys\n<</SYS>>\n\nask [/INST]");
    assertThat(p.completion()).isEqualTo(" answer </s>");
  }

  @Test
  void llama2ChatWithoutSystemLeavesTheBlockOutAndAppendsInput() {
    PromptCompletion p = ChatTemplate.render(PromptTemplate.LLAMA2_CHAT, "", "ask", "context", "answer");
    assertThat(p.prompt()).isEqualTo("<s>[INST] ask\n\ncontext [/INST]");
  }

  @Test
  void plainHasSectionsAndNoSpecialTokens() {
    PromptCompletion p = ChatTemplate.render(PromptTemplate.PLAIN, null, "ask", null, "answer");
    assertThat(p.prompt()).isEqualTo("### Instruction:\nask\n\n### Response:\n");
    assertThat(p.completion()).isEqualTo("answer");
  }

  @Test
  void tokenEstimateCountsAsciiByThreesAndEachOtherCharacterAsOne() {
    assertThat(TokenEstimate.of("")).isZero();
    assertThat(TokenEstimate.of("abc")).isEqualTo(1);
    assertThat(TokenEstimate.of("abcd")).isEqualTo(2);
    assertThat(TokenEstimate.of("太宰治")).isEqualTo(3);
    assertThat(TokenEstimate.of("😀")).isEqualTo(1);
    assertThat(TokenEstimate.of("ab太")).isEqualTo(2);
  }

  @Test
  void tokenStatsUseNearestRankP95() {
    TokenStats s = TokenStats.of(java.util.stream.IntStream.rangeClosed(1, 20).boxed().toList());
    assertThat(s).isEqualTo(new TokenStats(1, 10.5, 19, 20));
  }
}
