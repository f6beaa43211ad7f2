package fineflow.activities.stages.datasetprep;

import com.fasterxml.jackson.databind.JsonNode;

/** A parsed JSON value from the dataset, with where it came from. */
record RawRecord(int index, int line, JsonNode value) {
}
