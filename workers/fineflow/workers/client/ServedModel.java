package fineflow.workers.client;

import fineflow.workflows.pipeline.RunProgress;
import fineflow.workflows.pipeline.StageState;
import fineflow.workflows.pipeline.StageStatus;
import fineflow.workflows.plan.StageName;
import java.util.Map;

/**
 * The server a run rolled out, as its rollout stage recorded it: where it listens and how a
 * client asks for the base model and the adapter. {@code fineflow chat RUN} talks to it.
 *
 * @param url the base URL the rollout's smoke test used: the cluster DNS name on a real
 *     cluster (reachable from inside it only), a local address in the dev stack
 * @param backend triton, trtllm-serve or vllm
 * @param adapterName OpenAI-style servers: the adapter's model name, null without adapter
 * @param adapterPath trtllm-serve: the adapter directory in the pod, null without adapter
 * @param loraTaskId Triton: the adapter's lora_task_id, null without adapter
 */
public record ServedModel(String url, String backend, String servedModel, String adapterName,
    String adapterPath, Long loraTaskId) {

  /** @throws IllegalArgumentException when the run has not rolled out a server (yet) */
  public static ServedModel of(RunProgress progress) {
    StageStatus rollout = progress.stage(StageName.ROLLOUT)
        .filter(row -> row.state() != StageState.SKIPPED)
        .orElseThrow(() -> new IllegalArgumentException("run " + progress.runId()
            + " has no rollout stage: it deploys no server to chat with"));
    Map<String, String> info = rollout.result().info();
    boolean done = rollout.state() == StageState.SUCCEEDED || rollout.state() == StageState.CACHED;
    if (!done) {
      throw new IllegalArgumentException("the rollout stage of run " + progress.runId() + " is "
          + rollout.state().id() + ": no server to chat with yet");
    }
    if (info.get("url") == null) {
      throw new IllegalArgumentException("the rollout stage of run " + progress.runId()
          + " recorded no server URL (an older fineflow rolled it out): pass the server's URL"
          + " instead of the run id");
    }
    String task = info.get("loraTaskId");
    return new ServedModel(info.get("url"), info.get("backend"), info.get("servedModel"),
        info.get("adapterName"), info.get("adapterPath"), task == null ? null : Long.valueOf(task));
  }

  public boolean triton() {
    return "triton".equals(backend);
  }
}
