package fineflow.activities.stages.datasetprep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.activities.stages.ContentDigest;
import fineflow.workflows.contract.Artifact;
import fineflow.activities.stages.StageInputException;
import fineflow.activities.stages.TerminationMessage;
import fineflow.workflows.spec.DatasetFields;
import fineflow.workflows.spec.DatasetFormat;
import fineflow.workflows.spec.InvalidRecordPolicy;
import fineflow.workflows.spec.PromptTemplate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetPrepTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SYSTEM = "あなたは太宰治です。";

  @TempDir
  Path dir;

  @Test
  void seedLikeDatasetIsTemplatedSplitEightyTwentyAndDescribedByItsManifest() throws IOException {
    Path input = write("data.json", jsonArray(100));
    DatasetPrepResult result = DatasetPrep.run(request(input, DatasetFormat.JSON,
        PromptTemplate.LLAMA2_CHAT, InvalidRecordPolicy.FAIL, 2048, dir.resolve("out")));

    List<JsonNode> train = readJsonl(dir.resolve("out/train.jsonl"));
    List<JsonNode> validation = readJsonl(dir.resolve("out/validation.jsonl"));
    assertThat(train).hasSize(80);
    assertThat(validation).hasSize(20);
    Set<String> prompts = new HashSet<>();
    train.forEach(n -> prompts.add(n.get("prompt").asText()));
    validation.forEach(n -> prompts.add(n.get("prompt").asText()));
    assertThat(prompts).hasSize(100);
    JsonNode first = train.get(0).has("prompt") && train.get(0).get("prompt").asText().contains("質問0 ")
        ? train.get(0) : validation.get(0);
    assertThat(first.get("prompt").asText())
        .isEqualTo("<s>[INST] <<SYS>>\n" + SYSTEM + "\n<</SYS>>\n\n質問0 について教えて [/INST]");
    assertThat(first.get("completion").asText()).isEqualTo(" 答え0 です。 </s>");

    DatasetManifest m = result.manifest();
    assertThat(m.counts().total()).isEqualTo(100);
    assertThat(m.counts().valid()).isEqualTo(100);
    assertThat(m.counts().skipped()).isZero();
    assertThat(m.files().get(0).sha256()).isEqualTo(ContentDigest.of(dir.resolve("out/train.jsonl")).sha256());
    assertThat(m.files().get(1).sizeBytes()).isEqualTo(Files.size(dir.resolve("out/validation.jsonl")));
    assertThat(m.tokens().total().min()).isPositive();
    assertThat(m.tokens().total().p95()).isBetween(m.tokens().total().min(), m.tokens().total().max());
    JsonNode written = JSON.readTree(dir.resolve("out/manifest.json").toFile());
    assertThat(written.at("/counts/train").asInt()).isEqualTo(80);
    assertThat(written.at("/tokenEstimate").asText()).isEqualTo(TokenEstimate.RULE);

    String message = result.message().toJson();
    assertThat(message.getBytes(StandardCharsets.UTF_8).length).isLessThan(TerminationMessage.LIMIT_BYTES);
    JsonNode msg = JSON.readTree(message);
    assertThat(msg.at("/metrics/recordsTrain").asDouble()).isEqualTo(80.0);
    assertThat(msg.at("/artifacts/0/name").asText()).isEqualTo("train");
    assertThat(msg.at("/artifacts/0/sha256").asText()).isEqualTo(m.files().get(0).sha256());
    assertThat(msg.at("/simulated").asBoolean()).isFalse();
  }

  /**
   * checkpoint-convert calibrates on this (quantize.py --calib_dataset DIR loads DIR's train
   * split and reads its "text" column), so an air-gapped cluster never needs a Hub dataset.
   */
  @Test
  void theTrainingSplitIsAlsoWrittenAsCalibrationText() throws IOException {
    Path input = write("data.json", jsonArray(10));
    DatasetPrep.run(request(input, DatasetFormat.JSON, PromptTemplate.LLAMA2_CHAT,
        InvalidRecordPolicy.FAIL, 2048, dir.resolve("out")));

    List<JsonNode> train = readJsonl(dir.resolve("out/train.jsonl"));
    List<JsonNode> calibration = readJsonl(dir.resolve("out/" + DatasetPrep.CALIBRATION_DIR + "/train.jsonl"));
    assertThat(calibration).hasSameSizeAs(train);
    for (int i = 0; i < train.size(); i++) {
      assertThat(calibration.get(i).get("text").asText()).isEqualTo(
          train.get(i).get("prompt").asText() + train.get(i).get("completion").asText());
      assertThat(calibration.get(i).size()).isEqualTo(1);
    }
  }

  @Test
  void sameInputAndSeedGiveTheSameSplitAnotherSeedAnother() throws IOException {
    Path input = write("data.json", jsonArray(50));
    DatasetPrep.run(request(input, DatasetFormat.JSON, PromptTemplate.PLAIN, InvalidRecordPolicy.FAIL,
        2048, dir.resolve("a")));
    DatasetPrep.run(request(input, DatasetFormat.JSON, PromptTemplate.PLAIN, InvalidRecordPolicy.FAIL,
        2048, dir.resolve("b")));
    DatasetPrepRequest otherSeed = PrepRequests.of(input, DatasetFormat.JSON, PromptTemplate.PLAIN,
        SYSTEM, null, 0.2, 7, InvalidRecordPolicy.FAIL, 2048, 0, dir.resolve("c"));
    DatasetPrep.run(otherSeed);

    assertThat(Files.readAllBytes(dir.resolve("a/validation.jsonl")))
        .isEqualTo(Files.readAllBytes(dir.resolve("b/validation.jsonl")));
    assertThat(Files.readString(dir.resolve("c/validation.jsonl")))
        .isNotEqualTo(Files.readString(dir.resolve("a/validation.jsonl")));
  }

  /**
   * The pipeline's layout (--content-addressed): the files land in out/<sha256 of the folder>,
   * renamed into place whole; the same data gives the same folder, other data (the file changed
   * in place) another one beside it, and the result leads with the sha the later stages are
   * keyed by.
   */
  @Test
  void contentAddressedOutputIsNamedAfterItsDigestAndChangesWithTheData() throws IOException {
    Path input = write("data.json", jsonArray(50));
    Path out = dir.resolve("out");
    DatasetPrepResult first = DatasetPrep.runContentAddressed(request(input, DatasetFormat.JSON,
        PromptTemplate.PLAIN, InvalidRecordPolicy.FAIL, 2048, out));
    String sha = first.message().info().get(DatasetPrep.SHA_INFO);

    assertThat(first.message().info().keySet()).first().isEqualTo("sha");
    assertThat(sha).matches("[0-9a-f]{64}").isEqualTo(ContentDigest.of(out.resolve(sha)).sha256());
    assertThat(out.resolve(sha).resolve("train.jsonl")).exists();
    assertThat(out.resolve(sha).resolve(DatasetPrep.CALIBRATION_DIR).resolve("train.jsonl")).exists();
    assertThat(first.message().artifacts()).extracting(Artifact::path)
        .allSatisfy(p -> assertThat(p).startsWith(out.resolve(sha).toAbsolutePath() + "/"));
    assertThat(JSON.readTree(out.resolve(sha).resolve("manifest.json").toFile()).get("input")
        .get("sha256").asText()).isEqualTo(ContentDigest.of(input).sha256());

    DatasetPrepResult again = DatasetPrep.runContentAddressed(request(input, DatasetFormat.JSON,
        PromptTemplate.PLAIN, InvalidRecordPolicy.FAIL, 2048, out));
    assertThat(again.message().info().get(DatasetPrep.SHA_INFO)).isEqualTo(sha);

    write("data.json", jsonArray(25));
    DatasetPrepResult truncated = DatasetPrep.runContentAddressed(request(input, DatasetFormat.JSON,
        PromptTemplate.PLAIN, InvalidRecordPolicy.FAIL, 2048, out));
    String other = truncated.message().info().get(DatasetPrep.SHA_INFO);
    assertThat(other).isNotEqualTo(sha);
    // No staging folder is left, and the first run's folder is untouched for whoever reads it.
    try (var listing = Files.list(out)) {
      assertThat(listing.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(sha, other);
    }
    assertThat(ContentDigest.of(out.resolve(sha)).sha256()).isEqualTo(sha);
  }

  @Test
  void everyBadJsonlRecordIsReportedWithItsLineAndSkippedUnderSkip() throws IOException {
    String longText = "長".repeat(300);
    Path input = write("data.jsonl", String.join("\n",
        "{\"instruction\": \"a\", \"output\": \"x\"}",               // line 1 ok
        "{\"instruction\": \"b\"}",                                  // line 2 missing output
        "",                                                          // line 3 blank
        "{\"instruction\": \"  \", \"output\": \"y\"}",              // line 4 empty instruction
        "{\"instruction\": 5, \"output\": \"z\"}",                   // line 5 wrong type
        "{\"instruction\": \"a\", \"output\": \"x\"}",               // line 6 duplicate of line 1
        "{\"instruction\": \"c\", \"output\": \"x\"",                // line 7 malformed
        "{\"instruction\": \"" + longText + "\", \"output\": \"w\"}", // line 8 too long
        "[1, 2]",                                                    // line 9 not an object
        "{\"instruction\": \"d\", \"output\": \"v\", \"input\": \"ctx\"}", // line 10 ok
        "{\"instruction\": \"e\", \"output\": \"u\", \"system\": \"be brief\"}" // line 11 ok
    ) + "\n");
    DatasetPrepResult result = DatasetPrep.run(request(input, DatasetFormat.JSONL,
        PromptTemplate.LLAMA2_CHAT, InvalidRecordPolicy.SKIP, 200, dir.resolve("out")));

    DatasetManifest m = result.manifest();
    assertThat(m.counts().total()).isEqualTo(10);
    assertThat(m.counts().valid()).isEqualTo(3);
    assertThat(m.counts().skipped()).isEqualTo(7);
    assertThat(m.counts().problems()).containsEntry("missing-field", 1).containsEntry("empty-field", 1)
        .containsEntry("wrong-type", 1).containsEntry("duplicate", 1).containsEntry("malformed-json", 1)
        .containsEntry("too-long", 1).containsEntry("not-an-object", 1);
    assertThat(m.problems()).hasSize(7);
    assertThat(m.problems().get(0)).startsWith("line 2 (record 1): missing-field");
    assertThat(m.problems()).anySatisfy(p -> assertThat(p).startsWith("line 6 (record 4): duplicate")
        .contains("record 0 (line 1)"));
    assertThat(m.problems()).anySatisfy(p -> assertThat(p).matches("line 7, column \\d+ \\(record 5\\): malformed-json.*"));
    assertThat(m.problems()).anySatisfy(p -> assertThat(p).startsWith("line 8 (record 6): too-long")
        .contains("over max input length 200"));

    List<JsonNode> all = new ArrayList<>(readJsonl(dir.resolve("out/train.jsonl")));
    all.addAll(readJsonl(dir.resolve("out/validation.jsonl")));
    assertThat(all).extracting(n -> n.get("prompt").asText()).containsExactlyInAnyOrder(
        "<s>[INST] <<SYS>>\n" + SYSTEM + "\n<</SYS>>\n\na [/INST]",
        "<s>[INST] <<SYS>>\n" + SYSTEM + "\n<</SYS>>\n\nd\n\nctx [/INST]",
        "<s>[INST] <<SYS>>\nbe brief\n<</SYS>>\n\ne [/INST]");
    assertThat(JSON.readTree(result.message().toJson()).at("/info/problems").asText())
        .contains("duplicate=1");
  }

  @Test
  void policyFailRejectsTheDatasetListingEveryBadRecordAndWritesNothing() throws IOException {
    Path input = write("data.jsonl", "{\"instruction\": \"a\", \"output\": \"x\"}\n"
        + "{\"instruction\": \"b\", \"output\": \"\"}\n"
        + "{\"question\": \"c\", \"output\": \"x\"}\n");
    Path out = dir.resolve("out");
    assertThatThrownBy(() -> DatasetPrep.run(request(input, DatasetFormat.JSONL, PromptTemplate.PLAIN,
        InvalidRecordPolicy.FAIL, 2048, out)))
        .isInstanceOf(StageInputException.class)
        .hasMessageStartingWith("2 of 3 records are invalid")
        .hasMessageContaining("the data is wrong")
        .hasMessageContaining("onInvalid: skip")
        .satisfies(e -> assertThat(((StageInputException) e).problems()).containsExactly(
            "line 2 (record 1): empty-field: field \"output\" is empty",
            "line 3 (record 2): missing-field: missing field \"instruction\""));
    assertThat(out).doesNotExist();
  }

  @Test
  void malformedJsonArrayFailsWithLineAndColumnWhateverThePolicy() throws IOException {
    Path input = write("data.json", "[\n  {\"instruction\": \"a\", \"output\": \"x\"},\n"
        + "  {\"instruction\": \"b\" \"output\": \"y\"}\n]\n");
    assertThatThrownBy(() -> DatasetPrep.run(request(input, DatasetFormat.JSON, PromptTemplate.PLAIN,
        InvalidRecordPolicy.SKIP, 2048, dir.resolve("out"))))
        .isInstanceOf(StageInputException.class)
        .hasMessageContaining("(line 3, column 23): malformed JSON");
  }

  @Test
  void aJsonObjectInsteadOfAnArraySuggestsJsonl() throws IOException {
    Path input = write("data.json", "{\"instruction\": \"a\", \"output\": \"x\"}\n");
    assertThatThrownBy(() -> DatasetPrep.run(request(input, DatasetFormat.JSON, PromptTemplate.PLAIN,
        InvalidRecordPolicy.SKIP, 2048, dir.resolve("out"))))
        .isInstanceOf(StageInputException.class)
        .hasMessageContaining("line 1, column 1")
        .hasMessageContaining("use format jsonl");
  }

  @Test
  void arrayRecordsReportTheirIndexAndLine() throws IOException {
    Path input = write("data.json", "[\n  {\"instruction\": \"a\", \"output\": \"x\"},\n"
        + "  {\"instruction\": \"b\", \"output\": \"y\"},\n"
        + "  {\"instruction\": \"c\", \"output\": null}\n]\n");
    assertThatThrownBy(() -> DatasetPrep.run(request(input, DatasetFormat.JSON, PromptTemplate.PLAIN,
        InvalidRecordPolicy.FAIL, 2048, dir.resolve("out"))))
        .satisfies(e -> assertThat(((StageInputException) e).problems())
            .containsExactly("line 4 (record 2): missing-field: missing field \"output\""));
  }

  @Test
  void configuredFieldNamesAndThePlainTemplate() throws IOException {
    Path input = write("data.jsonl",
        "{\"q\": \"Translate\", \"a\": \"Bonjour\", \"ctx\": \"Hello\", \"sys\": \"You translate.\"}\n"
            + "{\"q\": \"Greet\", \"a\": \"Hi\"}\n");
    DatasetPrepRequest r = PrepRequests.of(input, DatasetFormat.JSONL, PromptTemplate.PLAIN, "",
        new DatasetFields("q", "a", "ctx", "sys"), 0.5, 42, InvalidRecordPolicy.FAIL, 2048, 0,
        dir.resolve("out"));
    DatasetPrep.run(r);
    List<JsonNode> all = new ArrayList<>(readJsonl(dir.resolve("out/train.jsonl")));
    all.addAll(readJsonl(dir.resolve("out/validation.jsonl")));
    assertThat(all).extracting(n -> n.get("prompt").asText() + "|" + n.get("completion").asText())
        .containsExactlyInAnyOrder(
            "You translate.\n\n### Instruction:\nTranslate\n\n### Input:\nHello\n\n### Response:\n|Bonjour",
            "### Instruction:\nGreet\n\n### Response:\n|Hi");
  }

  @Test
  void promptPlusCompletionIsCheckedAgainstTheTrainingLengthWhenGiven() throws IOException {
    Path input = write("data.jsonl", "{\"instruction\": \"a\", \"output\": \"" + "x".repeat(600) + "\"}\n"
        + "{\"instruction\": \"b\", \"output\": \"y\"}\n{\"instruction\": \"c\", \"output\": \"z\"}\n");
    DatasetPrepRequest r = PrepRequests.of(input, DatasetFormat.JSONL, PromptTemplate.PLAIN, "",
        null, 0.5, 42, InvalidRecordPolicy.SKIP, 2048, 100, dir.resolve("out"));
    DatasetManifest m = DatasetPrep.run(r).manifest();
    assertThat(m.counts().valid()).isEqualTo(2);
    assertThat(m.problems()).singleElement().asString().contains("over max sequence length 100");
  }

  @Test
  void tooFewValidRecordsToSplitIsBadInput() throws IOException {
    Path input = write("data.jsonl", "{\"instruction\": \"a\", \"output\": \"x\"}\n{\"instruction\": 1}\n");
    assertThatThrownBy(() -> DatasetPrep.run(request(input, DatasetFormat.JSONL, PromptTemplate.PLAIN,
        InvalidRecordPolicy.SKIP, 2048, dir.resolve("out"))))
        .isInstanceOf(StageInputException.class)
        .hasMessageContaining("only 1 valid record(s) of 2");
  }

  @Test
  void missingFileIsBadInput() {
    assertThatThrownBy(() -> DatasetPrep.run(request(dir.resolve("nope.json"), DatasetFormat.JSON,
        PromptTemplate.PLAIN, InvalidRecordPolicy.SKIP, 2048, dir.resolve("out"))))
        .isInstanceOf(StageInputException.class)
        .hasMessageContaining("dataset file not found");
  }

  @Test
  void aSymlinkOffTheWorkspaceIsRefusedBeforeAnyLineIsRead() throws IOException {
    Path secret = Files.writeString(Files.createTempFile("outside", ".jsonl"), "root:x:0:0:root:/root:/bin/bash\n");
    Path link = Files.createSymbolicLink(dir.resolve("data.jsonl"), secret);
    try {
      assertThatThrownBy(() -> DatasetPrep.run(request(link, DatasetFormat.JSONL, PromptTemplate.PLAIN,
          InvalidRecordPolicy.FAIL, 2048, dir.resolve("out"))))
          .isInstanceOf(StageInputException.class)
          .hasMessageContaining("is a symbolic link; dataset-prep reads only regular files")
          .hasMessageNotContaining("root:x");
      assertThat(dir.resolve("out")).doesNotExist();
    } finally {
      Files.delete(secret);
    }
  }

  private static DatasetPrepRequest request(Path input, DatasetFormat format, PromptTemplate template,
                                            InvalidRecordPolicy policy, int maxInput, Path out) {
    return PrepRequests.of(input, format, template, SYSTEM, DatasetFields.defaults(), 0.2, 42,
        policy, maxInput, 0, out);
  }

  private static String jsonArray(int n) {
    StringBuilder s = new StringBuilder("[\n");
    for (int i = 0; i < n; i++) {
      s.append("  {\"instruction\": \"質問").append(i).append(" について教えて\", \"output\": \"答え")
          .append(i).append(" です。\"}").append(i < n - 1 ? ",\n" : "\n");
    }
    return s.append("]\n").toString();
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  private static List<JsonNode> readJsonl(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      out.add(JSON.readTree(line));
    }
    return out;
  }
}
