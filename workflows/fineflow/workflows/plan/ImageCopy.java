package fineflow.workflows.plan;

import java.util.List;

/**
 * A directory a stage reads out of another image: before the stage's container starts, an init
 * container of {@code image} copies {@code source} (a directory that image provides) into an
 * empty directory mounted at {@code mountPath} in both containers. triton-repo uses it for the
 * Triton image's {@code inflight_batcher_llm} skeleton, which the fineflow image has not.
 *
 * @param name a DNS label naming the init container and its volume
 */
public record ImageCopy(String name, String image, String source, String mountPath) {
  public ImageCopy {
    if (name == null || !name.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
      throw new IllegalArgumentException("image copy name '" + name + "' must be a DNS label");
    }
    if (source == null || !source.startsWith("/") || mountPath == null || !mountPath.startsWith("/")) {
      throw new IllegalArgumentException("image copy " + name + ": source and mountPath must be absolute");
    }
  }

  /**
   * The init container's command: {@code cp -R SOURCE/. MOUNT} copies the directory's contents
   * (dot files included) into the existing empty directory (POSIX cp, in every image's coreutils).
   */
  public List<String> command() {
    return List.of("cp", "-R", source + "/.", mountPath);
  }
}
