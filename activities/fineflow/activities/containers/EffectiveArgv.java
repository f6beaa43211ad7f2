package fineflow.activities.containers;

import io.fabric8.kubernetes.api.model.Container;
import java.util.ArrayList;
import java.util.List;

/**
 * What a container runs, by the Kubernetes rules (Define a Command and Arguments for a
 * Container): {@code command} replaces the image's ENTRYPOINT and CMD; {@code args} alone replace
 * only CMD and follow the ENTRYPOINT; with neither, ENTRYPOINT + CMD.
 */
public final class EffectiveArgv {
  private EffectiveArgv() {
  }

  public static List<String> of(Container container, ImageContract image) {
    List<String> command = container.getCommand();
    List<String> args = container.getArgs();
    List<String> argv = new ArrayList<>();
    if (command != null && !command.isEmpty()) {
      argv.addAll(command);
      if (args != null) {
        argv.addAll(args);
      }
      return argv;
    }
    argv.addAll(image.entrypoint());
    argv.addAll(args != null && !args.isEmpty() ? args : image.cmd());
    return argv;
  }
}
