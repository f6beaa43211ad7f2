"""Tests of resources/fineflow/programs/stage_runner.py (python3 -m unittest with numpy, as in the
TensorRT-LLM image; PythonProgramsTest runs them with the Python ML environment).

The NVIDIA tools are replaced by tiny Python scripts that write the outputs the real tools
write (or not, or print a CUDA OOM), and stage_runner runs as the pod runs it: a subprocess.
"""

import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import textwrap
import unittest

import numpy

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "resources", "fineflow", "programs"))
RUNNER = os.path.join(PROGRAMS, "stage_runner.py")
sys.path.insert(0, PROGRAMS)
import stage_runner  # noqa: E402

SEVEN_HF = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
SEVEN_TRT = "attn_q,attn_k,attn_v,attn_dense,mlp_h_to_4h,mlp_4h_to_h,mlp_gate"
# Same value as ContentDigestTest.TREE_SHA256 in the Java tests.
TREE_SHA256 = "846f584e0383394ca8fdd69592693a65141d8ddf2d5d5968a68af49d297a824e"


def npy_bytes(descr, shape, payload, fortran=False):
    """A .npy file written by hand, independently of the numpy that stage_runner reads it with."""
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %r, }" % (descr, fortran, tuple(shape))
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + " " * pad + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + payload


def lora_config_npy(module_ids, layers, rank):
    rows = [(m, layer, rank) for layer in range(layers) for m in module_ids]
    payload = struct.pack("<%di" % (3 * len(rows)), *[v for row in rows for v in row])
    return npy_bytes("<i4", (1, len(rows), 3), payload), len(rows)


class StageRunnerCase(unittest.TestCase):

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name
        self.result = os.path.join(self.tmp, "result.json")
        self.marker = os.path.join(self.tmp, "tool-ran")

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def fake_tool(self, body):
        """A tool script: records that it ran, then runs `body` (sys.argv are its flags)."""
        script = self.path("tool.py")
        with open(script, "w") as f:
            f.write("import json, os, struct, sys\nopen(%r, 'w').close()\n" % self.marker)
            f.write(textwrap.dedent(body))
        return [sys.executable, script]

    def run_stage(self, params, tool_argv):
        """stage_runner as the pod runs it: the stage's parameters, then the tool rendered from them."""
        argv = [sys.executable, RUNNER, "--params", json.dumps(params), "--result-file", self.result]
        proc = subprocess.run(argv + ["--"] + tool_argv, capture_output=True, text=True, timeout=60)
        with open(self.result) as f:
            result = json.load(f)
        return proc, result


class LoraConvertTest(StageRunnerCase):

    def adapter(self, modules, r=4):
        folder = self.path("adapter")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "adapter_config.json"), "w") as f:
            json.dump({"r": r, "lora_alpha": 8, "target_modules": modules, "peft_type": "LORA"}, f)
        with open(os.path.join(folder, "adapter_model.safetensors"), "wb") as f:
            f.write(b"\x08\x00\x00\x00\x00\x00\x00\x00{}      ")
        return folder

    def converter(self, weights_descr="<f2", modules=(1, 2, 3, 4, 5, 6, 7), write=True, extra="",
                  config=None, weights=None):
        rows = 2 * len(modules)
        config = config if config is not None else lora_config_npy(list(modules), layers=2, rank=4)[0]
        weights = weights if weights is not None else npy_bytes(weights_descr, (1, rows, 8), b"\x00" * (rows * 8 * int(weights_descr[-1])))
        return self.fake_tool("""
            out = sys.argv[sys.argv.index('-o') + 1]
            %s
            if %r:
                os.makedirs(out, exist_ok=True)
                open(os.path.join(out, 'model.lora_config.npy'), 'wb').write(%r)
                open(os.path.join(out, 'model.lora_weights.npy'), 'wb').write(%r)
            """ % (extra, write, config, weights))

    def argv(self, tool, adapter, storage="float16"):
        return tool + ["-i", adapter, "-o", self.path("prefetch", "0"), "--storage-type", storage]

    def params(self, adapter, targets=SEVEN_TRT, max_rank=8, storage="float16"):
        """LoraConvertParams as the planner writes them."""
        return {"stage": "lora-convert", "adapterDir": adapter, "outputDir": self.path("prefetch"),
                "taskId": 0, "storageType": storage, "maxRank": max_rank, "targets": targets.split(",")}

    def test_converted_adapter_is_checked_and_reported(self):
        adapter = self.adapter(SEVEN_HF)
        proc, result = self.run_stage(self.params(adapter),
                                      self.argv(self.converter(), adapter))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(result["artifacts"][0]["name"], "lora-0")
        self.assertEqual(len(result["artifacts"][0]["sha256"]), 64)
        self.assertEqual(result["info"]["dtype"], "float16")
        self.assertEqual(result["metrics"]["loraRows"], 14.0)
        self.assertEqual(result["metrics"]["layers"], 2.0)
        self.assertFalse(result["simulated"])

    def test_module_count_mismatch_stops_before_the_tool_naming_map_at(self):
        adapter = self.adapter(SEVEN_HF[:6])
        proc, result = self.run_stage(self.params(adapter),
                                      self.argv(self.converter(), adapter))
        self.assertEqual(proc.returncode, 2)
        self.assertIn("map::at", result["error"])
        self.assertFalse(os.path.exists(self.marker), "the tool must not run after a failed pre-check")

    def test_fused_qkv_on_the_engine_side_is_a_mismatch(self):
        adapter = self.adapter(SEVEN_HF)
        fused = "attn_qkv,attn_dense,mlp_h_to_4h,mlp_4h_to_h,mlp_gate"
        proc, result = self.run_stage(self.params(adapter, fused),
                                      self.argv(self.converter(), adapter))
        self.assertEqual(proc.returncode, 2)
        self.assertIn("map::at", result["error"])

    def test_gate_and_up_map_like_tensorrt_llm(self):
        self.assertEqual(stage_runner.HF_TO_TRTLLM["gate_proj"], "mlp_h_to_4h")
        self.assertEqual(stage_runner.HF_TO_TRTLLM["up_proj"], "mlp_gate")

    def test_rank_above_max_lora_rank(self):
        adapter = self.adapter(SEVEN_HF, r=16)
        proc, result = self.run_stage(self.params(adapter),
                                      self.argv(self.converter(), adapter))
        self.assertEqual(proc.returncode, 2)
        self.assertIn("rank 16 exceeds the engine's --max_lora_rank 8", result["error"])

    def test_pattern_target_modules_cannot_be_checked(self):
        adapter = self.adapter("all-linear")
        proc, result = self.run_stage(self.params(adapter),
                                      self.argv(self.converter(), adapter))
        self.assertEqual(proc.returncode, 2)
        self.assertIn("not a list of module names", result["error"])

    def test_weights_in_another_dtype_fail_the_output_check(self):
        adapter = self.adapter(SEVEN_HF)
        proc, result = self.run_stage(self.params(adapter),
                                      self.argv(self.converter(weights_descr="<f4"), adapter))
        self.assertEqual(proc.returncode, 4)
        self.assertIn("is <f4, not float16", result["error"])

    def test_converted_modules_other_than_the_engines_fail_the_output_check(self):
        adapter = self.adapter(SEVEN_HF)
        proc, result = self.run_stage(self.params(adapter),
                                      self.argv(self.converter(modules=(1, 2, 3, 4, 5, 6, 18)), adapter))
        self.assertEqual(proc.returncode, 4)
        self.assertIn("mlp_gate_up", result["error"])

    def test_no_output_fails_the_output_check(self):
        adapter = self.adapter(SEVEN_HF)
        proc, result = self.run_stage(self.params(adapter),
                                      self.argv(self.converter(write=False), adapter))
        self.assertEqual(proc.returncode, 4)
        self.assertIn("no <task id> folder", result["error"])

    def test_numpy_written_bfloat16_weights_pass(self):
        # hf_lora_convert.py saves bfloat16 as a 2-byte void type; numpy.save writes it as |V2.
        adapter = self.adapter(SEVEN_HF)
        weights = io.BytesIO()
        numpy.save(weights, numpy.zeros((1, 14, 8), dtype="V2"))
        proc, result = self.run_stage(self.params(adapter, storage="bfloat16"),
                                      self.argv(self.converter(weights=weights.getvalue()), adapter, "bfloat16"))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(result["metrics"]["loraRank"], 4.0)

    def test_fortran_order_lora_config_fails_the_output_check(self):
        adapter = self.adapter(SEVEN_HF)
        rows = [(m, layer, 4) for layer in range(2) for m in range(1, 8)]
        column_major = struct.pack("<42i", *[row[c] for c in range(3) for row in rows])
        config = npy_bytes("<i4", (14, 3), column_major, fortran=True)
        proc, result = self.run_stage(self.params(adapter),
                                      self.argv(self.converter(config=config), adapter))
        self.assertEqual(proc.returncode, 4)
        self.assertIn("in Fortran order", result["error"])

    def test_truncated_weights_fail_the_output_check(self):
        adapter = self.adapter(SEVEN_HF)
        weights = npy_bytes("<f2", (1, 14, 8), b"\x00" * 100)  # 14 * 8 * 2 bytes announced
        proc, result = self.run_stage(self.params(adapter),
                                      self.argv(self.converter(weights=weights), adapter))
        self.assertEqual(proc.returncode, 4)
        self.assertIn("model.lora_weights.npy", result["error"])
        self.assertIn("unreadable .npy file", result["error"])

    def test_file_that_is_not_npy_fails_the_output_check(self):
        adapter = self.adapter(SEVEN_HF)
        proc, result = self.run_stage(self.params(adapter),
                                      self.argv(self.converter(config=b"not an array"), adapter))
        self.assertEqual(proc.returncode, 4)
        self.assertIn("unreadable .npy file", result["error"])

    def test_cuda_oom_in_a_failed_tool_is_exit_3(self):
        adapter = self.adapter(SEVEN_HF)
        tool = self.converter(write=False, extra="print('torch.OutOfMemoryError: CUDA out of memory. "
                                                 "Tried to allocate 2.00 GiB'); sys.exit(1)")
        proc, result = self.run_stage(self.params(adapter),
                                      self.argv(tool, adapter))
        self.assertEqual(proc.returncode, 3)
        self.assertIn("ran out of GPU memory", result["error"])
        self.assertIn("CUDA out of memory", proc.stdout, "the tool's output is streamed")

    def test_other_tool_failure_is_exit_1_with_its_last_lines(self):
        adapter = self.adapter(SEVEN_HF)
        tool = self.converter(write=False, extra="print('KeyError: lora_A'); sys.exit(7)")
        proc, result = self.run_stage(self.params(adapter),
                                      self.argv(tool, adapter))
        self.assertEqual(proc.returncode, 1)
        self.assertIn("exit code 7", result["error"])
        self.assertIn("KeyError: lora_A", result["problems"])


class CheckpointConvertTest(StageRunnerCase):

    def converter(self, dtype="float16", shards=1):
        return self.fake_tool("""
            out = sys.argv[sys.argv.index('--output_dir') + 1]
            os.makedirs(out, exist_ok=True)
            json.dump({'architecture': 'LlamaForCausalLM', 'dtype': %r,
                       'quantization': {'quant_algo': 'W4A16_AWQ', 'kv_cache_quant_algo': 'INT8'},
                       'mapping': {'world_size': 1, 'tp_size': 1, 'pp_size': 1}},
                      open(os.path.join(out, 'config.json'), 'w'))
            for i in range(%d):
                open(os.path.join(out, 'rank%%d.safetensors' %% i), 'wb').write(b'weights')
            """ % (dtype, shards))

    def params(self, out, dtype="float16", parallel=None):
        """CheckpointConvertParams as the planner writes them (convert_checkpoint.py)."""
        model = self.path("model")
        os.makedirs(model, exist_ok=True)
        open(os.path.join(model, "config.json"), "w").close()
        return {"stage": "checkpoint-convert", "script": "convert_checkpoint.py", "modelDir": model,
                "outputDir": out, "dtype": dtype, "parallel": parallel}

    def test_checkpoint_with_the_pipeline_dtype(self):
        out = self.path("ckpt")
        proc, result = self.run_stage(self.params(out),
                                      self.converter() + ["--output_dir", out, "--dtype", "float16"])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(result["info"]["quant_algo"], "W4A16_AWQ")
        self.assertEqual(result["artifacts"][0]["sha256"], stage_runner.content_digest(out)[0])

    def test_a_model_folder_without_config_is_refused_before_the_tool(self):
        out = self.path("ckpt")
        params = dict(self.params(out), modelDir=self.path("no-model"))
        proc, result = self.run_stage(params, self.converter() + ["--output_dir", out])
        self.assertEqual(proc.returncode, 2)
        self.assertIn("has no config.json", result["error"])
        self.assertFalse(os.path.exists(self.marker))

    def test_one_shard_per_rank_of_the_parameters(self):
        out = self.path("ckpt")
        proc, result = self.run_stage(self.params(out, parallel={"tpSize": 2, "ppSize": 1}),
                                      self.converter() + ["--output_dir", out])
        self.assertEqual(proc.returncode, 4)
        self.assertIn("1 rank*.safetensors for world size 2", result["error"])

    def test_written_dtype_is_checked(self):
        out = self.path("ckpt")
        proc, result = self.run_stage(self.params(out),
                                      self.converter(dtype="bfloat16") + ["--output_dir", out, "--dtype", "float16"])
        self.assertEqual(proc.returncode, 4)
        self.assertIn("dtype bfloat16, expected float16", result["error"])

    def test_missing_shard_is_an_output_failure(self):
        out = self.path("ckpt")
        proc, result = self.run_stage(self.params(out),
                                      self.converter(shards=0) + ["--output_dir", out, "--dtype", "float16"])
        self.assertEqual(proc.returncode, 4)
        self.assertIn("rank*.safetensors", result["error"])


class EngineBuildTest(StageRunnerCase):

    def checkpoint(self, dtype="float16"):
        folder = self.path("ckpt")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump({"architecture": "LlamaForCausalLM", "dtype": dtype}, f)
        return folder

    def builder(self, max_batch_size=16, engine=True):
        return self.fake_tool("""
            out = sys.argv[sys.argv.index('--output_dir') + 1]
            os.makedirs(out, exist_ok=True)
            json.dump({'version': '1.0.0',
                       'pretrained_config': {'dtype': 'float16', 'logits_dtype': 'float32',
                                             'architecture': 'LlamaForCausalLM'},
                       'build_config': {'max_batch_size': %d, 'max_input_len': 2048, 'max_seq_len': 4096,
                                        'max_beam_width': 1, 'max_num_tokens': 8192,
                                        'plugin_config': {'lora_plugin': 'auto', 'gemm_plugin': 'auto'},
                                        'lora_config': {'max_lora_rank': 8,
                                                        'lora_target_modules': ['attn_q', 'attn_k']}}},
                      open(os.path.join(out, 'config.json'), 'w'))
            if %r:
                open(os.path.join(out, 'rank0.engine'), 'wb').write(b'engine')
            """ % (max_batch_size, engine))

    def argv(self, tool, checkpoint, out, targets=("attn_q", "attn_k")):
        return tool + ["--checkpoint_dir", checkpoint, "--output_dir", out, "--max_batch_size", "16",
                       "--max_input_len", "2048", "--max_seq_len", "4096", "--lora_plugin", "auto",
                       "--max_lora_rank", "8", "--lora_target_modules"] + list(targets)

    def params(self, checkpoint, out, targets=("attn_q", "attn_k")):
        """EngineBuildParams as the planner writes them."""
        return {"stage": "engine-build", "checkpointDir": checkpoint, "outputDir": out, "dtype": "float16",
                "maxBatchSize": 16, "maxInputLen": 2048, "maxSeqLen": 4096, "maxNumTokens": 8192,
                "maxBeamWidth": 1, "kvCacheType": "paged",
                "lora": {"pluginDtype": "auto", "maxRank": 8, "targetModules": list(targets)}}

    def test_engine_build_settings_go_into_the_result(self):
        checkpoint, out = self.checkpoint(), self.path("engine")
        proc, result = self.run_stage(self.params(checkpoint, out),
                                      self.argv(self.builder(), checkpoint, out))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        info = result["info"]
        self.assertEqual(info["max_batch_size"], "16")
        self.assertEqual(info["max_seq_len"], "4096")
        self.assertEqual(info["max_input_len"], "2048")
        self.assertEqual(info["lora_plugin"], "auto")
        self.assertEqual(info["dtype"], "float16")
        self.assertEqual(info["logits_dtype"], "float32")
        self.assertEqual(info["lora_target_modules"], "attn_q,attn_k")
        self.assertEqual(result["artifacts"][0]["name"], "engine")

    def test_checkpoint_dtype_other_than_the_pipelines_stops_before_the_build(self):
        checkpoint, out = self.checkpoint("bfloat16"), self.path("engine")
        proc, result = self.run_stage(self.params(checkpoint, out),
                                      self.argv(self.builder(), checkpoint, out))
        self.assertEqual(proc.returncode, 2)
        self.assertIn("std::bad_cast", result["error"])
        self.assertFalse(os.path.exists(self.marker))

    def test_engine_lora_targets_must_be_the_adapters(self):
        checkpoint, out = self.checkpoint(), self.path("engine")
        proc, result = self.run_stage(self.params(checkpoint, out, targets=("attn_qkv",)),
                                      self.argv(self.builder(), checkpoint, out, targets=("attn_qkv",)))
        self.assertEqual(proc.returncode, 4)
        self.assertIn("map::at", result["error"])

    def test_built_settings_other_than_asked_fail_the_output_check(self):
        checkpoint, out = self.checkpoint(), self.path("engine")
        proc, result = self.run_stage(self.params(checkpoint, out),
                                      self.argv(self.builder(max_batch_size=8), checkpoint, out))
        self.assertEqual(proc.returncode, 4)
        self.assertIn("build_config.max_batch_size is 8", result["error"])

    def test_missing_engine_file_fails_the_output_check(self):
        checkpoint, out = self.checkpoint(), self.path("engine")
        proc, result = self.run_stage(self.params(checkpoint, out),
                                      self.argv(self.builder(engine=False), checkpoint, out))
        self.assertEqual(proc.returncode, 4)
        self.assertIn("rank*.engine", result["error"])


class ArgumentsTest(unittest.TestCase):
    """The command line the planner renders (PlannerGoldenArgvTest) and its bad forms."""

    PARAMS = {"stage": "lora-convert", "adapterDir": "/workspace/cache/train-a/adapter",
              "outputDir": "/workspace/cache/lora-convert-b", "taskId": 0, "storageType": "float16",
              "maxRank": 8, "targets": ["attn_q", "attn_k"]}

    def planner_argv(self):
        return ["--params", json.dumps(self.PARAMS), "--",
                "python3", "/app/examples/hf_lora_convert.py", "-i", self.PARAMS["adapterDir"],
                "-o", self.PARAMS["outputDir"] + "/0", "--storage-type", "float16"]

    def bad(self, argv):
        with self.assertRaises(stage_runner.StageError) as caught:
            stage_runner.parse_args(argv)
        self.assertEqual(caught.exception.code, 2)
        self.assertNotIn("\n", caught.exception.message)
        return caught.exception.message

    def test_planner_argv(self):
        params, result_file, tool = stage_runner.parse_args(self.planner_argv())
        self.assertEqual(params, self.PARAMS)
        self.assertEqual(result_file, "/dev/termination-log")
        self.assertEqual(tool, self.planner_argv()[self.planner_argv().index("--") + 1:])

    def test_everything_after_the_first_separator_is_the_tools(self):
        params, result_file, tool = stage_runner.parse_args(
            ["--params", json.dumps(self.PARAMS), "--result-file", "r", "--",
             "trtllm-build", "--params", "x", "--", "z"])
        self.assertEqual(result_file, "r")
        self.assertEqual(tool, ["trtllm-build", "--params", "x", "--", "z"])

    def test_missing_separator_or_tool(self):
        self.assertTrue(self.bad(["--params", json.dumps(self.PARAMS)]).startswith("usage: stage_runner.py"))
        self.assertEqual(self.bad(["--params", json.dumps(self.PARAMS), "--"]), "no tool command after --")

    def test_bad_options_name_the_option(self):
        good = json.dumps(self.PARAMS)
        self.assertIn("--bogus", self.bad(["--params", good, "--bogus", "1", "--", "t"]))
        self.assertIn("--params", self.bad(["--para", good, "--", "t"]))
        self.assertIn("stray", self.bad(["stray", "--params", good, "--", "t"]))
        self.assertIn("--params", self.bad(["--", "t"]))
        self.assertIn("not JSON", self.bad(["--params", "{stage: lora-convert", "--", "t"]))

    def test_the_parameters_must_be_of_a_stage_it_runs(self):
        message = self.bad(["--params", json.dumps(dict(self.PARAMS, stage="train")), "--", "t"])
        self.assertIn("parameters of 'train'", message)
        for stage in ("checkpoint-convert", "engine-build", "lora-convert"):
            self.assertIn(stage, message)


class PiecesTest(unittest.TestCase):

    def test_directory_digest_matches_the_java_one(self):
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "sub"))
            os.makedirs(os.path.join(d, "B"))
            with open(os.path.join(d, "a.txt"), "w") as f:
                f.write("hello\n")
            with open(os.path.join(d, "sub", "b.bin"), "w") as f:
                f.write("world")
            open(os.path.join(d, "B", "empty"), "w").close()
            self.assertEqual(stage_runner.content_digest(d), (TREE_SHA256, 11))

    def test_hand_written_and_numpy_written_npy_read_the_same(self):
        with tempfile.TemporaryDirectory() as d:
            by_hand, by_numpy = os.path.join(d, "hand.npy"), os.path.join(d, "numpy.npy")
            data, rows = lora_config_npy([1, 2], layers=3, rank=4)
            with open(by_hand, "wb") as f:
                f.write(data)
            numpy.save(by_numpy, numpy.array([[(m, layer, 4) for layer in range(3) for m in (1, 2)]],
                                             dtype="<i4"))
            for path in (by_hand, by_numpy):
                array = stage_runner.npy_array(path)
                self.assertEqual((array.dtype.str, array.shape), ("<i4", (1, rows, 3)))
                self.assertEqual(array[0, 5].tolist(), [2, 2, 4])

    def test_result_stays_under_4_kib(self):
        info = {"k%d" % i: "v" * 200 for i in range(40)}
        text = stage_runner.result_json([], {"x": 1.0}, info)
        self.assertLessEqual(len(text.encode("utf-8")), 4096)
        self.assertIn("k0", json.loads(text)["info"])

    def test_missing_separator_is_a_usage_error(self):
        proc = subprocess.run([sys.executable, RUNNER, "--params", json.dumps(ArgumentsTest.PARAMS),
                               "--result-file", os.devnull], capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("usage", proc.stderr)

    def test_missing_tool_is_bad_input(self):
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "ckpt"))
            with open(os.path.join(d, "ckpt", "config.json"), "w") as f:
                json.dump({"dtype": "float16"}, f)
            params = {"stage": "engine-build", "checkpointDir": os.path.join(d, "ckpt"), "outputDir": d,
                      "dtype": "float16"}
            proc = subprocess.run([sys.executable, RUNNER, "--params", json.dumps(params),
                                   "--result-file", os.devnull,
                                   "--", os.path.join(d, "no-such-trtllm-build")],
                                  capture_output=True, text=True, timeout=60)
            self.assertEqual(proc.returncode, 2)
            self.assertIn("cannot start", proc.stderr)


if __name__ == "__main__":
    unittest.main()
