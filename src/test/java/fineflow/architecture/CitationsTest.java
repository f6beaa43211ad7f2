package fineflow.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Comments, help texts and docs cite what a reader of the repository can open: a page of docs/
 * or an upstream file. The design notes and fact sheets the project was started from are not in
 * the repository, so a citation of one (or of "the seed", the manual run those sheets describe)
 * is a dead link; docs/manual-procedure.md and docs/upstream-tools.md hold what the code needs
 * from them.
 */
class CitationsTest {
  /**
   * The outside documents by name, and the phrases that name the manual run by its old nickname.
   * Identifiers ({@code SeedSpecs}), random seeds ({@code --seed 42}, {@code new Random(seed)})
   * and run labels ({@code q7-seed}) do not match.
   */
  static final Pattern OUTSIDE_CITATION = Pattern.compile(
      "\\b(?:DESIGN|STYLE)(?:\\.md\\b| \"| §)"
          + "|\\b(?:REFERENCE-NVIDIA|SEED-FACTS|EMBEDDED-STACK-FACTS|REAL-ENGINES)\\b"
          + "|(?i:\\bseed(?:'s| report| config| facts)\\b|\\bseed §)");
  private static final Set<String> SCANNED_ROOTS = Set.of("workflows", "activities", "workers", "src",
      "resources", "images", "scripts", "configs", "docs", "charts", "k8s", "examples", ".ci");
  private static final Pattern SCANNED_NAMES = Pattern.compile(
      ".*\\.(?:java|py|sh|md|ya?ml|json|pbtxt|tpl|txt)|Dockerfile|README.*|fineflow");
  /** Temporal histories are recorded data, and this class names what it looks for. */
  private static final List<Path> SKIPPED = List.of(Path.of("src/test/resources/histories"),
      Path.of("src/test/java/fineflow/architecture/CitationsTest.java"));

  @Test
  void noFileCitesADocumentOutsideTheRepository() throws IOException {
    List<String> found = new ArrayList<>();
    for (Path file : scannedFiles()) {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        if (OUTSIDE_CITATION.matcher(lines.get(i)).find()) {
          found.add(file + ":" + (i + 1) + ": " + lines.get(i).strip());
        }
      }
    }
    assertThat(found).as("cite docs/ or an upstream file instead").isEmpty();
  }

  @Test
  void citationsAreFoundAndIdentifiersAreNot() {
    assertThat(List.of(
        " * convert_checkpoint.py (REFERENCE-NVIDIA §2), which then calibrates nothing.",
        "/** Fine-tuning settings; the defaults are the seed report's (SEED-FACTS §2). */",
        "/** The stages of DESIGN.md \"Stages\", in pipeline order. */",
        "The folders are the architecture (DESIGN \"Layout\"):",
        "      // Different module counts are the seed's map::at crash at Triton start-up.",
        "# See EMBEDDED-STACK-FACTS and REAL-ENGINES.md.",
        "      // next start hangs on it (seed §4); an emptyDir is fresh for every pod.",
        "  /** The seed config with its engine split over two GPUs. */"))
        .allMatch(line -> OUTSIDE_CITATION.matcher(line).find());
    assertThat(List.of(
        "  private static final PipelineSpec ELYZA = SeedSpecs.elyzaQloraTriton();",
        "  @Option(names = \"--seed\", defaultValue = \"42\")",
        "- Split: `Collections.shuffle` with `new Random(seed)` over the valid records;",
        "| q7-seed | Llama-2-7B, QLoRA r=4 alpha 8 | 9,994,240 |",
        "    // The checkpoint conversion does not depend on the seed: the first run's result is reused.",
        "pipeline with its own dataset seed and name. The seed changes the cache key",
        "  static final String DESIGNATED = \"STYLESHEET\";"))
        .noneMatch(line -> OUTSIDE_CITATION.matcher(line).find());
  }

  private static List<Path> scannedFiles() throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> top = Files.list(Path.of("."))) {
      for (Path entry : top.map(p -> Path.of(".").relativize(p)).sorted().toList()) {
        if (Files.isRegularFile(entry) && SCANNED_NAMES.matcher(entry.toString()).matches()) {
          files.add(entry);
        } else if (Files.isDirectory(entry) && SCANNED_ROOTS.contains(entry.toString())) {
          try (Stream<Path> tree = Files.walk(entry)) {
            tree.filter(Files::isRegularFile)
                .filter(p -> SCANNED_NAMES.matcher(p.getFileName().toString()).matches())
                .filter(p -> SKIPPED.stream().noneMatch(p::startsWith))
                .forEach(files::add);
          }
        }
      }
    }
    // The sources alone would pass an empty scan: make sure it read them.
    assertThat(files).contains(Path.of("README.md"),
        Path.of("workflows/fineflow/workflows/plan/Planner.java"));
    return files;
  }
}
