package fineflow.activities.containers;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A container as the runtime would start it: its image's contract, its effective argv
 * ({@link EffectiveArgv}) and the program that argv starts. {@link #resolve} fails the way the
 * container would on a cluster: an unknown program, or one whose files a volume mount hides.
 */
public record ContainerLaunch(ImageContract image, List<String> argv, ImageProgram program) {

  public ContainerLaunch {
    argv = List.copyOf(argv);
  }

  public static ContainerLaunch resolve(Container container, ImageContracts contracts) {
    ImageContract image = contracts.forImage(container.getImage()).orElseThrow(() ->
        new ContainerStartException("container " + container.getName() + ": image "
            + container.getImage() + " has no contract in " + ImageContracts.RESOURCE));
    List<String> argv = EffectiveArgv.of(container, image);
    if (argv.isEmpty()) {
      throw new ContainerStartException("container " + container.getName()
          + ": no command (the image has no ENTRYPOINT or CMD either)");
    }
    ImageProgram program = image.program(argv.get(0)).orElseThrow(() ->
        new ContainerStartException("container " + container.getName() + ": exec: \""
            + argv.get(0) + "\": executable file not found in $PATH of " + container.getImage()
            + " (effective argv " + argv + ")"));
    List<String> files = new ArrayList<>(program.needs());
    files.add(0, program.path());
    for (String file : files) {
      hiddenBy(container, file).ifPresent(mount -> {
        throw new ContainerStartException("container " + container.getName() + ": " + file
            + ", which " + program.name() + " needs, is hidden by the volume mount at " + mount
            + " (image " + container.getImage() + ")");
      });
    }
    return new ContainerLaunch(image, argv, program);
  }

  /** The mount path of the container's volume mount that covers {@code path}, if any. */
  public static Optional<String> hiddenBy(Container container, String path) {
    List<VolumeMount> mounts = container.getVolumeMounts() == null ? List.of() : container.getVolumeMounts();
    return mounts.stream().map(VolumeMount::getMountPath)
        .map(m -> m.replaceAll("/+$", ""))
        .filter(m -> path.equals(m) || path.startsWith(m + "/"))
        .findFirst();
  }

  /** The argv after the program: what the program itself parses. */
  public List<String> programArgs() {
    return argv.stream().skip(1).toList();
  }
}
