package fineflow.activities.stages.tritonrepo;

import fineflow.activities.stages.ContentDigest;
import fineflow.activities.stages.StageInputException;
import fineflow.activities.stages.StageOutputException;
import fineflow.activities.stages.TerminationMessage;
import fineflow.workflows.contract.Artifact;
import fineflow.workflows.format.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The triton-repo stage: a fresh copy of the inflight_batcher_llm skeleton with every
 * config.pbtxt filled and checked against the engine. Never fills a used copy (upstream
 * fill_template.py keeps old values silently: docs/upstream-tools.md "Triton model repository"):
 * the repository is built in a sibling {@code .partial} folder and renamed into place; an existing
 * output is replaced only when it is a previous triton-repo output (it has the manifest), anything
 * else is refused.
 */
public final class TritonRepo {
  public static final List<String> MODELS =
      List.of("ensemble", "preprocessing", "postprocessing", "tensorrt_llm", "tensorrt_llm_bls");
  public static final String MANIFEST_FILE = "fineflow-triton-repo.json";
  private static final Pattern MAX_BATCH_SIZE = Pattern.compile("(?m)^max_batch_size:\\s*(\\S+)");
  /** Tries to put the output in place while other writers of the same output do the same. */
  private static final int INSTALL_TRIES = 10;
  private static final Pattern DECOUPLED = Pattern.compile("(?m)^\\s*decoupled:\\s*(\\S+)");

  private TritonRepo() {
  }

  public static TritonRepoResult run(TritonRepoRequest request) {
    checkSkeleton(request.skeleton());
    EngineConfig engine = EngineConfig.read(request.engineDir());
    Map<String, String> values = PlaceholderValues.of(request, engine);
    try {
      return build(request, engine, values);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the Triton repository " + request.output(), e);
    }
  }

  private static TritonRepoResult build(TritonRepoRequest request, EngineConfig engine,
                                        Map<String, String> values) throws IOException {
    Path out = request.output();
    prepareOutput(out);
    // One folder per writer: identical runs fill the same key's output at the same moment.
    Path partial = out.resolveSibling(out.getFileName() + ".partial-" + UUID.randomUUID());
    List<TritonRepoManifest.Model> models = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (String model : MODELS) {
      Path source = request.skeleton().resolve(model);
      Path target = partial.resolve(model);
      copyTree(source, target);
      String label = model + "/config.pbtxt";
      FilledConfig filled = PbtxtFill.fill(label,
          Files.readString(source.resolve("config.pbtxt"), StandardCharsets.UTF_8), values);
      problems.addAll(filled.leftovers());
      problems.addAll(consistency(label, filled.text(), request));
      Files.writeString(target.resolve("config.pbtxt"), filled.text(), StandardCharsets.UTF_8);
      models.add(new TritonRepoManifest.Model(model, filled.filled(), filled.unset()));
    }
    if (!problems.isEmpty()) {
      deleteTree(partial);
      throw new StageOutputException("the filled Triton repository is not usable: "
          + problems.size() + " problem(s), first: " + problems.get(0), problems);
    }
    TritonRepoManifest manifest = new TritonRepoManifest(request.skeleton().toString(), engine,
        values, models, fileDigests(partial));
    String manifestText = Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(manifest) + "\n";
    Files.writeString(partial.resolve(MANIFEST_FILE), manifestText, StandardCharsets.UTF_8);
    install(partial, out, manifestText);
    return new TritonRepoResult(manifest, message(request, engine, values, models, out));
  }

  /**
   * Renames the finished copy into place. Identical runs fill the same key's folder at once
   * (issue 13): an output with the same manifest is the same repository, so it stays (a server
   * may already read it) and this copy goes; any other output is renamed aside, then deleted,
   * so the output is always absent or complete, never half deleted. Another writer's rename
   * between our steps is met again on the next try.
   */
  private static void install(Path partial, Path out, String manifest) throws IOException {
    for (int tries = 1; ; tries++) {
      if (manifest.equals(manifestOf(out))) {
        deleteTree(partial);
        return;
      }
      Path old = out.resolveSibling(out.getFileName() + ".old-" + UUID.randomUUID());
      try {
        try {
          Files.move(out, old, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException none) {
          old = null;
        }
        Files.move(partial, out, StandardCopyOption.ATOMIC_MOVE);
        return;
      } catch (FileSystemException raced) {
        if (tries >= INSTALL_TRIES) {
          deleteTree(partial);
          throw raced;
        }
      } finally {
        if (old != null) {
          deleteTree(old);
        }
      }
    }
  }

  /** The manifest text of a complete output, or null when there is none (yet). */
  private static String manifestOf(Path out) throws IOException {
    try {
      return Files.readString(out.resolve(MANIFEST_FILE), StandardCharsets.UTF_8);
    } catch (NoSuchFileException | NotDirectoryException none) {
      return null;
    }
  }

  /** Filled values that Triton reads in several models must agree everywhere. */
  private static List<String> consistency(String label, String text, TritonRepoRequest request) {
    List<String> problems = new ArrayList<>();
    Matcher batch = MAX_BATCH_SIZE.matcher(text);
    while (batch.find()) {
      if (!batch.group(1).equals(Integer.toString(request.params().maxBatchSize()))) {
        problems.add(label + ": max_batch_size " + batch.group(1) + ", expected " + request.params().maxBatchSize());
      }
    }
    Matcher decoupled = DECOUPLED.matcher(text);
    while (decoupled.find()) {
      if (!decoupled.group(1).equals(Boolean.toString(request.params().decoupled()))) {
        problems.add(label + ": decoupled " + decoupled.group(1) + ", expected " + request.params().decoupled());
      }
    }
    return problems;
  }

  private static TerminationMessage message(TritonRepoRequest request, EngineConfig engine,
                                            Map<String, String> values,
                                            List<TritonRepoManifest.Model> models, Path out) {
    ContentDigest digest = ContentDigest.of(out);
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("maxBatchSize", (double) request.params().maxBatchSize());
    metrics.put("placeholdersFilled", (double) models.stream().mapToInt(m -> m.filled().size()).sum());
    metrics.put("parametersUnset", (double) models.stream().mapToInt(m -> m.unset().size()).sum());
    Map<String, String> info = new LinkedHashMap<>();
    info.put("engineDir", request.engineDir().toString());
    info.put("engineDtype", engine.dtype());
    info.put("logitsDatatype", values.get("logits_datatype"));
    info.put("decoupled", Boolean.toString(request.params().decoupled()));
    info.put("batchingStrategy", request.params().batchingStrategy());
    if (request.loraPrefetchDir() != null) {
      info.put("loraPrefetchDir", request.loraPrefetchDir().toString());
    }
    return new TerminationMessage(
        List.of(new Artifact("model-repo", out.toAbsolutePath().toString(), digest.sha256(),
            digest.sizeBytes())),
        metrics, info);
  }

  private static void checkSkeleton(Path skeleton) {
    List<String> missing = new ArrayList<>();
    for (String model : MODELS) {
      if (!Files.isRegularFile(skeleton.resolve(model).resolve("config.pbtxt"))) {
        missing.add(model + "/config.pbtxt");
      }
    }
    if (!missing.isEmpty()) {
      throw new StageInputException("skeleton " + skeleton + " is not an inflight_batcher_llm "
          + "model repository (its path moves between Triton image versions): missing "
          + String.join(", ", missing), missing);
    }
  }

  private static void prepareOutput(Path out) throws IOException {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new StageInputException("output " + out + " is a file, not a folder");
    }
    if (Files.isDirectory(out) && !isEmpty(out) && !Files.isRegularFile(out.resolve(MANIFEST_FILE))) {
      throw new StageInputException("output " + out + " is not empty and is not a triton-repo output; "
          + "refusing to fill a used copy (filling never overwrites old values)");
    }
    Files.createDirectories(out.toAbsolutePath().getParent());
  }

  private static List<TritonRepoManifest.File> fileDigests(Path root) throws IOException {
    List<TritonRepoManifest.File> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
        ContentDigest d = ContentDigest.of(p);
        files.add(new TritonRepoManifest.File(root.relativize(p).toString().replace('\\', '/'),
            d.sha256(), d.sizeBytes()));
      }
    }
    return files;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
