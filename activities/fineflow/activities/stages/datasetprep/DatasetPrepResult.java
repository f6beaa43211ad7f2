package fineflow.activities.stages.datasetprep;

import fineflow.activities.stages.TerminationMessage;

/** The written manifest and the stage result derived from it. */
public record DatasetPrepResult(DatasetManifest manifest, TerminationMessage message) {
}
