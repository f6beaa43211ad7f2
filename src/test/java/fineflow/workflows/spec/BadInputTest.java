package fineflow.workflows.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Input that cannot be right is a located problem, in our words: paths that leave the
 * workspace, model ids that are neither an id nor a path, nulls and numbers out of range,
 * aliases, and tokens pasted where a Secret's name belongs (never echoed back).
 */
class BadInputTest {
  private static String demo() throws IOException {
    return Files.readString(Path.of("configs/demo.yaml"));
  }

  private static List<SpecProblem> problems(String yaml) {
    try {
      SpecLoader.load(yaml, "test.yaml");
    } catch (SpecException e) {
      return e.problems();
    }
    throw new AssertionError("expected problems, the spec loaded");
  }

  @ParameterizedTest
  @ValueSource(strings = {"../../etc/passwd", "/etc/passwd", "data/../../../x.jsonl", "/workspace/../etc/x"})
  void datasetPathsOffTheWorkspaceAreLocatedProblems(String path) throws IOException {
    String yaml = demo().replaceFirst("(?m)^  path: .*$", "  path: " + path);

    assertThat(problems(yaml)).singleElement().satisfies(p -> {
      assertThat(p.path()).isEqualTo("dataset.path");
      assertThat(p.line()).isPositive();
      assertThat(p.message()).containsAnyOf("climbs out of the workspace volume", "is outside the workspace volume");
    });
  }

  @Test
  void workspacePathsInsideTheVolumeAreFine() {
    assertThat(WorkspacePath.problem("datasets/a.jsonl")).isEmpty();
    assertThat(WorkspacePath.problem("./a/../b.jsonl")).isEmpty();
    assertThat(WorkspacePath.resolve("dataset.path", "./a/../b.jsonl")).isEqualTo("/workspace/b.jsonl");
    assertThat(WorkspacePath.resolve("dataset.path", "/workspace/x//y")).isEqualTo("/workspace/x/y");
  }

  @ParameterizedTest
  @ValueSource(strings = {"foo; rm -rf /", "$(curl evil)", "org/name/extra", "org//name", "-org/name",
      "org/na me", "`id`", "org/name|cat"})
  void modelIdsThatAreNeitherAnIdNorAPathAreRejected(String id) throws IOException {
    String yaml = demo().replaceFirst("(?m)^  id: .*$", java.util.regex.Matcher.quoteReplacement("  id: \"" + id.replace("\"", "\\\"") + "\""));

    assertThat(problems(yaml)).extracting(SpecProblem::path).contains("model.id");
    assertThat(problems(yaml)).filteredOn(p -> p.path().equals("model.id")).singleElement()
        .satisfies(p -> assertThat(p.message()).contains("is neither a Hugging Face model id"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"HuggingFaceTB/SmolLM2-135M-Instruct", "meta-llama/Llama-2-7b-hf", "gpt2",
      "elyza/ELYZA-japanese-Llama-2-7b-instruct", "/workspace/models/base"})
  void realModelIdsAndWorkspacePathsAreAccepted(String id) {
    assertThat(ModelLocation.problem(id)).isEmpty();
  }

  @Test
  void aTokenPastedAsTheSecretNameIsRejectedWithoutEchoingIt() throws IOException {
    String token = "hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789";
    String yaml = demo().replaceFirst("(?m)^model:$", "model:\n  hfTokenSecret: " + token);

    List<SpecProblem> problems = problems(yaml);

    assertThat(problems).extracting(SpecProblem::path).containsExactly("model.hfTokenSecret");
    assertThat(problems.get(0).message()).contains("looks like a token itself (not shown)")
        .doesNotContain(token).doesNotContain("hf_Ab");
  }

  @Test
  void explicitNullsAreProblemsNotSilentDefaults() throws IOException {
    String yaml = demo().replaceFirst("(?m)^  maxBatchSize: .*$", "  maxBatchSize: ~")
        .replaceFirst("(?m)^  method: .*$", "  method: ~");

    assertThat(problems(yaml)).extracting(SpecProblem::path, SpecProblem::message).containsExactlyInAnyOrder(
        tuple("training.method", "must not be empty (null)"),
        tuple("engine.maxBatchSize", "must not be empty (null)"));
  }

  @Test
  void numbersOutOfRangeAreSaidInOurWords() throws IOException {
    String huge = demo().replaceFirst("(?m)^  maxBatchSize: .*$", "  maxBatchSize: 99999999999");
    String infinite = demo().replaceFirst("(?m)^  maxBatchSize: .*$", "  maxBatchSize: 1e400")
        .replaceFirst("(?m)^  learningRate: .*$", "  learningRate: 1e400");

    assertThat(problems(huge)).singleElement().satisfies(p -> assertThat(p.message())
        .isEqualTo("out of range: a whole number of at most 2147483647 is expected, got 99999999999"));
    assertThat(problems(infinite)).extracting(SpecProblem::path, SpecProblem::message).containsExactlyInAnyOrder(
        tuple("training.learningRate", "out of range: a number too large to represent"),
        tuple("engine.maxBatchSize", "out of range: a number too large to represent"));
  }

  @Test
  void anAliasBombIsOneLine() {
    String yaml = """
        a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        """;

    assertThat(problems(yaml)).singleElement().satisfies(p -> {
      assertThat(p.line()).isEqualTo(2);
      assertThat(p.message()).startsWith("YAML aliases (*name) are not supported in specs")
          .endsWith("(27 aliases in the file)");
    });
  }
}
