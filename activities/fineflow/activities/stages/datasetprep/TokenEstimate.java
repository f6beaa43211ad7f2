package fineflow.activities.stages.datasetprep;

/**
 * A tokenizer-free, deliberately high token count, used to catch records the engine would
 * truncate (prompt vs max_input_len) before any GPU time is spent.
 *
 * <p>Rule: {@code ceil(asciiChars / 3) + nonAsciiCodePoints}. Llama-family SentencePiece
 * tokenizers average about 4 ASCII characters per token on English, so counting 3 over-counts
 * English by roughly a third; Japanese and Chinese text averages about one token per character
 * (rare characters fall back to byte tokens, common ones merge), so one per non-ASCII code point
 * is the typical case. Over-counting only rejects borderline records early, which is the safe
 * side; the estimate is not an exact count and the manifest says so.
 */
public final class TokenEstimate {
  /** The rule as written into the manifest. */
  public static final String RULE = "ceil(asciiChars/3) + nonAsciiCodePoints";

  private TokenEstimate() {
  }

  public static int of(String text) {
    int ascii = 0;
    int other = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      if (cp < 0x80) {
        ascii++;
      } else {
        other++;
      }
      i += Character.charCount(cp);
    }
    return (ascii + 2) / 3 + other;
  }
}
