package fineflow.activities.stages.datasetprep;

import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.activities.stages.ContentDigest;
import fineflow.activities.stages.StageInputException;
import fineflow.activities.stages.TerminationMessage;
import fineflow.workflows.contract.Artifact;
import fineflow.workflows.format.Json;
import fineflow.workflows.spec.InvalidRecordPolicy;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The dataset-prep stage: validate every record, render the chat template, split, and write
 * {@code train.jsonl}, {@code validation.jsonl} (one {@code {"prompt","completion"}} per line)
 * and {@code manifest.json}, and the training split once more as calibration text for
 * checkpoint-convert ({@code calibration/train.jsonl}, one {@code {"text"}} per line: quantize.py's
 * {@code --calib_dataset DIR} reads the train split's "text" column). Under policy fail any bad record fails the stage before anything is
 * written; under skip bad records are dropped and counted.
 *
 * <p>{@link #runContentAddressed} (the pipeline's {@code --content-addressed}) writes the same
 * files into {@code DIR/<sha256>/} instead, the sha256 being the folder's {@link ContentDigest}
 * (the manifest in it holds the input file's sha256): written in a staging folder and renamed
 * into place whole, so no reader sees a half-written folder and two runs with other data never
 * share one. The result's info leads with that {@code sha}, which keys the stages after it.
 */
public final class DatasetPrep {
  public static final String TRAIN_FILE = "train.jsonl";
  public static final String VALIDATION_FILE = "validation.jsonl";
  public static final String MANIFEST_FILE = "manifest.json";
  /** A local dataset folder as {@code datasets.load_dataset(DIR, split="train")} reads it. */
  public static final String CALIBRATION_DIR = "calibration";
  static final int MANIFEST_PROBLEM_LIMIT = 1000;
  private static final ObjectMapper JSON = Json.mapper();

  private DatasetPrep() {
  }

  public static DatasetPrepResult run(DatasetPrepRequest request) {
    DatasetReadout readout = DatasetReader.read(request.input(), request.params().format());
    RecordValidator validator = new RecordValidator(request.fields(), request.params().template(),
        request.systemPrompt(), request.params().maxInputTokens(), request.maxTotalTokens());
    List<PreparedRecord> valid = new ArrayList<>();
    List<DatasetProblem> problems = new ArrayList<>(readout.problems());
    for (RawRecord raw : readout.records()) {
      problems.addAll(validator.check(raw, valid));
    }
    problems.sort((a, b) -> Integer.compare(a.line(), b.line()));
    int total = readout.total();
    if (!problems.isEmpty() && request.params().onInvalid() == InvalidRecordPolicy.FAIL) {
      // The count leads: the pause shows this line first and the records after it.
      throw new StageInputException((total - valid.size()) + " of " + total + " records are invalid ("
          + summary(problems) + ") in " + request.input()
          + ": the data is wrong; fix those records or set dataset.onInvalid: skip",
          problems.stream().map(DatasetProblem::toString).toList());
    }
    if (valid.size() < 2) {
      throw new StageInputException(request.input() + ": only " + valid.size() + " valid record(s) of "
          + total + "; at least 2 are needed for a train/validation split",
          problems.stream().map(DatasetProblem::toString).toList());
    }
    TrainValidationSplit<PreparedRecord> split =
        TrainValidationSplit.of(valid, request.params().validationSplit(), request.params().seed());
    try {
      return write(request, total, valid, problems, split);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write dataset-prep output in " + request.outputDir(), e);
    }
  }

  /** The result info key of the written folder's digest (OutputPin.INFO_KEY). */
  public static final String SHA_INFO = "sha";
  private static final String STAGING_PREFIX = ".partial-";

  /**
   * {@link #run} into a staging folder under {@code request.outputDir()}, renamed to
   * {@code outputDir/<its sha256>} once complete. The same data gives the same folder: when
   * another run renamed it first, its identical content stays and the staging folder goes.
   */
  public static DatasetPrepResult runContentAddressed(DatasetPrepRequest request) {
    Path out = request.outputDir();
    Path staging = out.resolve(STAGING_PREFIX + java.util.UUID.randomUUID());
    DatasetPrepResult written = run(request.writingTo(staging));
    try {
      String sha = ContentDigest.of(staging).sha256();
      Path dir = out.resolve(sha).toAbsolutePath();
      try {
        Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        // rename(2) fails on a non-empty target: another run renamed the same content first.
        if (!Files.isDirectory(dir)) {
          throw e;
        }
      }
      if (Files.exists(staging)) {
        deleteTree(staging);
      }
      if (!ContentDigest.of(dir).sha256().equals(sha)) {
        throw new IllegalStateException(dir + " does not hold what its name says (sha256 "
            + sha + "): something else writes there; delete the folder and run again");
      }
      TerminationMessage m = written.message();
      List<Artifact> artifacts = m.artifacts().stream().map(a -> new Artifact(a.name(),
          dir.resolve(staging.toAbsolutePath().relativize(Path.of(a.path()))).toString(), a.sha256(), a.sizeBytes()))
          .toList();
      Map<String, String> info = new LinkedHashMap<>();
      // First: the termination message drops info from the end when it runs out of room.
      info.put(SHA_INFO, sha);
      info.put("dataDir", dir.toString());
      info.putAll(m.info());
      return new DatasetPrepResult(written.manifest(), new TerminationMessage(artifacts, m.metrics(), info));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move dataset-prep output into place in " + out, e);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static DatasetPrepResult write(DatasetPrepRequest request, int total,
                                         List<PreparedRecord> valid, List<DatasetProblem> problems,
                                         TrainValidationSplit<PreparedRecord> split) throws IOException {
    Path dir = request.outputDir();
    Files.createDirectories(dir);
    Path train = writeJsonl(dir.resolve(TRAIN_FILE), split.train());
    Path validation = writeJsonl(dir.resolve(VALIDATION_FILE), split.validation());
    writeCalibration(Files.createDirectories(dir.resolve(CALIBRATION_DIR)).resolve(TRAIN_FILE),
        split.train());
    ContentDigest trainDigest = ContentDigest.of(train);
    ContentDigest validationDigest = ContentDigest.of(validation);
    ContentDigest inputDigest = ContentDigest.of(request.input());

    DatasetManifest manifest = new DatasetManifest(
        new DatasetManifest.InputFile(request.input().toString(),
            label(request.params().format().name()),
            inputDigest.sha256(), inputDigest.sizeBytes()),
        label(request.params().template().name()), request.systemPrompt(), request.params().seed(),
        request.params().validationSplit(), label(request.params().onInvalid().name()),
        request.params().maxInputTokens(),
        request.maxTotalTokens(), TokenEstimate.RULE,
        new DatasetManifest.Counts(total, valid.size(), total - valid.size(), split.train().size(),
            split.validation().size(), countByKind(problems)),
        List.of(
            new DatasetManifest.OutputFile("train", TRAIN_FILE, trainDigest.sha256(),
                trainDigest.sizeBytes(), split.train().size()),
            new DatasetManifest.OutputFile("validation", VALIDATION_FILE, validationDigest.sha256(),
                validationDigest.sizeBytes(), split.validation().size())),
        new DatasetManifest.Tokens(
            TokenStats.of(valid.stream().map(PreparedRecord::promptTokens).toList()),
            TokenStats.of(valid.stream().map(PreparedRecord::totalTokens).toList())),
        problems.stream().limit(MANIFEST_PROBLEM_LIMIT).map(DatasetProblem::toString).toList(),
        Math.max(0, problems.size() - MANIFEST_PROBLEM_LIMIT));
    Path manifestFile = dir.resolve(MANIFEST_FILE);
    writeAtomically(manifestFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest) + "\n");
    return new DatasetPrepResult(manifest, message(manifest, train, validation, manifestFile));
  }

  private static TerminationMessage message(DatasetManifest m, Path train, Path validation,
                                            Path manifestFile) {
    List<Artifact> artifacts = List.of(
        artifact("train", train, m.files().get(0).sha256(), m.files().get(0).sizeBytes()),
        artifact("validation", validation, m.files().get(1).sha256(), m.files().get(1).sizeBytes()),
        artifact("manifest", manifestFile, ContentDigest.of(manifestFile)));
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("recordsTotal", (double) m.counts().total());
    metrics.put("recordsValid", (double) m.counts().valid());
    metrics.put("recordsSkipped", (double) m.counts().skipped());
    metrics.put("recordsTrain", (double) m.counts().train());
    metrics.put("recordsValidation", (double) m.counts().validation());
    metrics.put("tokensMin", (double) m.tokens().total().min());
    metrics.put("tokensAvg", m.tokens().total().avg());
    metrics.put("tokensP95", (double) m.tokens().total().p95());
    metrics.put("tokensMax", (double) m.tokens().total().max());
    metrics.put("promptTokensMax", (double) m.tokens().prompt().max());
    Map<String, String> info = new LinkedHashMap<>();
    info.put("template", m.template());
    info.put("tokenEstimate", m.tokenEstimate());
    if (!m.counts().problems().isEmpty()) {
      info.put("problems", m.counts().problems().entrySet().stream()
          .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ")));
    }
    return new TerminationMessage(artifacts, metrics, info);
  }

  private static Artifact artifact(String name, Path path, ContentDigest d) {
    return artifact(name, path, d.sha256(), d.sizeBytes());
  }

  private static Artifact artifact(String name, Path path, String sha256, long size) {
    return new Artifact(name, path.toAbsolutePath().toString(), sha256, size);
  }

  private static Path writeJsonl(Path file, List<PreparedRecord> records) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".partial");
    try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      for (PreparedRecord r : records) {
        out.write(JSON.writeValueAsString(r.example()));
        out.write('\n');
      }
    }
    return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void writeCalibration(Path file, List<PreparedRecord> records) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".partial");
    try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      for (PreparedRecord r : records) {
        out.write(JSON.writeValueAsString(
            Map.of("text", r.example().prompt() + r.example().completion())));
        out.write('\n');
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void writeAtomically(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".partial");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static Map<String, Integer> countByKind(List<DatasetProblem> problems) {
    Map<ProblemKind, Integer> byKind = new EnumMap<>(ProblemKind.class);
    problems.forEach(p -> byKind.merge(p.kind(), 1, Integer::sum));
    Map<String, Integer> out = new LinkedHashMap<>();
    byKind.forEach((k, v) -> out.put(k.label(), v));
    return out;
  }

  private static String summary(List<DatasetProblem> problems) {
    return countByKind(problems).entrySet().stream()
        .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
  }

  /** Enum constant → the spelling users write in the spec (LLAMA2_CHAT → llama2-chat). */
  private static String label(String constant) {
    return constant.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
