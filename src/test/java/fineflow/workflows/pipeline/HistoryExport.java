package fineflow.workflows.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Records the replay test's history. Run it once after an intended, versioned change of the
 * workflow: {@code mvn -o test -Dtest=HistoryExport -Dfineflow.exportHistories=true}, then
 * commit the JSON.
 */
@EnabledIfSystemProperty(named = "fineflow.exportHistories", matches = "true")
class HistoryExport {

  @Test
  void pausedResumedRun() throws IOException {
    try (PipelineTestEnv temporal = new PipelineTestEnv()) {
      PausedResumedRun.play(temporal);
      Path file = Path.of("src/test/resources", PausedResumedRun.RESOURCE);
      Files.createDirectories(file.getParent());
      Files.writeString(file, temporal.history(PausedResumedRun.RUN_ID).toJson(true) + "\n");
    }
  }
}
