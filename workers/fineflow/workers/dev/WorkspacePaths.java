package fineflow.workers.dev;

import java.nio.file.Path;

/**
 * The simulated node's local directories: the workspace volume (every PersistentVolumeClaim a
 * pod mounts) and the stand-in for the Triton image's {@code /app/all_models}, which holds the
 * {@code inflight_batcher_llm} skeleton the triton-repo init container copies.
 */
record WorkspacePaths(Path workspace, Path skeleton) {
}
