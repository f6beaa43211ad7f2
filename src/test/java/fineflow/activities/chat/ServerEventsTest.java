package fineflow.activities.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerEventsTest {

  @Test
  void splitsEventsWhateverTheChunkingAndLineEnds() {
    String stream = ": keep-alive\r\ndata: {\"a\":1}\r\n\r\ndata: line1\ndata: line2\nid: 7\n\ndata:[DONE]\r\rdata: last";
    for (int chunk = 1; chunk <= stream.length(); chunk++) {
      List<String> got = new ArrayList<>();
      ServerEvents events = new ServerEvents(got::add);
      for (int i = 0; i < stream.length(); i += chunk) {
        events.accept(stream.substring(i, Math.min(stream.length(), i + chunk)));
      }
      events.finish();

      assertThat(got).as("chunk %d", chunk).containsExactly("{\"a\":1}", "line1\nline2", "[DONE]", "last");
    }
  }
}
