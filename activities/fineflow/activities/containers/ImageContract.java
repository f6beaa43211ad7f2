package fineflow.activities.containers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one image gives the containers that run it ({@code resources/fineflow/contracts/images.json}):
 * its ENTRYPOINT and CMD, the programs on its PATH, the paths it provides and its Python modules.
 *
 * @param own for fineflow's own images, the repository's last segment under
 *     {@code cluster.imageRegistry}; null for NVIDIA's and vLLM's
 * @param repository for the others, the repository (no tag)
 * @param tagSuffix when set, only tags ending with it (Triton's -trtllm-python-py3 vs -py3-sdk)
 * @param base an own image's base image, whose programs, paths and modules it inherits
 */
public record ImageContract(
    String name,
    String own,
    String repository,
    String tagSuffix,
    String base,
    List<String> entrypoint,
    List<String> cmd,
    List<ImageProgram> programs,
    List<String> paths,
    List<String> modules) {

  public ImageContract {
    entrypoint = List.copyOf(entrypoint);
    cmd = List.copyOf(cmd);
    programs = List.copyOf(programs);
    paths = List.copyOf(paths);
    modules = List.copyOf(modules);
  }

  /** True when this contract describes {@code image} (a reference with tag or digest). */
  public boolean describes(String image) {
    ImageRef ref = ImageRef.parse(image);
    if (own != null) {
      return ref.lastSegment().equals(own);
    }
    return ref.repository().equals(repository)
        && (tagSuffix == null || ref.tag().endsWith(tagSuffix));
  }

  /**
   * The program {@code argv0} starts, as the container runtime resolves it: an absolute path
   * names a file; a bare name is looked up on PATH.
   */
  public Optional<ImageProgram> program(String argv0) {
    return programs.stream()
        .filter(p -> argv0.startsWith("/") ? p.path().equals(argv0) : p.name().equals(argv0))
        .findFirst();
  }

  /** True when the image has a file or directory at {@code path} (or under a provided directory). */
  public boolean provides(String path) {
    return paths.stream().anyMatch(p -> path.equals(p) || path.startsWith(p + "/"))
        || programs.stream().anyMatch(p -> p.path().equals(path));
  }

  /** This contract with its base's programs, paths and modules added (its own come first). */
  ImageContract over(ImageContract baseContract) {
    Map<String, ImageProgram> byName = new LinkedHashMap<>();
    programs.forEach(p -> byName.put(p.name(), p));
    baseContract.programs().forEach(p -> byName.putIfAbsent(p.name(), p));
    List<String> allPaths = new ArrayList<>(paths);
    allPaths.addAll(baseContract.paths());
    List<String> allModules = new ArrayList<>(modules);
    baseContract.modules().stream().filter(m -> !allModules.contains(m)).forEach(allModules::add);
    return new ImageContract(name, own, repository, tagSuffix, base, entrypoint, cmd,
        List.copyOf(byName.values()), allPaths, allModules);
  }
}
