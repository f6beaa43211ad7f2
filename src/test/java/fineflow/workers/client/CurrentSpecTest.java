package fineflow.workers.client;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.workflows.pipeline.PipelineRequest;
import fineflow.workflows.pipeline.ResumeRequest;
import fineflow.workflows.pipeline.RunProgress;
import fineflow.workflows.pipeline.RunState;
import fineflow.workflows.plan.Planner;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecDigest;
import fineflow.workflows.spec.SpecLoader;
import fineflow.workflows.spec.SpecPatch;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.failure.v1.Failure;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.history.v1.WorkflowExecutionStartedEventAttributes;
import io.temporal.api.history.v1.WorkflowExecutionUpdateAcceptedEventAttributes;
import io.temporal.api.history.v1.WorkflowExecutionUpdateCompletedEventAttributes;
import io.temporal.api.update.v1.Input;
import io.temporal.api.update.v1.Meta;
import io.temporal.api.update.v1.Outcome;
import io.temporal.api.update.v1.Request;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The report's engine settings come from the spec a run holds after its resumes. */
class CurrentSpecTest {
  static final DataConverter JSON = DefaultDataConverter.newDefaultInstance();

  static PipelineSpec demo() throws Exception {
    return SpecLoader.load(Files.readString(Path.of("configs/demo.yaml")), "demo.yaml");
  }

  static HistoryEvent started(PipelineSpec spec) {
    return HistoryEvent.newBuilder().setEventType(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)
        .setWorkflowExecutionStartedEventAttributes(WorkflowExecutionStartedEventAttributes.newBuilder()
            .setInput(JSON.toPayloads(new PipelineRequest("demo-1", "fineflow", spec, Planner.plan(spec)))
                .orElseThrow()))
        .build();
  }

  static HistoryEvent accepted(String id, ResumeRequest resume) {
    return HistoryEvent.newBuilder().setEventType(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)
        .setWorkflowExecutionUpdateAcceptedEventAttributes(WorkflowExecutionUpdateAcceptedEventAttributes
            .newBuilder().setAcceptedRequest(Request.newBuilder().setMeta(Meta.newBuilder().setUpdateId(id))
                .setInput(Input.newBuilder().setName("resume").setArgs(JSON.toPayloads(resume).orElseThrow()))))
        .build();
  }

  static HistoryEvent completed(String id, boolean success) {
    Outcome outcome = success ? Outcome.newBuilder().setSuccess(JSON.toPayloads("diff").orElseThrow()).build()
        : Outcome.newBuilder().setFailure(Failure.newBuilder().setMessage("InvalidPatch")).build();
    return HistoryEvent.newBuilder().setEventType(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED)
        .setWorkflowExecutionUpdateCompletedEventAttributes(WorkflowExecutionUpdateCompletedEventAttributes
            .newBuilder().setMeta(Meta.newBuilder().setUpdateId(id)).setOutcome(outcome))
        .build();
  }

  static RunProgress progress(String digest) {
    return new RunProgress("demo-1", "demo", "m", "triton", digest, 2, RunState.SUCCEEDED, null, null,
        null, null, null, List.of(), null, List.of());
  }

  @Test
  void completedResumesApplyAndFailedOnesDoNot() throws Exception {
    PipelineSpec submitted = demo();
    PipelineSpec resumed = SpecPatch.apply(submitted, List.of("engine.maxBatchSize=8"));
    List<HistoryEvent> history = List.of(started(submitted),
        accepted("u1", ResumeRequest.assignments(List.of("engine.maxBatchSize=8"))), completed("u1", true),
        accepted("u2", ResumeRequest.assignments(List.of("engine.maxBatchSize=2"))), completed("u2", false));

    assertThat(CurrentSpec.of(progress(SpecDigest.of(resumed)), history, JSON))
        .hasValueSatisfying(spec -> assertThat(spec.engine().maxBatchSize()).isEqualTo(8));
  }

  @Test
  void aSpecWhoseDigestIsNotTheRunsIsNotUsed() throws Exception {
    PipelineSpec submitted = demo();
    assertThat(CurrentSpec.of(progress("0".repeat(64)), List.of(started(submitted)), JSON)).isEmpty();
    assertThat(CurrentSpec.of(progress(SpecDigest.of(submitted)), List.of(started(submitted)), JSON))
        .contains(submitted);
    assertThat(CurrentSpec.of(progress(SpecDigest.of(submitted)), List.of(), JSON)).isEmpty();
  }
}
