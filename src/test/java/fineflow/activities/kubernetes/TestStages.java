package fineflow.activities.kubernetes;

import fineflow.workflows.plan.ArtifactRef;
import fineflow.workflows.plan.Resources;
import fineflow.workflows.plan.SecretEnv;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.StageKind;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.plan.VolumeMount;
import fineflow.workflows.spec.ClusterSpec;
import fineflow.workflows.spec.TolerationSpec;
import java.util.List;
import java.util.Map;

/** Plan stages and cluster sections shaped like the planner's, for the Kubernetes tests. */
final class TestStages {
  static final String TRAIN_KEY = "3f2a9c1b7d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4";
  static final String PREP_KEY = "a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e";

  private TestStages() {
  }

  static Stage train() {
    return new Stage(StageName.TRAIN, StageKind.JOB, "nvcr.io/nvidia/pytorch:24.12-py3",
        List.of("python3", "/opt/fineflow-programs/train.py", "--model", "elyza/ELYZA-japanese-Llama-2-7b",
            "--output-dir", "/workspace/cache/train-3f2a9c1b7d4e", "--method", "qlora"),
        Map.of("HF_HOME", "/workspace/hf-cache", "PYTHONUNBUFFERED", "1"),
        List.of(new SecretEnv("HF_TOKEN", "hf-token", "token")),
        new Resources(1, "nvidia.com/gpu", "8", "64Gi"),
        List.of(new VolumeMount("cache/dataset-prep-a1b2c3d4e5f6", "/workspace/cache/dataset-prep-a1b2c3d4e5f6", true),
            new VolumeMount("cache/train-3f2a9c1b7d4e", "/workspace/cache/train-3f2a9c1b7d4e", false),
            new VolumeMount("datasets", "/data", true)),
        7200, 1500, List.of(StageName.DATASET_PREP),
        List.of(new ArtifactRef("adapter", "/workspace/cache/train-3f2a9c1b7d4e/adapter")),
        TRAIN_KEY, "QLoRA r=16 on ELYZA-7B, 3 epochs");
  }

  static Stage datasetPrep() {
    return new Stage(StageName.DATASET_PREP, StageKind.JOB, "ghcr.io/fineflow/fineflow:0.1.0",
        List.of("stage", "dataset-prep", "--input", "/workspace/data/train.jsonl"),
        Map.of(), List.of(), Resources.cpuOnly("1", "2Gi"),
        List.of(new VolumeMount("", "/workspace", false)),
        900, 60, List.of(), List.of(), PREP_KEY, "dataset-prep: alpaca, 2000 records");
  }

  static Stage rollout() {
    return new Stage(StageName.ROLLOUT, StageKind.DEPLOYMENT, "nvcr.io/nvidia/tritonserver:24.12-trtllm-python-py3",
        List.of("tritonserver", "--model-repository=/workspace/repo"), Map.of(), List.of(),
        new Resources(1, "nvidia.com/gpu", "8", "64Gi"), List.of(), 1800, 300, List.of(),
        List.of(), "b".repeat(64), "rollout on Triton");
  }

  static ClusterSpec gpuCluster() {
    return new ClusterSpec(null, Map.of("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3"),
        List.of(new TolerationSpec("nvidia.com/gpu", "Exists", null, "NoSchedule")),
        null, null, null, null, List.of("ngc-pull"), null, "gpu-queue", 1800, 3600, null, null, null);
  }
}
