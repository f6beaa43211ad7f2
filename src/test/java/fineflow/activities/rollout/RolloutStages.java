package fineflow.activities.rollout;

import fineflow.workflows.contract.AwaitRequest;
import fineflow.workflows.contract.LaunchRequest;
import fineflow.workflows.plan.Resources;
import fineflow.workflows.plan.RolloutParams;
import fineflow.workflows.plan.RolloutTarget;
import fineflow.workflows.plan.ServerCommand;
import fineflow.workflows.plan.ServingEndpoint;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.StageKind;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.plan.TritonServerCommand;
import fineflow.workflows.plan.TrtllmServeCommand;
import fineflow.workflows.plan.VllmServeCommand;
import fineflow.workflows.plan.VolumeMount;
import fineflow.workflows.spec.ClusterSpec;
import fineflow.workflows.spec.ServingBackend;
import java.util.List;
import java.util.Map;

/** Rollout stages shaped like the planner's, for the three backends. */
final class RolloutStages {
  static final String NS = "fineflow";
  static final String RUN = "elyza-qlora-3f2a9c";
  static final String KEY = "3f2a9c1d7e4b" + "0".repeat(52);
  static final String OTHER_KEY = "aaaabbbbcccc" + "1".repeat(52);

  private RolloutStages() {
  }

  static RolloutTarget triton(boolean gated) {
    return new RolloutTarget(ServingBackend.TRITON, "elyza", "ensemble", null, null, 0L, gated, 1, null);
  }

  static Stage tritonStage(RolloutTarget target, String cacheKey, int batchFlag) {
    return stage(target, cacheKey, "nvcr.io/nvidia/tritonserver:25.09-trtllm-python-py3",
        new TritonServerCommand("/repo", batchFlag, 1),
        List.of(new VolumeMount("cache/triton-repo-aaa/repo", "/repo", false),
            new VolumeMount("cache/engine-build-bbb/engine", "/engine", false),
            new VolumeMount("cache/lora-convert-ccc/prefetch", "/prefetch", true)));
  }

  static Stage trtllmServeStage() {
    return trtllmServeStage(trtllmServe());
  }

  static Stage trtllmServeStage(TrtllmServeCommand server) {
    RolloutTarget t = new RolloutTarget(ServingBackend.TRTLLM_SERVE, "gpt-oss", "openai/gpt-oss-20b", "adapter",
        "/workspace/cache/train-ddd/adapter", null, false, 1, null);
    return stage(StageName.ROLLOUT, t, KEY, "nvcr.io/nvidia/tensorrt-llm/release:1.0.0", server, List.of(),
        Map.of(ServingEndpoint.EXTRA_OPTIONS_PATH, "{\"cuda_graph_config\":{\"enable_padding\":true,"
            + "\"max_batch_size\":256},\"enable_attention_dp\":false,\"moe_config\":{\"backend\":\"TRITON\"}}\n"));
  }

  static TrtllmServeCommand trtllmServe() {
    return trtllmServe(ServingEndpoint.EXTRA_OPTIONS_PATH);
  }

  static TrtllmServeCommand trtllmServe(String extraOptionsFile) {
    return new TrtllmServeCommand("openai/gpt-oss-20b", 256, 32768, 262144, 0.9, 1, 1, true, extraOptionsFile);
  }

  static RolloutTarget vllm() {
    return new RolloutTarget(ServingBackend.VLLM, "elyza-vllm", "elyza/ELYZA-japanese-Llama-2-7b-instruct",
        "dazai", null, null, false, 1, "こんにちは");
  }

  static VllmServeCommand vllmServe(String model, String adapterName, String adapterPath) {
    return new VllmServeCommand(model, null, 16, 4096, 0.9, 1, 1, false, adapterName, adapterPath,
        adapterName == null ? null : 8, Map.of());
  }

  static Stage vllmStage() {
    return stage(vllm(), KEY, "vllm/vllm-openai:v0.11.0",
        vllmServe("elyza/ELYZA-japanese-Llama-2-7b-instruct", "dazai", "/adapter"),
        List.of(new VolumeMount("cache/train-ddd/adapter", "/adapter", true)));
  }

  static Stage stage(RolloutTarget target, String cacheKey, String image, ServerCommand server,
      List<VolumeMount> volumes) {
    return stage(StageName.ROLLOUT, target, cacheKey, image, server, volumes, Map.of());
  }

  static Stage stage(StageName name, RolloutTarget target, String cacheKey, String image, ServerCommand server,
      List<VolumeMount> volumes, Map<String, String> files) {
    return new Stage(name, StageKind.DEPLOYMENT, image, server.argv(), Map.of("TLLM_LOG_LEVEL", "INFO"), List.of(),
        new Resources(1, "nvidia.com/gpu", "8", "64Gi"), volumes, 1800, 300, List.of(), List.of(),
        cacheKey, "rollout " + target.backend().wireName(), files, List.of(), new RolloutParams(target, server));
  }

  /** The stage with an argv its parameters did not render: what a hand-edited or foreign plan holds. */
  static Stage withArgv(Stage s, List<String> argv) {
    return new Stage(s.name(), s.kind(), s.image(), argv, s.env(), s.secretEnv(), s.resources(), s.volumes(),
        s.timeoutSeconds(), s.expectedSeconds(), s.consumes(), s.produces(), s.cacheKey(), s.summary(), s.files(),
        s.imageCopies(), s.params());
  }

  static LaunchRequest launch(Stage stage) {
    return new LaunchRequest(RUN, NS, stage, 1, "specdigest123", ClusterSpec.defaults());
  }

  static AwaitRequest await(Stage stage, String objectName) {
    return new AwaitRequest(RUN, NS, stage, objectName, ClusterSpec.defaults());
  }
}
