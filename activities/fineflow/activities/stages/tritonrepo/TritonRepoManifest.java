package fineflow.activities.stages.tritonrepo;

import java.util.List;
import java.util.Map;

/**
 * {@code fineflow-triton-repo.json} at the root of a generated model repository (Triton loads
 * only sub-folders as models, so the file is inert): the engine it was checked against, every
 * placeholder value, what was left unset per model, and each file's digest.
 */
public record TritonRepoManifest(String skeleton, EngineConfig engine, Map<String, String> values,
                                 List<Model> models, List<File> files) {

  public record Model(String name, List<String> filled, List<String> unset) {
  }

  public record File(String path, String sha256, long sizeBytes) {
  }
}
