package fineflow.workflows.plan;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.workflows.spec.PipelineSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The exact argv of every stage for the manual run's ELYZA-7B QLoRA → Triton run
 * (docs/manual-procedure.md).
 */
class PlannerGoldenArgvTest {
  private final PipelineSpec spec = SeedSpecs.elyzaQloraTriton();
  private final Plan plan = Planner.plan(spec);

  private String out(StageName name) {
    return out(plan, name);
  }

  private static String out(Plan plan, StageName name) {
    return "/workspace/cache/" + name.id() + "-" + plan.stage(name).orElseThrow().shortKey();
  }

  /** JSON written with single quotes, for a golden parameters argument that reads as one line. */
  private static String q(String json) {
    return json.replace('\'', '"');
  }

  private List<String> argv(StageName name) {
    return plan.stage(name).orElseThrow().argv();
  }

  @Test
  void datasetPrep() {
    assertThat(argv(StageName.DATASET_PREP)).containsExactly(
        "fineflow", "stage", "dataset-prep", "--params",
        q("{'stage':'dataset-prep','contentAddressed':true,'fields':{'input':'input',"
            + "'instruction':'instruction','output':'output','system':'system'},'format':'json',"
            + "'input':'/workspace/data/dazai.json','maxInputTokens':2048,'onInvalid':'fail',"
            + "'output':'" + out(StageName.DATASET_PREP) + "','seed':42,'systemPrompt':'あなたは太宰治です。',"
            + "'template':'llama2-chat','validationSplit':0.2}"));
  }

  @Test
  void trainQlora() {
    // The folder named after the digest dataset-prep records, which the run writes in.
    String data = out(StageName.DATASET_PREP) + "/" + OutputPin.DATASET_SHA;
    assertThat(argv(StageName.TRAIN)).containsExactly(
        "python3", "/opt/fineflow-programs/train.py", "--params",
        // model-fetch's snapshot and commit, never the Hub id and branch.
        "{\"stage\":\"train\",\"epochs\":3,\"eval_file\":\"" + data + "/validation.jsonl\","
            + "\"eval_steps\":25,\"grad_accum\":32,\"gradient_checkpointing\":true,"
            + "\"logging_steps\":1,\"lora\":{\"alpha\":8,\"bias\":\"none\",\"dropout\":0.1,"
            + "\"r\":4,\"targets\":[\"q_proj\",\"k_proj\",\"v_proj\",\"o_proj\",\"gate_proj\","
            + "\"up_proj\",\"down_proj\"]},\"lr\":5.0E-5,\"max_seq_len\":512,\"method\":\"qlora\","
            + "\"micro_batch\":1,\"model\":\"" + SeedSpecs.snapshot(SeedSpecs.ELYZA) + "\","
            + "\"optim\":\"paged_adamw_8bit\",\"output_dir\":\"" + out(StageName.TRAIN) + "\","
            + "\"precision\":\"bf16\",\"quantization\":{\"bits\":4,\"compute_dtype\":\"bfloat16\","
            + "\"double_quant\":true,\"quant_type\":\"nf4\"},\"revision\":\"" + ModelFetch.SHA + "\","
            + "\"save_steps\":25,\"scheduler\":\"cosine\",\"seed\":42,"
            + "\"train_file\":\"" + data + "/train.jsonl\",\"trust_remote_code\":false,"
            + "\"warmup_steps\":5}");
    assertThat(plan.stage(StageName.TRAIN).orElseThrow().params(TrainParams.class))
        .isEqualTo(new TrainParams(SeedSpecs.snapshot(SeedSpecs.ELYZA), ModelFetch.SHA,
            data + "/train.jsonl", data + "/validation.jsonl", out(StageName.TRAIN), "qlora",
            new TrainParams.Lora(4, 8, 0.1, List.of("q_proj", "k_proj", "v_proj", "o_proj",
                "gate_proj", "up_proj", "down_proj"), "none"),
            new TrainParams.Quantization(4, "nf4", true, "bfloat16"), 3, 1, 32, 5e-5, "cosine", 5,
            "paged_adamw_8bit", true, "bf16", 512, 25, 25, 1, 42, false));
  }

  @Test
  void modelFetchIsFirstAndRecordsTheCommit() {
    assertThat(plan.stages().get(0).name()).isEqualTo(StageName.MODEL_FETCH);
    assertThat(argv(StageName.MODEL_FETCH)).containsExactly(
        "python3", "/opt/fineflow-programs/model_fetch.py", "--params",
        "{\"stage\":\"model-fetch\",\"model\":\"" + SeedSpecs.ELYZA + "\",\"output\":\""
            + out(StageName.MODEL_FETCH) + "\",\"revision\":\"main\"}");
    Stage fetch = plan.stage(StageName.MODEL_FETCH).orElseThrow();
    assertThat(fetch.secretEnv()).extracting(SecretEnv::name).containsExactly("HF_TOKEN");
    assertThat(fetch.volumes()).extracting(VolumeMount::mountPath).contains("/workspace/hf-cache");
    // A workspace model is hashed where it is, without the Hub.
    Plan local = Planner.plan(SeedSpecs.with(spec, "model.id", "\"/workspace/models/elyza\""));
    assertThat(local.stage(StageName.MODEL_FETCH).orElseThrow().params())
        .isEqualTo(new ModelFetchParams("/workspace/models/elyza", null, out(local, StageName.MODEL_FETCH)));
    assertThat(local.stage(StageName.TRAIN).orElseThrow().params(TrainParams.class).model())
        .isEqualTo("/workspace/models/elyza");
    assertThat(local.stage(StageName.TRAIN).orElseThrow().consumes()).contains(StageName.MODEL_FETCH);
  }

  @Test
  void trainLoraHasNoQuantizationPart() {
    Plan lora = Planner.plan(SeedSpecs.with(spec, "training.method", "\"lora\""));
    TrainParams params = lora.stage(StageName.TRAIN).orElseThrow().params(TrainParams.class);
    assertThat(params.method()).isEqualTo("lora");
    assertThat(params.lora().r()).isEqualTo(4);
    assertThat(params.quantization()).isNull();
    assertThat(params.json()).doesNotContain("quantization");
  }

  @Test
  void loraConvert() {
    String adapter = out(StageName.TRAIN) + "/adapter";
    String prefetch = out(StageName.LORA_CONVERT);
    assertThat(argv(StageName.LORA_CONVERT)).containsExactly(
        "python3", "/opt/fineflow-programs/stage_runner.py", "--params",
        q("{'stage':'lora-convert','adapterDir':'" + adapter + "','maxRank':8,'outputDir':'" + prefetch
            + "','storageType':'float16','targets':['attn_q','attn_k','attn_v','attn_dense',"
            + "'mlp_h_to_4h','mlp_gate','mlp_4h_to_h'],'taskId':0}"),
        "--",
        "python3", "/app/examples/hf_lora_convert.py",
        "-i", adapter, "-o", prefetch + "/0", "--storage-type", "float16");
  }

  /**
   * The manual run's int4 AWQ + int8 KV cache, the supported way: quantize.py (convert_checkpoint.py
   * sends AWQ there itself), calibrated on the run's training split, never a Hub dataset.
   */
  @Test
  void checkpointConvertQuantizesAwqOnTheTrainingSplit() {
    String ckpt = out(StageName.CHECKPOINT_CONVERT);
    assertThat(argv(StageName.CHECKPOINT_CONVERT)).containsExactly(
        "python3", "/opt/fineflow-programs/stage_runner.py", "--params",
        q("{'stage':'checkpoint-convert','dtype':'float16','modelDir':'" + SeedSpecs.snapshot(SeedSpecs.ELYZA)
            + "','outputDir':'" + ckpt + "','quantize':{'awqBlockSize':128,'calibDataset':'"
            + out(StageName.DATASET_PREP) + "/" + OutputPin.DATASET_SHA + "/calibration',"
            + "'calibSize':256,'kvCacheDtype':'int8','qformat':'int4_awq'},"
            + "'script':'/app/examples/quantization/quantize.py'}"),
        "--",
        "python3", "/app/examples/quantization/quantize.py",
        "--model_dir", SeedSpecs.snapshot(SeedSpecs.ELYZA), "--output_dir", ckpt, "--dtype", "float16",
        "--qformat", "int4_awq", "--awq_block_size", "128", "--kv_cache_dtype", "int8",
        "--calib_size", "256",
        "--calib_dataset", out(StageName.DATASET_PREP) + "/" + OutputPin.DATASET_SHA + "/calibration");
    Stage stage = plan.stage(StageName.CHECKPOINT_CONVERT).orElseThrow();
    assertThat(stage.consumes()).contains(StageName.DATASET_PREP);
    assertThat(stage.volumes()).anySatisfy(v -> {
      assertThat(v.mountPath()).isEqualTo(out(StageName.DATASET_PREP));
      assertThat(v.readOnly()).isTrue();
    });
  }

  @Test
  void checkpointConvertWithoutCalibrationKeepsConvertCheckpoint() {
    Plan plain = Planner.plan(SeedSpecs.with(SeedSpecs.with(spec, "engine.weightOnlyPrecision",
        "\"int8\""), "engine.int8KvCache", "false"));
    Stage stage = plain.stage(StageName.CHECKPOINT_CONVERT).orElseThrow();
    assertThat(stage.argv()).contains("/app/examples/models/core/llama/convert_checkpoint.py",
            "--use_weight_only", "--weight_only_precision", "int8")
        .doesNotContain("--calib_size", "--calib_dataset", "--per_group");
    assertThat(stage.consumes()).doesNotContain(StageName.DATASET_PREP);
  }

  @Test
  void engineBuildIsTheSeedCommandWithOneDtype() {
    String ckpt = out(StageName.CHECKPOINT_CONVERT);
    String engine = out(StageName.ENGINE_BUILD);
    assertThat(argv(StageName.ENGINE_BUILD)).containsExactly(
        "python3", "/opt/fineflow-programs/stage_runner.py", "--params",
        q("{'stage':'engine-build','checkpointDir':'" + ckpt + "','dtype':'float16','kvCacheType':'paged',"
            + "'lora':{'maxRank':8,'pluginDtype':'float16','targetModules':['attn_q','attn_k','attn_v',"
            + "'attn_dense','mlp_h_to_4h','mlp_gate','mlp_4h_to_h']},'maxBatchSize':16,'maxBeamWidth':1,"
            + "'maxInputLen':2048,'maxNumTokens':8192,'maxSeqLen':4096,'outputDir':'" + engine + "'}"),
        "--",
        "trtllm-build", "--checkpoint_dir", ckpt, "--output_dir", engine,
        "--gpt_attention_plugin", "auto", "--gemm_plugin", "auto",
        "--max_batch_size", "16", "--max_input_len", "2048", "--max_seq_len", "4096",
        "--max_num_tokens", "8192", "--max_beam_width", "1", "--kv_cache_type", "paged",
        "--lora_plugin", "float16", "--max_lora_rank", "8",
        "--lora_target_modules", "attn_q", "attn_k", "attn_v", "attn_dense", "mlp_h_to_4h",
        "mlp_gate", "mlp_4h_to_h");
  }

  @Test
  void engineTargetsHaveTheTrainingCount() {
    List<String> build = argv(StageName.ENGINE_BUILD);
    List<String> targets = build.subList(build.indexOf("--lora_target_modules") + 1, build.size());
    assertThat(targets).hasSameSizeAs(spec.training().lora().targetModules());
  }

  @Test
  void tritonRepo() {
    assertThat(argv(StageName.TRITON_REPO)).containsExactly(
        "fineflow", "stage", "triton-repo", "--params",
        q("{'stage':'triton-repo','batchingStrategy':'inflight_fused_batching','blsInstances':1,"
            + "'decoupled':true,'engineDir':'" + out(StageName.ENGINE_BUILD) + "',"
            + "'kvCacheFreeGpuMemFraction':0.9,'logitsDatatype':'auto','loraPrefetchDir':'"
            + out(StageName.LORA_CONVERT) + "','maxBatchSize':16,'maxQueueDelayMicroseconds':0,"
            + "'output':'" + out(StageName.TRITON_REPO) + "','postprocessingInstances':1,"
            + "'preprocessingInstances':1,'skeleton':'/skeleton/inflight_batcher_llm',"
            + "'tokenizerDir':'" + SeedSpecs.snapshot(SeedSpecs.ELYZA) + "'}"));
  }

  @Test
  void tritonRolloutSetsTheBackendBatchSize() {
    Stage rollout = plan.stage(StageName.ROLLOUT).orElseThrow();
    assertThat(rollout.kind()).isEqualTo(StageKind.DEPLOYMENT);
    assertThat(rollout.argv()).containsExactly(
        "tritonserver", "--model-repository=" + out(StageName.TRITON_REPO),
        "--backend-config=tensorrtllm,default-max-batch-size=16",
        "--http-port", "8000", "--grpc-port", "8001", "--metrics-port", "8002");
  }

  @Test
  void tritonRolloutOnSeveralGpusRunsOneMpiRankPerGpuInTheForeground() {
    Plan tp2 = Planner.plan(SeedSpecs.with(spec, "engine.tpSize", "2"));
    String repo = "/workspace/cache/triton-repo-" + tp2.stage(StageName.TRITON_REPO).orElseThrow()
        .shortKey();
    // What launch_triton_server.py --world_size=2 would Popen, minus its repeated port flags.
    assertThat(tp2.stage(StageName.ROLLOUT).orElseThrow().argv()).containsExactly(
        "mpirun", "--allow-run-as-root",
        "-n", "1", "tritonserver", "--model-repository=" + repo,
        "--grpc-port=8001", "--http-port=8000", "--metrics-port=8002",
        "--disable-auto-complete-config", "--backend-config=python,shm-region-prefix-name=prefix0_",
        ":",
        "-n", "1", "tritonserver", "--model-repository=" + repo,
        "--grpc-port=8001", "--http-port=8000", "--metrics-port=8002",
        "--model-control-mode=explicit", "--load-model=tensorrt_llm",
        "--disable-auto-complete-config", "--backend-config=python,shm-region-prefix-name=prefix1_");
    assertThat(tp2.stage(StageName.CHECKPOINT_CONVERT).orElseThrow().argv())
        .containsSequence("--tp_size", "2", "--pp_size", "1");
  }

  @Test
  void benchmarkSweepsTheSeedConcurrencies() {
    Stage rollout = plan.stage(StageName.ROLLOUT).orElseThrow();
    assertThat(argv(StageName.BENCHMARK)).containsExactly(
        "fineflow", "stage", "benchmark", "--params",
        "{\"stage\":\"benchmark\",\"concurrency\":[1,4,8,16,32,64],\"endpointType\":\"kserve\","
            + "\"inputTokens\":512,\"model\":\"ensemble\",\"output\":\"" + out(StageName.BENCHMARK)
            + "\",\"outputTokens\":256,\"requests\":[32,40,80,160,320,640],\"streaming\":true,"
            + "\"tokenizer\":\"" + SeedSpecs.snapshot(SeedSpecs.ELYZA) + "\",\"tool\":\"genai-perf\","
            + "\"url\":\"elyza-dazai-rollout-" + rollout.shortKey() + ":8001\"}");
  }

  @Test
  void fullFineTuningConvertsTheTrainedWeights() {
    Plan full = Planner.plan(SeedSpecs.with(spec, "training.method", "\"full\""));
    String model = "/workspace/cache/train-" + full.stage(StageName.TRAIN).orElseThrow().shortKey()
        + "/model";
    assertThat(full.stage(StageName.LORA_CONVERT)).isEmpty();
    Stage convert = full.stage(StageName.CHECKPOINT_CONVERT).orElseThrow();
    assertThat(convert.argv()).containsSequence("--model_dir", model);
    assertThat(convert.consumes()).containsExactly(StageName.TRAIN, StageName.DATASET_PREP);
    assertThat(full.stage(StageName.ENGINE_BUILD).orElseThrow().argv())
        .doesNotContain("--lora_plugin", "--max_lora_rank", "--lora_target_modules");
    TrainParams train = full.stage(StageName.TRAIN).orElseThrow().params(TrainParams.class);
    assertThat(train.lora()).isNull();
    assertThat(train.quantization()).isNull();
  }
}
