package fineflow.workflows.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import org.junit.jupiter.api.Test;

class SpecLoaderTest {

  private static List<SpecProblem> problems(String yaml) {
    try {
      SpecLoader.load(yaml, "test.yaml");
    } catch (SpecException e) {
      return e.problems();
    }
    throw new AssertionError("expected problems, the spec loaded");
  }

  @Test
  void fiveDifferentMistakesGiveFivePathsWithLines() {
    String yaml = """
        apiVersion: fineflow/v1
        kind: Pipeline
        metadata:
          name: five-mistakes
        model:
          id: elyza/ELYZA-japanese-Llama-2-7b-instruct
        dataset:
          path: data.json
        training:
          method: lora
          epochs: three
          lora:
            r: 0
        engine:
          maxBatchSise: 16
        serving:
          backend: tritonn
          tritonMaxBatchSize: 8
        """;
    assertThat(problems(yaml))
        .extracting(SpecProblem::path, SpecProblem::line, SpecProblem::column)
        .containsExactly(
            tuple("training.epochs", 11, 3),
            tuple("training.lora.r", 13, 5),
            tuple("engine.maxBatchSise", 15, 3),
            tuple("serving.backend", 17, 3),
            tuple("serving.tritonMaxBatchSize", 18, 3));
    List<String> messages = problems(yaml).stream().map(SpecProblem::message).toList();
    assertThat(messages.get(0)).isEqualTo("expected a whole number, got \"three\"");
    assertThat(messages.get(1)).isEqualTo("must be > 0, got 0");
    assertThat(messages.get(2)).contains("unknown key \"maxBatchSise\"", "did you mean \"maxBatchSize\"");
    assertThat(messages.get(3)).contains("unknown value \"tritonn\"", "triton, trtllm-serve, vllm");
    // A key specs once had says what replaced it.
    assertThat(messages.get(4)).contains("serving.tritonMaxBatchSize was removed", "engine.maxBatchSize");
  }

  @Test
  void theExceptionMessageNamesSourceAndEveryProblem() {
    assertThatThrownBy(() -> SpecLoader.load("kind: Pipeline\nmetadata: {name: x}\nmodel: {id: m}\nfoo: 1\nbar: 2\n", "my.yaml"))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("my.yaml")
        .hasMessageContaining("foo (line 4, column 1): unknown key \"foo\"")
        .hasMessageContaining("bar (line 5, column 1)");
  }

  @Test
  void everyUnknownKeyIsFoundNotJustTheFirst() {
    String yaml = """
        metadata:
          name: demo
          nmae: typo
        model:
          id: m
          architecture:
            hidden_size: 4096
        training:
          lora:
            rank: 4
        cluster:
          gpus: 2
          tolerations:
            - {key: gpu, operater: Exists}
        servng:
          backend: vllm
          replicas: 2
        """;
    assertThat(problems(yaml)).filteredOn(p -> p.message().startsWith("unknown key"))
        .extracting(SpecProblem::path).containsExactly(
        "metadata.nmae", "model.architecture.hidden_size", "training.lora.rank", "cluster.gpus",
        "cluster.tolerations[0].operater", "servng");
    assertThat(problems(yaml)).filteredOn(p -> p.path().equals("servng"))
        .singleElement().satisfies(p -> assertThat(p.message()).contains("did you mean \"serving\""));
    assertThat(problems(yaml)).filteredOn(p -> p.path().equals("model.architecture.hidden_size"))
        .singleElement().satisfies(p -> {
          assertThat(p.message()).contains("did you mean \"hiddenSize\"");
          assertThat(p.line()).isEqualTo(7);
        });
    assertThat(problems(yaml)).filteredOn(p -> p.path().equals("metadata.nmae"))
        .singleElement().satisfies(p -> assertThat(p.message()).contains("did you mean \"name\""));
  }

  @Test
  void badListItemsKeepTheirOwnIndexes() {
    String yaml = """
        metadata: {name: demo}
        model: {id: m}
        benchmark:
          concurrency: [1, "a", 4, "b"]
        """;
    assertThat(problems(yaml))
        .extracting(SpecProblem::path, SpecProblem::line)
        .containsExactly(tuple("benchmark.concurrency[1]", 4), tuple("benchmark.concurrency[3]", 4));
  }

  @Test
  void aSectionGivenAsAValueIsReportedAndTheRestStillChecked() {
    String yaml = """
        metadata: {name: demo}
        model: {id: m}
        engine: 16
        serving:
          replicas: 0
        """;
    assertThat(problems(yaml))
        .extracting(SpecProblem::path, SpecProblem::message)
        .containsExactly(
            tuple("engine", "expected a mapping, got 16"),
            tuple("serving.replicas", "must be > 0, got 0"));
  }

  @Test
  void floatForAnIntegerIsAnErrorNotTruncated() {
    assertThat(problems("metadata: {name: demo}\nmodel: {id: m}\nengine: {maxBatchSize: 2.5}\n"))
        .extracting(SpecProblem::path).containsExactly("engine.maxBatchSize");
  }

  @Test
  void malformedYamlHasTheParsersPosition() {
    String yaml = "metadata:\n  name: demo\nmodel: {id: m\nengine:\n";
    assertThat(problems(yaml)).singleElement().satisfies(p -> {
      assertThat(p.message()).startsWith("malformed YAML");
      assertThat(p.line()).isGreaterThan(1);
    });
  }

  @Test
  void duplicateKeysAreReported() {
    String yaml = "metadata: {name: demo}\nmodel: {id: m}\nengine:\n  maxBatchSize: 4\n  maxBatchSize: 8\n";
    assertThat(problems(yaml)).singleElement().satisfies(p -> {
      assertThat(p.path()).isEqualTo("engine.maxBatchSize");
      assertThat(p.line()).isEqualTo(5);
      assertThat(p.message()).contains("duplicate key");
    });
  }

  @Test
  void secondDocumentIsReported() {
    String yaml = "metadata: {name: demo}\nmodel: {id: m}\n---\nmetadata: {name: other}\n";
    assertThat(problems(yaml)).singleElement().satisfies(p -> {
      assertThat(p.message()).contains("only one YAML document");
      assertThat(p.line()).isEqualTo(3);
    });
  }

  @Test
  void apiVersionKindAndRequiredFields() {
    String yaml = "apiVersion: fineflow/v2\nkind: Job\nmetadata:\n  labels: {a: b}\n";
    assertThat(problems(yaml))
        .extracting(SpecProblem::path, SpecProblem::line)
        .containsExactly(
            tuple("apiVersion", 1), tuple("kind", 2),
            // metadata.name is missing: positioned at its section.
            tuple("metadata.name", 3),
            // model is missing entirely: no position.
            tuple("model", 0));
  }

  @Test
  void emptyAndNonMappingSpecs() {
    assertThat(problems("")).singleElement().satisfies(p -> assertThat(p.message()).contains("empty"));
    assertThat(problems("# only a comment\n")).singleElement()
        .satisfies(p -> assertThat(p.message()).contains("empty"));
    assertThat(problems("- a\n- b\n")).singleElement()
        .satisfies(p -> assertThat(p.message()).contains("a spec is a YAML mapping", "got a list"));
  }

  @Test
  void minimalSpecGetsTheDefaults() {
    PipelineSpec spec = SpecLoader.load("metadata: {name: tiny}\nmodel: {id: org/model}\n", "min.yaml");
    assertThat(spec.apiVersion()).isEqualTo("fineflow/v1");
    assertThat(spec.fineTunes()).isFalse();
    assertThat(spec.serving().backend()).isEqualTo(ServingBackend.TRITON);
    assertThat(spec.engine().maxBatchSize()).isEqualTo(16);
    assertThat(spec.model().tokenizer()).isEqualTo("org/model");
  }

  @Test
  void warningsArePositionedAndDoNotFail() {
    String yaml = """
        metadata: {name: demo}
        model: {id: m}
        engine: {maxBatchSize: 4}
        benchmark:
          concurrency: [1, 8]
        """;
    LoadedSpec loaded = SpecLoader.parse(yaml, "w.yaml");
    assertThat(loaded.warnings()).singleElement().satisfies(w -> {
      assertThat(w.path()).isEqualTo("benchmark.concurrency");
      assertThat(w.line()).isEqualTo(5);
      assertThat(w.message()).contains("above engine.maxBatchSize (4)");
    });
  }

  @Test
  void mapKeysWithDotsArePathsOfTheirOwn() {
    String yaml = """
        metadata: {name: demo}
        model: {id: m}
        cluster:
          nodeSelector:
            nvidia.com/gpu.product: NVIDIA-H100-PCIe
          tolerations:
            - {key: gpu, operator: Exists, value: x}
        """;
    assertThat(problems(yaml)).extracting(SpecProblem::path, SpecProblem::line)
        .containsExactly(tuple("cluster.tolerations[0].value", 7));
  }

  @Test
  void emptyListItemsAndMapValuesArePointedAt() {
    String yaml = """
        metadata: {name: demo}
        model: {id: m}
        benchmark: {concurrency: [1, ~, 4]}
        cluster: {nodeSelector: {zone: ~}}
        """;
    assertThat(problems(yaml)).extracting(SpecProblem::path, SpecProblem::line, SpecProblem::message)
        .containsExactly(
            tuple("benchmark.concurrency[1]", 3, "must not be empty (null)"),
            tuple("cluster.nodeSelector.zone", 4, "must not be empty (null)"));
  }

  @Test
  void aliasesAreRejectedWithTheirPosition() {
    String yaml = "metadata: {name: demo}\nmodel: &m {id: m}\nengine: {lora: *m}\n";
    assertThat(problems(yaml)).singleElement().satisfies(p -> {
      assertThat(p.path()).isEqualTo("engine.lora");
      assertThat(p.line()).isEqualTo(3);
      assertThat(p.message()).contains("aliases");
    });
  }

  @Test
  void tabsGiveSnakeYamlsExplanation() {
    assertThat(problems("metadata:\n\tname: demo\n")).singleElement().satisfies(p -> {
      assertThat(p.line()).isEqualTo(2);
      assertThat(p.message()).contains("malformed YAML", "TAB");
    });
  }
}
