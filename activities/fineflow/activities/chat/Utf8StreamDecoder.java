package fineflow.activities.chat;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes UTF-8 arriving in arbitrary chunks. A Japanese character is three bytes and a network
 * chunk may end after one or two of them: decoding each chunk on its own prints U+FFFD (the
 * seed's garbled streaming output). The decoder keeps an incomplete sequence until the rest
 * arrives.
 */
public final class Utf8StreamDecoder {

  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPLACE)
      .onUnmappableCharacter(CodingErrorAction.REPLACE);
  /** Bytes of an incomplete character left from the previous chunk (at most 3). */
  private ByteBuffer pending = ByteBuffer.allocate(0);

  /** The complete characters of {@code bytes[offset, offset+length)} plus what was pending. */
  public String feed(byte[] bytes, int offset, int length) {
    ByteBuffer in = ByteBuffer.allocate(pending.remaining() + length);
    in.put(pending).put(bytes, offset, length).flip();
    CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
    CoderResult result = decoder.decode(in, out, false);
    if (result.isError()) {
      throw new IllegalStateException("UTF-8 decoding failed: " + result);
    }
    pending = in.slice();
    return out.flip().toString();
  }

  /** Ends the stream: an incomplete trailing sequence becomes U+FFFD. */
  public String finish() {
    CharBuffer out = CharBuffer.allocate(pending.remaining() + 2);
    decoder.decode(pending, out, true);
    decoder.flush(out);
    pending = ByteBuffer.allocate(0);
    decoder.reset();
    return out.flip().toString();
  }
}
