package fineflow.workflows.estimate;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The config.json fixtures under src/test/resources. */
final class Fixtures {
  private Fixtures() {
  }

  static String text(String resource) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/" + resource)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ModelConfig llama2_7b() {
    return ModelConfig.fromConfigJson(text("llama-2-7b-config.json"));
  }

  static ModelConfig tinyLlama() {
    return ModelConfig.fromConfigJson(text("tiny-llama-config.json"));
  }

  static ModelConfig tinyLlama1b() {
    return ModelConfig.fromConfigJson(text("tinyllama-1.1b-config.json"));
  }
}
