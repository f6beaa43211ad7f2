package fineflow.activities.stages.datasetprep;

import java.util.List;

/** What the reader got out of the file: parsed records, and lines that did not parse (jsonl). */
record DatasetReadout(List<RawRecord> records, List<DatasetProblem> problems) {
  DatasetReadout {
    records = List.copyOf(records);
    problems = List.copyOf(problems);
  }

  int total() {
    return records.size() + problems.size();
  }
}
