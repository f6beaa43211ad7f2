package fineflow.activities.stages.tritonrepo;

import fineflow.activities.stages.TerminationMessage;

/** The written manifest and the stage result derived from it. */
public record TritonRepoResult(TritonRepoManifest manifest, TerminationMessage message) {
}
