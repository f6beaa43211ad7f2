package fineflow.workflows.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import fineflow.workflows.contract.CleanupResult;
import fineflow.workflows.contract.FailureType;
import fineflow.workflows.contract.StageProgress;
import fineflow.workflows.gate.BenchmarkPoint;
import fineflow.workflows.gate.BenchmarkSummary;
import fineflow.workflows.plan.OutputPin;
import fineflow.workflows.contract.CleanupRequest;
import fineflow.workflows.plan.Plan;
import fineflow.workflows.plan.Resources;
import fineflow.workflows.plan.StageKind;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.PlanDiff;
import fineflow.workflows.plan.Planner;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.plan.TrainParams;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecLoader;
import fineflow.workflows.spec.SpecPatch;
import fineflow.workflows.spec.SpecYaml;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PipelineWorkflowTest {
  private static final String NAMESPACE = "ml";
  private static final ObjectWriter PRINTER = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).writerWithDefaultPrettyPrinter();
  private PipelineTestEnv temporal;
  private FakeCluster cluster;

  @BeforeEach
  void startServer() {
    temporal = new PipelineTestEnv();
    cluster = temporal.cluster;
    cluster.secrets.put(TestPlans.HF_SECRET, "hf_token_of_the_test");
  }

  @AfterEach
  void stopServer() {
    temporal.close();
  }

  private static PipelineRequest request(String runId, Plan plan, PipelineSpec spec) {
    return new PipelineRequest(runId, NAMESPACE, spec, plan);
  }

  private static PipelineRequest request(String runId, String variant) {
    PipelineSpec spec = TestPlans.spec("dazai");
    return request(runId, TestPlans.plan(spec, variant), spec);
  }

  private SearchAttributes attributes(String runId) {
    return temporal.describe(runId).getTypedSearchAttributes();
  }

  @Test
  void runsEveryStageInPlanOrderAndRecordsResults() {
    temporal.start(request("dazai-00000001", "v1"));

    RunOutcome outcome = temporal.result("dazai-00000001");

    assertThat(cluster.launched).containsExactly(
        TestPlans.EIGHT.stream().map(StageName::id).toArray(String[]::new));
    assertThat(outcome.stages()).filteredOn(row -> row.stage() != StageName.BASELINE && row.stage() != StageName.MODEL_FETCH)
        .allSatisfy(row -> {
      assertThat(row.state()).isEqualTo(StageState.SUCCEEDED);
      assertThat(row.launch().count()).isEqualTo(1);
      assertThat(row.result().artifacts()).singleElement()
          .satisfies(a -> assertThat(a.sha256()).startsWith("sha256-of-"));
      assertThat(row.launch().podName()).isEqualTo(row.launch().objectName() + "-pod");
      assertThat(row.elapsed()).isGreaterThanOrEqualTo(FakeCluster.DEFAULT_RUNTIME);
    });
    assertThat(outcome.specRevision()).isEqualTo(1);
    assertThat(cluster.cache).hasSize(8);
    var converter = temporal.client.getOptions().getDataConverter();
    assertThat(temporal.history("dazai-00000001").getEvents().stream()
        .filter(e -> e.hasActivityTaskScheduledEventAttributes())
        .map(e -> converter.fromPayload(e.getUserMetadata().getSummary(), String.class,
            String.class)))
        .containsExactlyElementsOf(TestPlans.EIGHT.stream()
            .map(name -> name.id() + " launch 1, revision 1: " + name.id() + " with img/" + name.id() + ":1")
            .toList());
    SearchAttributes attributes = attributes("dazai-00000001");
    assertThat(attributes.get(RunSearchAttributes.STATE)).isEqualTo("succeeded");
    assertThat(attributes.get(RunSearchAttributes.STAGE)).isEqualTo("benchmark");
    assertThat(attributes.get(RunSearchAttributes.MODEL)).isEqualTo(TestPlans.MODEL);
    assertThat(attributes.get(RunSearchAttributes.BACKEND)).isEqualTo("triton");
    assertThat(attributes.get(RunSearchAttributes.REVISION)).isEqualTo(1L);
    WorkflowExecutionDescription description = temporal.describe("dazai-00000001");
    assertThat(description.getStaticSummary()).startsWith("lora fine-tune of " + TestPlans.MODEL);
    assertThat(description.getMemo(PipelineWorkflowImpl.MEMO_SPEC_DIGEST, String.class))
        .isEqualTo(TestPlans.sha256("v1"));
  }

  /**
   * model-fetch runs first; the commit it recorded, not the branch name, reaches the stages
   * after it: train reads that snapshot and is keyed by it, and a moved branch re-trains.
   */
  @Test
  void modelFetchsRecordedCommitKeysAndLocatesTheStagesAfterIt() {
    PipelineSpec spec = TestPlans.spec("dazai");
    Plan plan = Planner.plan(spec);
    temporal.start(request("dazai-00000021", plan, spec));
    temporal.result("dazai-00000021");

    assertThat(cluster.launched).first().isEqualTo("model-fetch");
    String fetchKey = plan.stage(StageName.MODEL_FETCH).orElseThrow().cacheKey();
    String sha = TestPlans.sha256(fetchKey).substring(0, 40);
    Stage train = cluster.launchedStages.stream().filter(s -> s.name() == StageName.TRAIN)
        .findFirst().orElseThrow();
    TrainParams params = train.params(TrainParams.class);
    assertThat(params.model()).isEqualTo(
        "/workspace/hf-cache/hub/models--" + TestPlans.MODEL.replace("/", "--") + "/snapshots/" + sha);
    assertThat(params.revision()).isEqualTo(sha);
    assertThat(params.json()).doesNotContain("\"main\"");
    assertThat(train.cacheKey()).isNotEqualTo(plan.stage(StageName.TRAIN).orElseThrow().cacheKey())
        .isEqualTo(TestPlans.pinned(plan).stage(StageName.TRAIN).orElseThrow().cacheKey());
    assertThat(train.argv()).anySatisfy(a -> assertThat(a).contains("/train-" + train.shortKey()));
    // Another commit (the branch moved) is another key for every stage that reads the model.
    String prepKey = plan.stage(StageName.DATASET_PREP).orElseThrow().cacheKey();
    Plan moved = plan.pinned(List.of(new OutputPin(StageName.MODEL_FETCH, fetchKey, "f".repeat(40)),
        new OutputPin(StageName.DATASET_PREP, prepKey, FakeCluster.datasetSha("dataset v1"))));
    assertThat(moved.stage(StageName.TRAIN).orElseThrow().cacheKey()).isNotEqualTo(train.cacheKey());
    assertThat(moved.stage(StageName.DATASET_PREP).orElseThrow().cacheKey())
        .isEqualTo(prepKey);
  }

  private static StageStatus row(RunOutcome outcome, StageName stage) {
    return outcome.stages().stream().filter(r -> r.stage() == stage).findFirst().orElseThrow();
  }

  private static String shortSha(String content) {
    return FakeCluster.datasetSha(content).substring(0, 12);
  }

  /**
   * Issue 13: the dataset truncated in place (same path, same spec) used to leave every key as
   * it was, and the next run trained on nothing new from the cache. dataset-prep runs on every
   * run, its digest keys train, and train re-runs saying which input changed; the same content
   * keeps train cached.
   */
  @Test
  void aDatasetChangedInPlaceReTrainsAndSaysWhichInputChanged() {
    PipelineSpec spec = TestPlans.spec("dazai");
    Plan plan = Planner.plan(spec);
    temporal.start(request("dazai-00000031", plan, spec));
    temporal.result("dazai-00000031");

    temporal.start(request("dazai-00000032", plan, spec));
    RunOutcome same = temporal.result("dazai-00000032");
    assertThat(row(same, StageName.DATASET_PREP).state()).isEqualTo(StageState.SUCCEEDED);
    assertThat(row(same, StageName.TRAIN).state()).isEqualTo(StageState.CACHED);
    assertThat(row(same, StageName.TRAIN).identity().keyChange()).isNull();
    assertThat(cluster.launches(StageName.TRAIN)).isEqualTo(1);

    cluster.datasetContent = "dataset v1, half of its records";
    temporal.start(request("dazai-00000033", plan, spec));
    RunOutcome changed = temporal.result("dazai-00000033");

    assertThat(cluster.launches(StageName.DATASET_PREP)).isEqualTo(3);
    assertThat(cluster.launches(StageName.TRAIN)).isEqualTo(2);
    StageStatus train = row(changed, StageName.TRAIN);
    assertThat(train.state()).isEqualTo(StageState.SUCCEEDED);
    assertThat(train.identity().keyChange()).isEqualTo("dataset-prep's output changed (sha "
        + shortSha("dataset v1") + " → " + shortSha("dataset v1, half of its records") + ")");
    assertThat(row(changed, StageName.LORA_CONVERT).identity().keyChange()).isEqualTo(train.identity().keyChange());
    // The base model's engine (LoRA is loaded at serving time) reads no dataset: still cached.
    assertThat(row(changed, StageName.ENGINE_BUILD).state()).isEqualTo(StageState.CACHED);
    assertThat(row(changed, StageName.ENGINE_BUILD).identity().keyChange()).isNull();
    assertThat(row(changed, StageName.MODEL_FETCH).identity().keyChange()).isNull();
    List<Stage> trains = cluster.launchedStages.stream().filter(s -> s.name() == StageName.TRAIN).toList();
    Stage launched = trains.get(trains.size() - 1);
    assertThat(launched.params(TrainParams.class).trainFile()).isEqualTo("/workspace/cache/dataset-prep-"
        + plan.stage(StageName.DATASET_PREP).orElseThrow().shortKey() + "/"
        + FakeCluster.datasetSha("dataset v1, half of its records") + "/train.jsonl");
    assertThat(launched.cacheKey()).isEqualTo(TestPlans.pinned(plan, "dataset v1, half of its records")
        .stage(StageName.TRAIN).orElseThrow().cacheKey());
  }

  /**
   * model-fetch runs on every run too: the same spec ({@code revision: main}, or a workspace
   * model directory) with another recorded sha re-runs everything that reads the model.
   */
  @Test
  void anotherModelShaOnTheNextRunReRunsWhatReadsTheModel() {
    PipelineSpec spec = TestPlans.spec("dazai");
    Plan plan = Planner.plan(spec);
    temporal.start(request("dazai-00000035", plan, spec));
    temporal.result("dazai-00000035");
    String before = TestPlans.sha256(plan.stage(StageName.MODEL_FETCH).orElseThrow().cacheKey())
        .substring(0, 12);

    cluster.modelSha = "e".repeat(40);
    temporal.start(request("dazai-00000036", plan, spec));
    RunOutcome moved = temporal.result("dazai-00000036");

    assertThat(cluster.launches(StageName.MODEL_FETCH)).isEqualTo(2);
    assertThat(cluster.launches(StageName.TRAIN)).isEqualTo(2);
    assertThat(cluster.launches(StageName.ENGINE_BUILD)).isEqualTo(2);
    assertThat(row(moved, StageName.TRAIN).identity().keyChange()).isEqualTo("model-fetch's output changed (sha "
        + before + " → eeeeeeeeeeee)");
    assertThat(row(moved, StageName.DATASET_PREP).identity().keyChange()).isNull();
  }

  /** The dataset fixed while the run is paused: the resume re-reads it and re-trains, saying so. */
  @Test
  void aResumeAfterTheDatasetChangedReTrainsWithinTheRun() {
    PipelineSpec spec = TestPlans.spec("dazai");
    Plan plan = Planner.plan(spec);
    cluster.failingKeys.put(TestPlans.pinned(plan).stage(StageName.ENGINE_BUILD).orElseThrow().cacheKey(),
        FailureType.OUT_OF_MEMORY);
    PipelineWorkflow run = temporal.start(request("dazai-00000034", plan, spec));
    temporal.sleep(Duration.ofHours(2));
    assertThat(run.progress().runState()).isEqualTo(RunState.PAUSED);

    cluster.datasetContent = "dataset v2";
    PlanDiff diff = run.resume(ResumeRequest.assignments(List.of("engine.maxBatchSize=8")));
    RunOutcome outcome = temporal.result("dazai-00000034");

    assertThat(diff.kept()).contains(StageName.TRAIN);
    assertThat(diff.checked()).containsExactly(StageName.MODEL_FETCH, StageName.DATASET_PREP);
    assertThat(cluster.launches(StageName.TRAIN)).isEqualTo(2);
    assertThat(row(outcome, StageName.TRAIN).identity().keyChange()).isEqualTo("dataset-prep's output changed (sha "
        + shortSha("dataset v1") + " → " + shortSha("dataset v2") + ")");
    // engine.maxBatchSize is not in train's key: only the new digest re-keyed it.
    assertThat(row(outcome, StageName.TRAIN).identity().cacheKey()).isEqualTo(TestPlans.pinned(plan, "dataset v2")
        .stage(StageName.TRAIN).orElseThrow().cacheKey());
  }

  @Test
  void stagesWithRecordedKeysAreCachedInTheNextRun() {
    temporal.start(request("dazai-00000001", "v1"));
    temporal.result("dazai-00000001");

    temporal.start(request("dazai-00000002", "v1"));
    RunOutcome second = temporal.result("dazai-00000002");

    // dataset-prep reads a workspace file no key covers: it runs again, the rest is cached.
    assertThat(second.stages()).filteredOn(row -> row.stage() != StageName.BASELINE
            && row.stage() != StageName.MODEL_FETCH && row.stage() != StageName.DATASET_PREP)
        .extracting(StageStatus::state).containsOnly(StageState.CACHED);
    assertThat(second.stages()).filteredOn(row -> row.stage() != StageName.DATASET_PREP)
        .allSatisfy(row -> assertThat(row.launch().count()).isZero());
    assertThat(cluster.launches(StageName.DATASET_PREP)).isEqualTo(2);
    assertThat(TestPlans.EIGHT.stream().filter(s -> s != StageName.DATASET_PREP)
        .mapToInt(cluster::launches)).containsOnly(1);
    assertThat(cluster.launches(StageName.BASELINE)).isZero();
  }

  @Test
  void pausesOnANonRetryableFailureAndResumesWithoutRetraining() throws Exception {
    PipelineSpec spec = TestPlans.spec("dazai");
    Plan plan = Planner.plan(spec);
    String failingKey = TestPlans.pinned(plan).stage(StageName.ENGINE_BUILD).orElseThrow().cacheKey();
    cluster.failingKeys.put(failingKey, FailureType.OUT_OF_MEMORY);
    PipelineWorkflow run = temporal.start(request("dazai-00000003", plan, spec));

    temporal.sleep(Duration.ofHours(2));

    RunProgress paused = run.progress();
    System.out.println("progress of the paused run:\n" + PRINTER.writeValueAsString(paused));
    assertThat(paused.runState()).isEqualTo(RunState.PAUSED);
    assertThat(paused.pausedStage()).isEqualTo(StageName.ENGINE_BUILD);
    StageStatus engine = paused.stage(StageName.ENGINE_BUILD).orElseThrow();
    assertThat(engine.state()).isEqualTo(StageState.PAUSED);
    assertThat(engine.failure().reason()).isEqualTo("OutOfMemory");
    assertThat(engine.failure().hint()).isEqualTo("lower engine.maxBatchSize or engine.maxSeqLen");
    assertThat(engine.failure().logTail()).contains("[TensorRT-LLM][ERROR] CUDA out of memory");
    assertThat(paused.stage(StageName.TRAIN).orElseThrow().state()).isEqualTo(StageState.SUCCEEDED);
    assertThat(paused.stage(StageName.TRITON_REPO).orElseThrow().state())
        .isEqualTo(StageState.PENDING);
    SearchAttributes whilePaused = attributes("dazai-00000003");
    assertThat(whilePaused.get(RunSearchAttributes.STATE)).isEqualTo("paused");
    assertThat(whilePaused.get(RunSearchAttributes.STAGE)).isEqualTo("engine-build");

    // A real server drops the speculative workflow task that carried a rejected update; the
    // test server records it, so compare the history without workflow task events.
    long historyBefore = temporal.historyWithoutWorkflowTasks("dazai-00000003");
    assertThatThrownBy(() -> run.resume(ResumeRequest.assignments(
        List.of("engine.maxBatchSize=0", "serving.kvCacheFreeGpuMemFraction=2"))))
        .isInstanceOf(WorkflowUpdateException.class)
        .rootCause().hasMessageContaining("engine.maxBatchSize")
        .hasMessageContaining("serving.kvCacheFreeGpuMemFraction");
    assertThat(temporal.historyWithoutWorkflowTasks("dazai-00000003")).isEqualTo(historyBefore);
    assertThat(run.progress().specRevision()).isEqualTo(1);

    PlanDiff diff = run.resume(ResumeRequest.assignments(List.of("engine.maxBatchSize=8")));
    RunOutcome outcome = temporal.result("dazai-00000003");

    assertThat(diff.toRun()).contains(StageName.ENGINE_BUILD)
        .doesNotContain(StageName.DATASET_PREP, StageName.TRAIN, StageName.LORA_CONVERT);
    assertThat(diff.kept()).contains(StageName.TRAIN);
    assertThat(cluster.launches(StageName.TRAIN)).isEqualTo(1);
    // dataset-prep re-reads its file on the resume; its digest held, so train kept its key.
    assertThat(diff.checked()).contains(StageName.DATASET_PREP);
    assertThat(cluster.launches(StageName.DATASET_PREP)).isEqualTo(2);
    assertThat(cluster.launches(StageName.ENGINE_BUILD)).isEqualTo(2);
    assertThat(outcome.specRevision()).isEqualTo(2);
    assertThat(outcome.stages()).filteredOn(row -> plan.stage(row.stage()).isPresent())
        .extracting(StageStatus::state).containsOnly(StageState.SUCCEEDED);
    StageStatus rebuilt = outcome.stages().stream()
        .filter(s -> s.stage() == StageName.ENGINE_BUILD).findFirst().orElseThrow();
    assertThat(rebuilt.launch().count()).isEqualTo(2);
    assertThat(rebuilt.failure().reason()).isNull();
    SearchAttributes after = attributes("dazai-00000003");
    assertThat(after.get(RunSearchAttributes.STATE)).isEqualTo("succeeded");
    assertThat(after.get(RunSearchAttributes.REVISION)).isEqualTo(2L);
    assertThat(temporal.describe("dazai-00000003")
        .getMemo(PipelineWorkflowImpl.MEMO_SPEC_DIGEST, String.class))
        .isEqualTo(outcome.specDigest()).isNotEqualTo(plan.specDigest());
    int events = temporal.historyLength("dazai-00000003");
    System.out.println("history events, paused then resumed run: " + events);
    assertThat(events).isLessThan(150);
  }

  @Test
  void theResumeDiffKeepsOnlyStagesWithARecordedResult() {
    PipelineSpec spec = TestPlans.spec("dazai");
    Plan plan = Planner.plan(spec);
    cluster.failingKeys.put(TestPlans.pinned(plan).stage(StageName.ENGINE_BUILD).orElseThrow().cacheKey(),
        FailureType.OUT_OF_MEMORY);
    PipelineWorkflow run = temporal.start(request("dazai-00000013", plan, spec));
    temporal.sleep(Duration.ofHours(2));
    assertThat(run.progress().pausedStage()).isEqualTo(StageName.ENGINE_BUILD);

    // No change: every key stays, but only the stages before engine-build have results.
    PlanDiff diff = run.resume(ResumeRequest.assignments(List.of()));

    assertThat(diff.stages()).extracting(PlanDiff.Entry::stage, PlanDiff.Entry::change,
        PlanDiff.Entry::prior).containsExactly(
        tuple(StageName.MODEL_FETCH, PlanDiff.Change.KEPT, PlanDiff.Prior.RESULT),
        tuple(StageName.DATASET_PREP, PlanDiff.Change.KEPT, PlanDiff.Prior.RESULT),
        tuple(StageName.TRAIN, PlanDiff.Change.KEPT, PlanDiff.Prior.RESULT),
        tuple(StageName.LORA_CONVERT, PlanDiff.Change.KEPT, PlanDiff.Prior.RESULT),
        tuple(StageName.CHECKPOINT_CONVERT, PlanDiff.Change.KEPT, PlanDiff.Prior.RESULT),
        tuple(StageName.ENGINE_BUILD, PlanDiff.Change.KEPT, PlanDiff.Prior.FAILED),
        tuple(StageName.TRITON_REPO, PlanDiff.Change.KEPT, PlanDiff.Prior.NOT_RUN),
        tuple(StageName.ROLLOUT, PlanDiff.Change.KEPT, PlanDiff.Prior.NOT_RUN),
        tuple(StageName.BENCHMARK, PlanDiff.Change.KEPT, PlanDiff.Prior.NOT_RUN));
    assertThat(diff.kept()).containsExactly(StageName.MODEL_FETCH, StageName.DATASET_PREP, StageName.TRAIN,
        StageName.LORA_CONVERT, StageName.CHECKPOINT_CONVERT);
    assertThat(diff.toRun()).containsExactly(StageName.ENGINE_BUILD, StageName.TRITON_REPO,
        StageName.ROLLOUT, StageName.BENCHMARK);
    assertThat(diff.firstToRun()).contains(StageName.ENGINE_BUILD);
  }

  @Test
  void aResumeThatChangesTheModelUpdatesTheRunsSearchAttributes() {
    PipelineSpec spec = TestPlans.spec("dazai");
    Plan plan = Planner.plan(spec);
    cluster.failingKeys.put(TestPlans.pinned(plan).stage(StageName.ENGINE_BUILD).orElseThrow().cacheKey(),
        FailureType.OUT_OF_MEMORY);
    PipelineWorkflow run = temporal.start(request("dazai-00000014", plan, spec));
    temporal.sleep(Duration.ofHours(2));
    assertThat(attributes("dazai-00000014").get(RunSearchAttributes.MODEL)).isEqualTo(TestPlans.MODEL);
    String other = "elyza/ELYZA-japanese-Llama-2-7b-fast-instruct";

    run.resume(ResumeRequest.assignments(List.of("model.id=" + other)));
    temporal.result("dazai-00000014");

    SearchAttributes after = attributes("dazai-00000014");
    assertThat(after.get(RunSearchAttributes.MODEL)).isEqualTo(other);
    assertThat(after.get(RunSearchAttributes.BACKEND)).isEqualTo("triton");
    assertThat(after.get(RunSearchAttributes.REVISION)).isEqualTo(2L);
    assertThat(run.progress().model()).isEqualTo(other);
  }

  @Test
  void resumesWithAWholeNewSpecAndRejectsABadOneWithItsLines() {
    PipelineSpec spec = TestPlans.spec("dazai");
    Plan plan = Planner.plan(spec);
    cluster.failingKeys.put(TestPlans.pinned(plan).stage(StageName.ENGINE_BUILD).orElseThrow().cacheKey(),
        FailureType.OUT_OF_MEMORY);
    PipelineWorkflow run = temporal.start(request("dazai-00000011", plan, spec));
    temporal.sleep(Duration.ofHours(2));
    String yaml = SpecYaml.renderMinimal(spec);
    assertThat(yaml).contains("hfTokenSecret: hf-token");

    assertThatThrownBy(() -> run.resume(ResumeRequest.spec(yaml + "engine:\n  maxBatchSize: -1\n"
        + "  maxBatchSizes: 8\n")))
        .isInstanceOf(WorkflowUpdateException.class).rootCause()
        .hasMessageContaining("maxBatchSizes").hasMessageContaining("line ");
    PlanDiff diff = run.resume(ResumeRequest.spec(yaml + "engine:\n  maxBatchSize: 4\n"));
    RunOutcome outcome = temporal.result("dazai-00000011");

    assertThat(diff.toRun()).startsWith(StageName.ENGINE_BUILD);
    assertThat(outcome.specRevision()).isEqualTo(2);
    assertThat(cluster.launches(StageName.TRAIN)).isEqualTo(1);
  }

  @Test
  void retryableFailuresAreRetriedAndTheRunSucceeds() {
    cluster.transientDeaths.put(StageName.TRAIN, 1);
    cluster.flakyLookups.set(2);
    temporal.start(request("dazai-00000004", "v1"));

    RunOutcome outcome = temporal.result("dazai-00000004");

    // Two look-ups failed with an API error and were retried by the activity retry policy.
    assertThat(cluster.lookups.get()).isEqualTo(TestPlans.EIGHT.size() + 2);
    // The first train pod was evicted: the stage was relaunched under a new name.
    assertThat(cluster.launches(StageName.TRAIN)).isEqualTo(2);
    StageStatus train = outcome.stages().stream().filter(s -> s.stage() == StageName.TRAIN)
        .findFirst().orElseThrow();
    assertThat(train.state()).isEqualTo(StageState.SUCCEEDED);
    assertThat(train.launch().count()).isEqualTo(2);
    assertThat(train.launch().objectName()).isEqualTo("dazai-00000004-train-2");
  }

  @Test
  void aStagePastItsTimeoutPausesTheRun() {
    cluster.runtimes.put(StageName.DATASET_PREP, Duration.ofHours(2));
    PipelineSpec spec = TestPlans.spec("dazai");
    Plan plan = TestPlans.withTimeout(TestPlans.plan(spec, "v1"), StageName.DATASET_PREP, 3600);
    PipelineWorkflow run = temporal.start(request("dazai-00000012", plan, spec));

    temporal.sleep(Duration.ofHours(2));

    RunProgress progress = run.progress();
    assertThat(progress.runState()).isEqualTo(RunState.PAUSED);
    StageStatus prep = progress.stage(StageName.DATASET_PREP).orElseThrow();
    assertThat(prep.failure().reason()).isEqualTo("Timeout");
    // The fake cluster never stops the stage: the await's backstop (timeout + grace) pauses it.
    assertThat(prep.failure().message()).isEqualTo("the stage did not finish within its timeout of 3600 s,"
        + " and the cluster gave no verdict within 120 s after it");
    assertThat(prep.failure().hint()).contains("--set cluster.stageTimeoutSeconds.dataset-prep=");
    assertThatThrownBy(() -> run.resume(new ResumeRequest(List.of("engine.maxBatchSize=8"), "x")))
        .isInstanceOf(WorkflowUpdateException.class).rootCause().hasMessageContaining("not both");
  }

  @Test
  void abortEndsAPausedRunAsFailedAfterCleanup() {
    PipelineSpec spec = TestPlans.spec("dazai");
    Plan plan = TestPlans.plan(spec, "v1");
    cluster.failingKeys.put(plan.stage(StageName.LORA_CONVERT).orElseThrow().cacheKey(),
        FailureType.BAD_ARGUMENTS);
    PipelineWorkflow run = temporal.start(request("dazai-00000005", plan, spec));
    assertThatThrownBy(() -> run.abort(new AbortRequest("not now")))
        .isInstanceOf(WorkflowUpdateException.class).rootCause().hasMessageContaining("not paused");
    temporal.sleep(Duration.ofHours(1));

    CleanupResult cleanup = run.abort(new AbortRequest("wrong dataset"));

    assertThat(cleanup.deleted()).contains("Job/dazai-00000005-lora-convert-1");
    assertThatThrownBy(() -> temporal.result("dazai-00000005"))
        .isInstanceOf(WorkflowFailedException.class).cause()
        .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
          assertThat(failure.getType()).isEqualTo(PipelineWorkflowImpl.ABORTED);
          assertThat(failure.getOriginalMessage())
              .isEqualTo("Aborted at stage lora-convert: wrong dataset");
        });
    RunProgress progress = run.progress();
    assertThat(progress.runState()).isEqualTo(RunState.FAILED);
    assertThat(progress.abortReason()).isEqualTo("wrong dataset");
    assertThat(progress.stage(StageName.LORA_CONVERT).orElseThrow().state())
        .isEqualTo(StageState.FAILED);
    assertThat(cluster.cleanups).hasSize(1);
    assertThat(attributes("dazai-00000005").get(RunSearchAttributes.STATE)).isEqualTo("failed");
  }

  @Test
  void cancellingARunDeletesItsObjectsAndMarksTheStageCancelled() {
    cluster.runtimes.put(StageName.TRAIN, Duration.ofHours(3));
    PipelineWorkflow run = temporal.start(request("dazai-00000006", "v1"));
    temporal.sleep(Duration.ofMinutes(30));
    assertThat(run.progress().stage(StageName.TRAIN).orElseThrow().state())
        .isEqualTo(StageState.RUNNING);

    temporal.untyped("dazai-00000006").cancel();

    assertThatThrownBy(() -> temporal.result("dazai-00000006"))
        .isInstanceOf(WorkflowFailedException.class).cause().isInstanceOf(CanceledFailure.class);
    assertThat(cluster.cleanups).singleElement()
        .satisfies(c -> assertThat(c.runId()).isEqualTo("dazai-00000006"));
    RunProgress progress = run.progress();
    assertThat(progress.runState()).isEqualTo(RunState.CANCELLED);
    assertThat(progress.stage(StageName.TRAIN).orElseThrow().state())
        .isEqualTo(StageState.CANCELLED);
    assertThat(progress.stage(StageName.LORA_CONVERT).orElseThrow().state())
        .isEqualTo(StageState.PENDING);
    assertThat(attributes("dazai-00000006").get(RunSearchAttributes.STATE)).isEqualTo("cancelled");
  }

  @Test
  void progressShowsTheRunningStagesLatestLine() {
    cluster.runtimes.put(StageName.TRAIN, Duration.ofHours(2));
    PipelineWorkflow run = temporal.start(request("dazai-00000007", "v1"));

    RunProgress start = run.progress();
    assertThat(start.runState()).isEqualTo(RunState.RUNNING);
    assertThat(start.stages()).hasSize(StageName.values().length);
    assertThat(start.stage(StageName.BASELINE).orElseThrow().state()).isEqualTo(StageState.SKIPPED);
    temporal.sleep(Duration.ofMinutes(60));

    RunProgress table = run.progress();
    assertThat(table.currentStage()).isEqualTo(StageName.TRAIN);
    assertThat(table.stage(StageName.DATASET_PREP).orElseThrow().state())
        .isEqualTo(StageState.SUCCEEDED);
    StageStatus train = table.stage(StageName.TRAIN).orElseThrow();
    assertThat(train.state()).isEqualTo(StageState.RUNNING);
    assertThat(train.launch().objectName()).isEqualTo("dazai-00000007-train-1");
    assertThat(train.progress()).isNull();
    assertThat(attributes("dazai-00000007").get(RunSearchAttributes.STAGE)).isEqualTo("train");

    var pending = temporal.describe("dazai-00000007").getRawDescription().getPendingActivitiesList();
    StageProgress latest = ProgressView.latest(pending,
        temporal.client.getOptions().getDataConverter()).orElseThrow();
    RunProgress merged = ProgressView.merge(table, latest);

    StageStatus shown = merged.stage(StageName.TRAIN).orElseThrow();
    assertThat(shown.progress()).startsWith("{\"event\":\"progress\",\"step\":")
        .contains("\"totalSteps\":120");
    assertThat(shown.launch().podName()).isEqualTo("dazai-00000007-train-1-pod");
    assertThat(merged.stage(StageName.DATASET_PREP)).isEqualTo(table.stage(StageName.DATASET_PREP));
  }

  /** The {@link TestPlans#EIGHT} stages of {@code variant} with a baseline of key {@code baselineKey} before the benchmark. */
  private static Plan withBaseline(PipelineSpec spec, String variant, String baselineKey) {
    Plan eight = TestPlans.plan(spec, variant);
    List<Stage> stages = new ArrayList<>();
    for (Stage s : eight.stages()) {
      if (s.name() == StageName.BENCHMARK) {
        stages.add(new Stage(StageName.BASELINE, StageKind.DEPLOYMENT, "img/baseline:1", List.of("baseline"),
            Map.of(), List.of(), Resources.cpuOnly("1", "1Gi"), List.of(), 3600, 600, List.of(), List.of(),
            baselineKey, "baseline with img/baseline:1"));
      }
      stages.add(s);
    }
    return new Plan(eight.pipeline(), eight.specDigest(), stages);
  }

  private static final String BASELINE_KEY = TestPlans.sha256("baseline/baseline");

  private static CleanupRequest baselineRelease(String runId) {
    return new CleanupRequest(runId, NAMESPACE, true, List.of("baseline"));
  }

  /** The baseline server holds a GPU for the benchmark only: the run leaves it once that is done. */
  @Test
  void aSucceededRunReleasesItsBaselineAfterTheBenchmark() {
    PipelineSpec spec = TestPlans.spec("dazai");
    temporal.start(request("dazai-00000011", withBaseline(spec, "baseline", BASELINE_KEY), spec));

    RunOutcome outcome = temporal.result("dazai-00000011");

    assertThat(cluster.cleanups).containsExactly(baselineRelease("dazai-00000011"));
    assertThat(row(outcome, StageName.BASELINE).result().released()).isEqualTo("released after benchmark");
    assertThat(row(outcome, StageName.BENCHMARK).result().released()).isNull();
  }

  /**
   * Issue 13: a failed benchmark paused the run with its baseline server up (and its GPU held)
   * for as long as the pause lasted. The run leaves it before pausing; the resume launches it
   * again (the row no longer counts as done) before the benchmark re-runs, and leaves it after.
   */
  @Test
  void aFailedBenchmarkReleasesTheBaselineAndTheResumeLaunchesItAgain() throws Exception {
    // A resume re-plans from the spec: the demo's, whose benchmark runs against a vLLM baseline.
    PipelineSpec spec = SpecLoader.load(Files.readString(Path.of("configs/demo.yaml")), "demo.yaml");
    Plan plan = Planner.plan(spec);
    assertThat(plan.stage(StageName.BASELINE)).isPresent();
    String benchmarkKey = TestPlans.pinned(plan).stage(StageName.BENCHMARK).orElseThrow().cacheKey();
    cluster.failingKeys.put(benchmarkKey, FailureType.STAGE_FAILED);
    PipelineWorkflow run = temporal.start(request("dazai-00000041", plan, spec));
    temporal.sleep(Duration.ofHours(2));

    RunProgress paused = run.progress();
    assertThat(paused.pausedStage()).isEqualTo(StageName.BENCHMARK);
    assertThat(cluster.cleanups).containsExactly(baselineRelease("dazai-00000041"));
    StageStatus baseline = paused.stage(StageName.BASELINE).orElseThrow();
    assertThat(baseline.state()).isEqualTo(StageState.SUCCEEDED);
    assertThat(baseline.result().released()).isEqualTo("released (benchmark failed)");

    cluster.failingKeys.remove(benchmarkKey);
    PlanDiff diff = run.resume(ResumeRequest.assignments(List.of()));
    RunOutcome outcome = temporal.result("dazai-00000041");

    assertThat(diff.stages()).filteredOn(e -> e.stage() == StageName.BASELINE)
        .extracting(PlanDiff.Entry::change, PlanDiff.Entry::prior)
        .containsExactly(tuple(PlanDiff.Change.KEPT, PlanDiff.Prior.RELEASED));
    assertThat(diff.toRun()).containsExactly(StageName.BASELINE, StageName.BENCHMARK);
    assertThat(cluster.launched).filteredOn(s -> s.startsWith("b"))
        .containsExactly("baseline", "benchmark", "baseline", "benchmark");
    assertThat(cluster.launched).endsWith("baseline", "benchmark");
    assertThat(cluster.cleanups).containsExactly(baselineRelease("dazai-00000041"),
        baselineRelease("dazai-00000041"));
    assertThat(row(outcome, StageName.BASELINE).launch().count()).isEqualTo(2);
    assertThat(row(outcome, StageName.BASELINE).result().released()).isEqualTo("released after benchmark");
    assertThat(row(outcome, StageName.BENCHMARK).state()).isEqualTo(StageState.SUCCEEDED);
  }

  /**
   * The release at the failed benchmark failed: the run still holds the baseline, so the
   * resume keeps it instead of launching another, and the next benchmark's end releases it.
   */
  @Test
  void aBaselineWhoseReleaseFailedIsKeptByTheResumeAndReleasedAfterTheNextBenchmark() throws Exception {
    PipelineSpec spec = SpecLoader.load(Files.readString(Path.of("configs/demo.yaml")), "demo.yaml");
    Plan plan = Planner.plan(spec);
    String benchmarkKey = TestPlans.pinned(plan).stage(StageName.BENCHMARK).orElseThrow().cacheKey();
    cluster.failingKeys.put(benchmarkKey, FailureType.STAGE_FAILED);
    cluster.failingCleanups.set(1);
    PipelineWorkflow run = temporal.start(request("dazai-00000049", plan, spec));
    temporal.sleep(Duration.ofHours(2));
    assertThat(run.progress().pausedStage()).isEqualTo(StageName.BENCHMARK);
    assertThat(run.progress().stage(StageName.BASELINE).orElseThrow().result().released()).isNull();

    cluster.failingKeys.remove(benchmarkKey);
    PlanDiff diff = run.resume(ResumeRequest.assignments(List.of()));
    RunOutcome outcome = temporal.result("dazai-00000049");

    assertThat(diff.kept()).contains(StageName.BASELINE);
    assertThat(cluster.launches(StageName.BASELINE)).isEqualTo(1);
    assertThat(cluster.launches(StageName.BENCHMARK)).isEqualTo(2);
    assertThat(cluster.cleanups).containsExactly(baselineRelease("dazai-00000049"),
        baselineRelease("dazai-00000049"));
    assertThat(row(outcome, StageName.BASELINE).result().released()).isEqualTo("released after benchmark");
  }

  /**
   * A gate pause (SLOs missed) comes after a succeeded benchmark, which released the baseline.
   * A resume that keeps the benchmark's result only checks the gate again: no baseline. One
   * that re-keys the benchmark launches the baseline again first, and releases it after.
   */
  @Test
  void aGatePauseResumedRelaunchesTheBaselineOnlyForANewBenchmark() throws Exception {
    PipelineSpec spec = SpecPatch.apply(SpecLoader.load(Files.readString(Path.of("configs/demo.yaml")),
        "demo.yaml"), List.of("serving.slo.atConcurrency=4", "serving.slo.ttftP99Ms=200"));
    measures(480.0);
    PipelineWorkflow kept = temporal.start(request("dazai-00000047", Planner.plan(spec), spec));
    temporal.sleep(Duration.ofHours(2));
    assertThat(kept.progress().stage(StageName.BENCHMARK).orElseThrow().failure().reason()).isEqualTo("SloNotMet");
    assertThat(cluster.cleanups).containsExactly(baselineRelease("dazai-00000047"));

    PlanDiff sameBenchmark = kept.resume(ResumeRequest.assignments(List.of("serving.slo.ttftP99Ms=500")));
    RunOutcome promoted = temporal.result("dazai-00000047");

    assertThat(sameBenchmark.kept()).contains(StageName.BASELINE, StageName.BENCHMARK);
    assertThat(cluster.launches(StageName.BASELINE)).isEqualTo(1);
    assertThat(cluster.cleanups).containsExactly(baselineRelease("dazai-00000047"));
    assertThat(row(promoted, StageName.BASELINE).result().released()).isEqualTo("released after benchmark");

    cluster.cleanups.clear();
    PipelineWorkflow rekeyed = temporal.start(request("dazai-00000048", Planner.plan(spec), spec));
    temporal.sleep(Duration.ofHours(2));
    // The same keys as the first run: all from the cache, the baseline with the benchmark.
    assertThat(rekeyed.progress().stage(StageName.BASELINE).orElseThrow().state()).isEqualTo(StageState.CACHED);
    assertThat(cluster.cleanups).isEmpty();
    measures(150.0);

    PlanDiff newBenchmark = rekeyed.resume(ResumeRequest.assignments(List.of("benchmark.requestCount=16")));
    RunOutcome outcome = temporal.result("dazai-00000048");

    assertThat(newBenchmark.stages()).filteredOn(e -> e.stage() == StageName.BASELINE)
        .extracting(PlanDiff.Entry::prior).containsExactly(PlanDiff.Prior.RELEASED);
    assertThat(newBenchmark.toRun()).containsExactly(StageName.BASELINE, StageName.BENCHMARK);
    assertThat(cluster.launches(StageName.BASELINE)).isEqualTo(2);
    assertThat(cluster.cleanups).containsExactly(baselineRelease("dazai-00000048"));
    assertThat(row(outcome, StageName.BASELINE).state()).isEqualTo(StageState.SUCCEEDED);
  }

  private void measures(double ttftP99Ms) {
    cluster.benchmarkMetrics = new BenchmarkSummary(List.of(
        new BenchmarkPoint(1, 40.0, 35.0, 9.0, 110.0, 110.0),
        new BenchmarkPoint(4, ttftP99Ms, 90.0, 14.0, 1200.0, 75.0)), List.of()).toMetrics();
  }

  /**
   * Aborted at the failed benchmark: the baseline was left before the pause, and the abort's
   * cleanup of everything the run labelled comes after it, once; a cancel while the benchmark
   * runs leaves the baseline to that one cleanup.
   */
  @Test
  void abortAndCancelCleanUpOnceAfterTheBaselineWasReleased() {
    PipelineSpec spec = TestPlans.spec("dazai");
    Plan plan = withBaseline(spec, "v1", BASELINE_KEY);
    cluster.failingKeys.put(plan.stage(StageName.BENCHMARK).orElseThrow().cacheKey(), FailureType.STAGE_FAILED);
    PipelineWorkflow failed = temporal.start(request("dazai-00000042", plan, spec));
    temporal.sleep(Duration.ofHours(2));

    failed.abort(new AbortRequest("no benchmark today"));

    assertThat(cluster.cleanups).containsExactly(baselineRelease("dazai-00000042"),
        new CleanupRequest("dazai-00000042", NAMESPACE, true));
    assertThat(failed.progress().stage(StageName.BASELINE).orElseThrow().result().released())
        .isEqualTo("released (benchmark failed)");

    cluster.cleanups.clear();
    cluster.runtimes.put(StageName.BENCHMARK, Duration.ofHours(3));
    Plan other = withBaseline(spec, "v2", TestPlans.sha256("v2/baseline"));
    PipelineWorkflow running = temporal.start(request("dazai-00000043", other, spec));
    temporal.sleep(Duration.ofHours(1));
    assertThat(running.progress().currentStage()).isEqualTo(StageName.BENCHMARK);

    temporal.untyped("dazai-00000043").cancel();

    assertThatThrownBy(() -> temporal.result("dazai-00000043")).isInstanceOf(WorkflowFailedException.class);
    assertThat(cluster.cleanups).containsExactly(new CleanupRequest("dazai-00000043", NAMESPACE, true));
    assertThat(running.progress().stage(StageName.BASELINE).orElseThrow().result().released()).isNull();
  }

  /**
   * Issue 13: a baseline recorded by an earlier run was a cache hit for a later run of the same
   * baseline key and another benchmark key, which then benchmarked against a server its first
   * run had released. The baseline comes from the cache only with the benchmark: else it is
   * launched; with a cached benchmark it is not needed, and nothing is launched or released.
   */
  @Test
  void aRecordedBaselineIsACacheHitOnlyWhenTheBenchmarkIsOne() {
    PipelineSpec spec = TestPlans.spec("dazai");
    temporal.start(request("dazai-00000044", withBaseline(spec, "v1", BASELINE_KEY), spec));
    temporal.result("dazai-00000044");

    temporal.start(request("dazai-00000045", withBaseline(spec, "v2", BASELINE_KEY), spec));
    RunOutcome otherBenchmark = temporal.result("dazai-00000045");

    assertThat(cluster.launches(StageName.BASELINE)).isEqualTo(2);
    assertThat(row(otherBenchmark, StageName.BASELINE).state()).isEqualTo(StageState.SUCCEEDED);
    assertThat(row(otherBenchmark, StageName.BASELINE).result().released()).isEqualTo("released after benchmark");
    assertThat(cluster.cleanups).containsExactly(baselineRelease("dazai-00000044"),
        baselineRelease("dazai-00000045"));

    temporal.start(request("dazai-00000046", withBaseline(spec, "v1", BASELINE_KEY), spec));
    RunOutcome same = temporal.result("dazai-00000046");

    assertThat(cluster.launches(StageName.BASELINE)).isEqualTo(2);
    assertThat(row(same, StageName.BASELINE).state()).isEqualTo(StageState.CACHED);
    assertThat(row(same, StageName.BENCHMARK).state()).isEqualTo(StageState.CACHED);
    assertThat(row(same, StageName.BASELINE).result().released()).isNull();
    assertThat(cluster.cleanups).hasSize(2);
  }

  @Test
  void anEightStageRunOfHoursStaysUnder150HistoryEvents() {
    Map<StageName, Long> expected = Map.of(StageName.TRAIN, 3600L, StageName.ENGINE_BUILD, 1800L);
    PipelineSpec spec = TestPlans.spec("dazai");
    for (StageName stage : StageName.values()) {
      cluster.runtimes.put(stage, Duration.ofHours(1));
    }
    cluster.runtimes.put(StageName.TRAIN, Duration.ofHours(4));
    cluster.runtimes.put(StageName.ENGINE_BUILD, Duration.ofHours(2));
    temporal.start(request("dazai-00000008", TestPlans.plan(spec, "long", expected), spec));

    temporal.result("dazai-00000008");

    int events = temporal.historyLength("dazai-00000008");
    int polls = TestPlans.EIGHT.stream().mapToInt(cluster::awaitAttempts).sum();
    System.out.println("history events, 8 stages over 12 h: " + events + " (" + polls
        + " await attempts)");
    assertThat(polls).isGreaterThan(500);
    assertThat(events).isLessThan(150);
  }

  @Test
  void aRunIdNamesOneRunForGood() {
    PipelineRequest request = request("dazai-00000009", "v1");
    temporal.start(request);

    assertThatThrownBy(() -> temporal.start(request))
        .isInstanceOf(WorkflowExecutionAlreadyStarted.class);
    temporal.result("dazai-00000009");
    assertThatThrownBy(() -> temporal.start(request))
        .isInstanceOf(WorkflowExecutionAlreadyStarted.class);
  }

  @Test
  void noSecretValueReachesTheHistory() {
    String secretValue = "hf_sEcReT_4f9c1e0b7a";
    cluster.secrets.put(TestPlans.HF_SECRET, secretValue);
    PipelineSpec spec = TestPlans.spec("dazai");
    Plan plan = Planner.plan(spec);
    cluster.failingKeys.put(TestPlans.pinned(plan).stage(StageName.ENGINE_BUILD).orElseThrow().cacheKey(),
        FailureType.OUT_OF_MEMORY);
    PipelineWorkflow run = temporal.start(request("dazai-00000010", plan, spec));
    temporal.sleep(Duration.ofHours(2));
    run.resume(ResumeRequest.assignments(List.of("engine.maxBatchSize=8")));
    temporal.result("dazai-00000010");

    byte[] history = temporal.history("dazai-00000010").getHistory().toByteArray();
    byte[] described = temporal.describe("dazai-00000010").getRawDescription().toByteArray();
    String json = temporal.history("dazai-00000010").toJson(true);

    // The pods did get the value; the workflow only ever saw the Secret's name.
    assertThat(cluster.podEnv.values()).anySatisfy(env -> assertThat(env).containsValue(secretValue));
    assertThat(contains(history, TestPlans.HF_SECRET)).isTrue();
    assertThat(contains(history, secretValue)).isFalse();
    assertThat(contains(described, secretValue)).isFalse();
    assertThat(json).doesNotContain(secretValue);
  }

  private static boolean contains(byte[] haystack, String needle) {
    return new String(haystack, StandardCharsets.ISO_8859_1).contains(needle);
  }
}
