package fineflow.activities.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8StreamDecoderTest {

  static final String TEXT = "恥の多い生涯を送って来ました。😊 ok";

  @Test
  void everySplitPointDecodesToTheSameText() {
    byte[] bytes = TEXT.getBytes(StandardCharsets.UTF_8);
    for (int split = 0; split <= bytes.length; split++) {
      Utf8StreamDecoder d = new Utf8StreamDecoder();
      String first = d.feed(bytes, 0, split);
      String second = d.feed(bytes, split, bytes.length - split);

      assertThat(first + second + d.finish()).as("split at %d", split).isEqualTo(TEXT);
      assertThat(first).doesNotContain("\uFFFD");
    }
  }

  @Test
  void byteByByte() {
    byte[] bytes = TEXT.getBytes(StandardCharsets.UTF_8);
    Utf8StreamDecoder d = new Utf8StreamDecoder();
    StringBuilder out = new StringBuilder();
    for (byte b : bytes) {
      out.append(d.feed(new byte[] {b}, 0, 1));
    }
    assertThat(out.append(d.finish()).toString()).isEqualTo(TEXT);
  }

  @Test
  void aTruncatedCharacterAtTheEndBecomesAReplacementCharacter() {
    byte[] bytes = "太宰".getBytes(StandardCharsets.UTF_8);
    Utf8StreamDecoder d = new Utf8StreamDecoder();

    assertThat(d.feed(bytes, 0, 4)).isEqualTo("太");
    assertThat(d.finish()).isEqualTo("\uFFFD");
  }
}
