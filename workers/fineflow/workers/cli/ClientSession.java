package fineflow.workers.cli;

import fineflow.workers.client.RunClient;
import fineflow.workers.client.TemporalConnection;

/** One client command's connection to Temporal and the run client over it. */
final class ClientSession implements AutoCloseable {
  private final TemporalConnection connection;
  private final RunClient runs;

  private ClientSession(TemporalConnection connection) {
    this.connection = connection;
    this.runs = new RunClient(connection);
  }

  static ClientSession open(TemporalOptions options) {
    return new ClientSession(TemporalConnection.open(options.target(), options.namespace()));
  }

  RunClient runs() {
    return runs;
  }

  TemporalConnection connection() {
    return connection;
  }

  @Override
  public void close() {
    connection.close();
  }
}
