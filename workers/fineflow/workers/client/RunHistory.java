package fineflow.workers.client;

import fineflow.workflows.pipeline.RunSearchAttributes;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.filter.v1.WorkflowTypeFilter;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.common.SearchAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Lists runs. A real Temporal cluster answers the visibility query on the typed search
 * attributes; Temporal's Java test server (the embedded dev stack) answers that call with
 * UNIMPLEMENTED, so then the runs are listed with the older open/closed list calls, described
 * one by one for their search attributes, and filtered here. Which path is taken is decided by
 * the server's answer, not by a flag.
 */
public final class RunHistory {
  public static final String WORKFLOW_TYPE = "PipelineWorkflow";
  private static final int PAGE = 1000;

  private final TemporalConnection connection;

  public RunHistory(TemporalConnection connection) {
    this.connection = connection;
  }

  /**
   * The matching runs, newest first.
   *
   * @throws InvalidFilter when the server rejects the query (a malformed {@code where}), or
   *     {@code where} is given to a server without visibility
   */
  public List<RunRow> list(RunFilter filter) {
    List<RunRow> rows;
    try {
      rows = connection.client().listExecutions(filter.query()).map(RunHistory::row).toList();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
        throw new InvalidFilter("the server rejected the query " + filter.query() + ": "
            + e.getStatus().getDescription(), e);
      }
      if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
        throw e;
      }
      if (filter.where() != null) {
        throw new InvalidFilter("--where needs a Temporal server with a visibility store; "
            + connection.target() + " has none (the embedded test server): filter with --model, --state,"
            + " --stage, --since, --until", e);
      }
      rows = listInClient(filter);
    }
    return newestFirst(rows);
  }

  /** A filter the server cannot answer: a user error (exit 2), with the server's reason. */
  public static final class InvalidFilter extends IllegalArgumentException {
    InvalidFilter(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * The path for a server without visibility: every run through the open/closed list calls,
   * described one by one, filtered here (newest first). Real servers answer it too, which lets
   * a test compare both paths on the same runs.
   */
  public List<RunRow> listInClient(RunFilter filter) {
    return newestFirst(listWithoutVisibility().stream().filter(filter::matches).toList());
  }

  private static List<RunRow> newestFirst(List<RunRow> rows) {
    return rows.stream().sorted(Comparator.comparing(RunRow::startTime,
        Comparator.nullsLast(Comparator.reverseOrder()))).toList();
  }

  private List<RunRow> listWithoutVisibility() {
    WorkflowClient client = connection.client();
    String ns = client.getOptions().getNamespace();
    WorkflowTypeFilter type = WorkflowTypeFilter.newBuilder().setName(WORKFLOW_TYPE).build();
    List<WorkflowExecutionInfo> infos = new ArrayList<>();
    var stub = connection.service().blockingStub();
    infos.addAll(stub.listOpenWorkflowExecutions(ListOpenWorkflowExecutionsRequest.newBuilder()
        .setNamespace(ns).setTypeFilter(type).setMaximumPageSize(PAGE).build()).getExecutionsList());
    infos.addAll(stub.listClosedWorkflowExecutions(ListClosedWorkflowExecutionsRequest.newBuilder()
        .setNamespace(ns).setTypeFilter(type).setMaximumPageSize(PAGE).build()).getExecutionsList());
    List<RunRow> rows = new ArrayList<>();
    for (WorkflowExecutionInfo info : infos) {
      WorkflowExecution ex = info.getExecution();
      rows.add(row(client.newUntypedWorkflowStub(ex.getWorkflowId(),
          java.util.Optional.of(ex.getRunId()), java.util.Optional.empty()).describe()));
    }
    return rows;
  }

  /**
   * Times as the visibility store keeps them (microseconds), so a run reads the same whether it
   * was listed by a visibility query or described.
   */
  private static java.time.Instant micros(java.time.Instant t) {
    return t == null ? null : t.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
  }

  private static RunRow row(WorkflowExecutionMetadata m) {
    SearchAttributes sa = m.getTypedSearchAttributes();
    return new RunRow(m.getExecution().getWorkflowId(), sa.get(RunSearchAttributes.MODEL),
        sa.get(RunSearchAttributes.STATE), sa.get(RunSearchAttributes.STAGE), sa.get(RunSearchAttributes.BACKEND),
        sa.get(RunSearchAttributes.REVISION), micros(m.getStartTime()), micros(m.getCloseTime()),
        m.getStatus().name().replace("WORKFLOW_EXECUTION_STATUS_", "").toLowerCase(java.util.Locale.ROOT));
  }

}
