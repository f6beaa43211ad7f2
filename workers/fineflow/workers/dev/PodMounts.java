package fineflow.workers.dev;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One container's file system as the simulated node lays it out, from the pod's own volumes and
 * the container's volume mounts: a PersistentVolumeClaim is the local directory behind it (the
 * dev stack's workspace; its sub-path under it), an emptyDir a directory of the pod shared by its containers, a ConfigMap a directory
 * holding its keys. Paths in the container's argv are rewritten onto those directories; a path
 * no mount covers is left as it is, so the stage fails on it as it would on a cluster. Files an
 * image itself provides come from {@code imageFiles} (the Triton skeleton, say).
 */
final class PodMounts {
  private final Map<String, Path> byPodPath;
  private final Pattern podPaths;

  private PodMounts(Map<String, Path> byPodPath) {
    this.byPodPath = byPodPath;
    // Longest first, so /workspace/cache/x wins over /workspace.
    List<String> keys = new ArrayList<>(byPodPath.keySet());
    keys.sort(Comparator.comparingInt(String::length).reversed());
    this.podPaths = keys.isEmpty() ? null : Pattern.compile("(^|[=,:\"])("
        + String.join("|", keys.stream().map(Pattern::quote).toList()) + ")(?=/|$|,|\")");
  }

  /**
   * @param claims the local directory behind a PersistentVolumeClaim, by claim name
   * @param scratch the pod's own directory (emptyDirs and ConfigMaps live under it)
   * @param configMaps reads a ConfigMap of the pod's namespace by name
   * @param imageFiles pod path → local stand-in, for directories the image provides
   */
  static PodMounts of(PodSpec pod, Container container, Function<String, Path> claims, Path scratch,
      Function<String, Optional<ConfigMap>> configMaps, Map<String, Path> imageFiles) {
    Map<String, Path> map = new LinkedHashMap<>(imageFiles);
    List<VolumeMount> mounts = container.getVolumeMounts() == null ? List.of() : container.getVolumeMounts();
    for (VolumeMount m : mounts) {
      Volume v = pod.getVolumes().stream().filter(x -> x.getName().equals(m.getName())).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("volume mount " + m.getName()
              + " of container " + container.getName() + " names no volume of the pod"));
      Path root;
      if (v.getPersistentVolumeClaim() != null) {
        root = claims.apply(v.getPersistentVolumeClaim().getClaimName());
      } else if (v.getEmptyDir() != null) {
        root = scratch.resolve("emptydir-" + v.getName());
      } else if (v.getConfigMap() != null) {
        root = configMap(scratch.resolve("configmap-" + v.getName()), v.getConfigMap().getName(), configMaps);
      } else {
        throw new IllegalArgumentException("volume " + v.getName() + " is of a kind the dev node does not mount");
      }
      String sub = m.getSubPath() == null ? "" : m.getSubPath();
      Path local = sub.isEmpty() ? root : root.resolve(sub);
      try {
        // The kubelet creates a missing sub-path as a directory; an existing file stays one.
        if ((v.getConfigMap() == null || sub.isEmpty()) && !Files.exists(local)) {
          Files.createDirectories(local);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      map.put(m.getMountPath().replaceAll("/+$", ""), local);
    }
    return new PodMounts(map);
  }

  private static Path configMap(Path dir, String name, Function<String, Optional<ConfigMap>> configMaps) {
    try {
      Files.createDirectories(dir);
      Optional<ConfigMap> cm = configMaps.apply(name);
      if (cm.isPresent() && cm.get().getData() != null) {
        for (Map.Entry<String, String> e : cm.get().getData().entrySet()) {
          Files.writeString(dir.resolve(e.getKey()), e.getValue(), StandardCharsets.UTF_8);
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Rewrites mounted pod paths at the start of an argument, of a {@code key=} / list value, or of
   * a JSON string (a stage's {@code --params}).
   */
  String toLocal(String arg) {
    if (podPaths == null) {
      return arg;
    }
    return podPaths.matcher(arg).replaceAll(m -> Matcher.quoteReplacement(
        m.group(1) + byPodPath.get(m.group(2))));
  }

  List<String> toLocal(List<String> argv) {
    return argv.stream().map(this::toLocal).toList();
  }

  Path local(String podPath) {
    return Path.of(toLocal(podPath));
  }

  /** Results and logs show the paths a real pod would report. */
  String toPod(String text) {
    List<Map.Entry<String, Path>> entries = new ArrayList<>(byPodPath.entrySet());
    entries.sort(Comparator.comparingInt((Map.Entry<String, Path> e) -> e.getValue().toString().length()).reversed());
    String out = text;
    for (Map.Entry<String, Path> e : entries) {
      out = out.replace(e.getValue().toString(), e.getKey());
    }
    return out;
  }
}
