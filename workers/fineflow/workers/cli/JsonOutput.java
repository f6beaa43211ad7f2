package fineflow.workers.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.workflows.format.Json;
import java.io.UncheckedIOException;

/** The JSON that {@code -o json} prints: indented, ISO-8601 times. */
final class JsonOutput {
  private static final ObjectMapper MAPPER = Json.prettyIsoTimes();

  private JsonOutput() {
  }

  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
