package fineflow.engines.temporal;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.engines.RealEngines;
import fineflow.workers.cli.ExitCode;
import fineflow.workers.cli.Main;
import fineflow.workers.client.SearchAttributeSetup;
import fineflow.workers.client.TemporalConnection;
import fineflow.workers.dev.DevTemporal;
import fineflow.workers.engines.TemporalDevServer;
import fineflow.workflows.pipeline.RunSearchAttributes;
import io.temporal.api.enums.v1.IndexedValueType;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fineflow worker} against a real server: registers its search attributes, or says how. */
@Tag("real-temporal")
class WorkerSearchAttributesTest {
  @TempDir Path dir;

  private TemporalDevServer server(Path db, Map<String, IndexedValueType> attributes) {
    return RealTemporalServer.start(TemporalDevServer.Settings.onFreePorts(RealEngines.require("temporal"), db,
        DevTemporal.NAMESPACE, attributes));
  }

  @Test
  void missingAttributesAreRegisteredOnceThenFound() {
    try (TemporalDevServer server = server(dir.resolve("bare.db"), Map.of());
        TemporalConnection connection = TemporalConnection.open(server.target(), DevTemporal.NAMESPACE)) {
      SearchAttributeSetup.Result first = SearchAttributeSetup.ensure(connection, DevTemporal.NAMESPACE,
          RunSearchAttributes.ALL);
      assertThat(first.ok()).as(first.problem()).isTrue();
      assertThat(first.registered()).containsExactlyInAnyOrderElementsOf(RunSearchAttributes.ALL.keySet());

      SearchAttributeSetup.Result again = SearchAttributeSetup.ensure(connection, DevTemporal.NAMESPACE,
          RunSearchAttributes.ALL);
      assertThat(again.ok()).isTrue();
      assertThat(again.registered()).isEmpty();
    }
  }

  @Test
  void anAttributeOfAnotherTypeStopsTheWorkerWithTheCommandsToRun() {
    try (TemporalDevServer server = server(dir.resolve("clash.db"),
        Map.of(RunSearchAttributes.STATE.getName(), IndexedValueType.INDEXED_VALUE_TYPE_TEXT))) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      var cl = Main.commandLine();
      cl.setOut(new PrintWriter(out, true));
      cl.setErr(new PrintWriter(err, true));
      int exit = cl.execute("worker", "--temporal", server.target(), "-n", "fineflow", "--metrics-port", "0");

      assertThat(exit).as(err.toString()).isEqualTo(ExitCode.SEARCH_ATTRIBUTES_MISSING);
      assertThat(err.toString()).contains("FineflowState is registered as Text, fineflow needs Keyword",
          "temporal operator search-attribute create --namespace default --name FineflowState --type Keyword");
    }
  }
}
