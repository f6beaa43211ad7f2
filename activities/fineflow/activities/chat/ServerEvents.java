package fineflow.activities.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Splits server-sent events (text/event-stream) into their {@code data} payloads as text
 * arrives: lines end in LF, CR LF or CR, an empty line ends an event, multi-line data joins with
 * LF, comments ({@code :}) and other fields are ignored.
 */
public final class ServerEvents {

  private final Consumer<String> onData;
  private final StringBuilder line = new StringBuilder();
  private final List<String> data = new ArrayList<>();
  private boolean lastWasCr;

  public ServerEvents(Consumer<String> onData) {
    this.onData = onData;
  }

  public void accept(CharSequence text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n' && lastWasCr) {
        lastWasCr = false;
        continue;
      }
      lastWasCr = c == '\r';
      if (c == '\n' || c == '\r') {
        endLine();
      } else {
        line.append(c);
      }
    }
  }

  /** The stream ended: a last event without its blank line still counts. */
  public void finish() {
    if (line.length() > 0) {
      endLine();
    }
    dispatch();
  }

  private void endLine() {
    String l = line.toString();
    line.setLength(0);
    if (l.isEmpty()) {
      dispatch();
    } else if (l.startsWith("data:")) {
      data.add(l.startsWith("data: ") ? l.substring(6) : l.substring(5));
    }
  }

  private void dispatch() {
    if (!data.isEmpty()) {
      String payload = String.join("\n", data);
      data.clear();
      onData.accept(payload);
    }
  }
}
