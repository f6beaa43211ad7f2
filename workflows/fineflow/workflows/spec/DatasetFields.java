package fineflow.workflows.spec;

/** Names of the record fields; input and system are optional in each record. */
public record DatasetFields(String instruction, String output, String input, String system) {
  public DatasetFields {
    instruction = instruction == null ? "instruction" : instruction;
    output = output == null ? "output" : output;
    input = input == null ? "input" : input;
    system = system == null ? "system" : system;
  }

  public static DatasetFields defaults() {
    return new DatasetFields(null, null, null, null);
  }
}
