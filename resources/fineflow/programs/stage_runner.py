#!/usr/bin/env python3
"""fineflow stage runner: checks the inputs of an NVIDIA conversion/build tool, runs it, checks
its outputs and reports them as the container termination message.

    python3 /opt/fineflow-programs/stage_runner.py --params JSON [--result-file FILE] -- <tool argv...>

JSON is the stage's parameters as fineflow's planner made them (fineflow.workflows.plan
LoraConvertParams, CheckpointConvertParams, EngineBuildParams); its "stage" names the stage, and
the tool argv after `--` is rendered from the same record. Every check reads its values from the
parameters; none re-parses the tool's argv. Each pre-check stops a failure the manual run only
saw later (docs/manual-procedure.md "Pitfalls"):
  lora-convert        pre: adapter_config.json r <= maxRank; target_modules mapped HF -> TRT-LLM
                      equal `targets` (set and count): otherwise Triton fails with map::at.
                      post: outputDir/<taskId>/model.lora_config.npy + model.lora_weights.npy,
                      non-empty, in storageType (std::bad_cast otherwise), with the engine's
                      module ids and ranks.
  checkpoint-convert  pre: modelDir has config.json. post: config.json dtype == dtype (std::bad_cast
                      otherwise) + one rank*.safetensors per rank of `parallel`.
  engine-build        pre: the checkpoint's config.json dtype == dtype (std::bad_cast otherwise).
                      post: config.json + rank*.engine; build_config equals the parameters (batch,
                      lengths, LoRA plugin, rank and modules); the settings go into the result.

Exit codes (the executor classifies them): 0 ok; 2 bad arguments or inputs (non-retryable);
3 CUDA out of memory; 4 output check failed; 1 the tool failed otherwise; 128+N killed by signal N.
Needs Python 3 and numpy (which reads the .npy files): the TensorRT-LLM image has both.
"""

import argparse
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
from collections import Counter, deque

import numpy  # in the TensorRT-LLM image that runs these stages (TL requirements.txt)

EXIT_OK = 0
EXIT_TOOL_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_OOM = 3
EXIT_OUTPUT_INVALID = 4

RESULT_LIMIT_BYTES = 4096

# HF (PEFT) module name -> TensorRT-LLM LoRA module name; the same table as the planner's
# LoraModuleMap (TensorRT-LLM's get_default_trtllm_modules_to_hf_modules): gate_proj is
# mlp_h_to_4h and up_proj is mlp_gate, whatever the config.pbtxt comments say.
HF_TO_TRTLLM = {
    "q_proj": "attn_q",
    "k_proj": "attn_k",
    "v_proj": "attn_v",
    "o_proj": "attn_dense",
    "gate_proj": "mlp_h_to_4h",
    "up_proj": "mlp_gate",
    "down_proj": "mlp_4h_to_h",
}

# TensorRT-LLM LoraModule::ModuleType ids: the first column of model.lora_config.npy rows.
LORA_MODULE_IDS = {
    "attn_qkv": 0, "attn_q": 1, "attn_k": 2, "attn_v": 3, "attn_dense": 4,
    "mlp_h_to_4h": 5, "mlp_4h_to_h": 6, "mlp_gate": 7,
    "cross_attn_qkv": 8, "cross_attn_q": 9, "cross_attn_k": 10, "cross_attn_v": 11,
    "cross_attn_dense": 12, "moe_h_to_4h": 13, "moe_4h_to_h": 14, "moe_gate": 15,
    "moe_router": 16, "mlp_router": 17, "mlp_gate_up": 18,
}

# numpy dtype descriptors hf_lora_convert.py writes per --storage-type (bfloat16 has no numpy
# type: TensorRT-LLM saves it as a 2-byte void type, which numpy reports as |V2).
NPY_DESCR = {"float16": {"<f2"}, "float32": {"<f4"}, "bfloat16": {"|V2", "<V2"}}

# What a CUDA allocation failure prints in PyTorch, TensorRT and the CUDA runtime.
OOM_MARKERS = ("CUDA out of memory", "OutOfMemoryError", "CUDA_ERROR_OUT_OF_MEMORY",
               "cudaErrorMemoryAllocation")


class StageError(Exception):
    """A failure with the exit code the executor should see."""

    def __init__(self, code, message, problems=()):
        super().__init__(message)
        self.code = code
        self.message = message
        self.problems = list(problems)


def log(message):
    print("[stage_runner] " + message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- arguments


USAGE = "usage: stage_runner.py --params JSON [--result-file F] -- TOOL ARGS..."


class ArgumentParser(argparse.ArgumentParser):
    """argparse that raises a StageError (exit 2, one line) instead of printing and exiting."""

    def error(self, message):
        raise StageError(EXIT_BAD_INPUT, message)


def stage_params(stage):
    """argparse type of --params: the JSON object of the parameters fineflow's planner made for
    `stage` (fineflow.workflows.plan.StageParams, its "stage" property names the record). Every
    program reads its values from it once; none re-parses its argv. `stage` may be a collection
    of the stages a program runs."""
    stages = {stage} if isinstance(stage, str) else set(stage)

    def parse(text):
        try:
            value = json.loads(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError("not JSON: %s" % e)
        found = value.get("stage") if isinstance(value, dict) else None
        if found not in stages:
            raise argparse.ArgumentTypeError("these are the parameters of %r, not of %s"
                                             % (found, " or ".join(sorted(stages))))
        return value
    parse.__name__ = " or ".join(sorted(stages)) + " parameters"  # argparse names it in errors
    return parse


def build_parser():
    parser = ArgumentParser(prog="stage_runner.py", usage=USAGE[len("usage: "):], add_help=False,
                            allow_abbrev=False)
    parser.add_argument("--params", required=True, type=stage_params(STAGES), metavar="JSON")
    parser.add_argument("--result-file", default="/dev/termination-log", metavar="FILE")
    return parser


def parse_args(argv):
    """(parameters, result file, tool argv). Everything after the first `--` is the tool's,
    whatever it holds: the split is made here and argparse sees only our own flags, so the tool
    gets its argv untouched."""
    if "--" not in argv:
        raise StageError(EXIT_BAD_INPUT, USAGE)
    split = argv.index("--")
    own, tool = argv[:split], argv[split + 1:]
    if not tool:
        raise StageError(EXIT_BAD_INPUT, "no tool command after --")
    args = build_parser().parse_args(own)
    return args.params, args.result_file, tool


def read_json(path, what):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise StageError(EXIT_BAD_INPUT, "%s not found: %s" % (what, path))
    except (OSError, ValueError) as e:
        raise StageError(EXIT_BAD_INPUT, "%s is not readable JSON: %s: %s" % (what, path, e))


# ---------------------------------------------------------------- digests and .npy


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def content_digest(path):
    """(sha256, size) of a file; for a directory the sha256 of the `sha256sum` listing
    "<sha256>  <relative/path>\\n" of its files sorted by UTF-8 bytes (same as fineflow's Java
    ContentDigest) and the total size."""
    if not os.path.isdir(path):
        return file_sha256(path), os.path.getsize(path)
    files = []
    for root, _dirs, names in os.walk(path):
        for name in names:
            full = os.path.join(root, name)
            if os.path.isfile(full):
                files.append(os.path.relpath(full, path).replace(os.sep, "/"))
    files.sort(key=lambda p: p.encode("utf-8"))
    listing = hashlib.sha256()
    size = 0
    for rel in files:
        full = os.path.join(path, rel)
        listing.update(("%s  %s\n" % (file_sha256(full), rel)).encode("utf-8"))
        size += os.path.getsize(full)
    return listing.hexdigest(), size


def npy_array(path):
    """The array of a .npy file, memory-mapped: numpy checks the header and that the data is all
    there, and the weights are not read into memory."""
    return numpy.lib.format.open_memmap(path, mode="r")


# ---------------------------------------------------------------- lora-convert


def lora_pre(params):
    adapter = params["adapterDir"]
    targets = list(params["targets"])
    max_rank = params["maxRank"]
    dtype = params["storageType"]
    problems = []
    unknown_targets = [t for t in targets if t not in LORA_MODULE_IDS]
    if unknown_targets:
        problems.append("expected targets %s are not TensorRT-LLM LoRA modules" % unknown_targets)
    if dtype not in NPY_DESCR:
        problems.append("storageType %s is not one of float16, bfloat16, float32" % dtype)
    config = read_json(os.path.join(adapter, "adapter_config.json"), "adapter config")
    if not any(os.path.isfile(os.path.join(adapter, n))
               for n in ("adapter_model.safetensors", "adapter_model.bin")):
        problems.append("%s has no adapter_model.safetensors or adapter_model.bin" % adapter)
    ranks = [config.get("r")] + list((config.get("rank_pattern") or {}).values())
    if not all(isinstance(r, int) and r > 0 for r in ranks):
        problems.append("adapter_config.json r must be a positive integer, got %r" % config.get("r"))
    elif max(ranks) > max_rank:
        problems.append("adapter rank %d exceeds the engine's --max_lora_rank %d: rebuild the engine "
                        "with a larger max_lora_rank or train with a smaller r" % (max(ranks), max_rank))
    modules = config.get("target_modules")
    if not isinstance(modules, list):
        problems.append("adapter_config.json target_modules is %r, not a list of module names: "
                        "it cannot be checked against the engine's --lora_target_modules" % (modules,))
    else:
        unknown = [m for m in modules if m not in HF_TO_TRTLLM]
        if unknown:
            problems.append("adapter target_modules %s have no TensorRT-LLM LoRA module (known: %s)"
                            % (unknown, ", ".join(HF_TO_TRTLLM)))
        else:
            mapped = [HF_TO_TRTLLM[m] for m in modules]
            if Counter(mapped) != Counter(targets):
                problems.append(
                    "adapter target_modules %s map to %s, but the engine is built with "
                    "--lora_target_modules %s: Triton would fail at start-up with map::at"
                    % (modules, sorted(mapped), sorted(targets)))
    if problems:
        raise StageError(EXIT_BAD_INPUT, "lora-convert pre-check failed: " + problems[0], problems)
    return {"rank": max(ranks), "targets": targets, "dtype": dtype}


def lora_post(params, pre):
    out = params["outputDir"]
    task = str(params["taskId"])
    folder = os.path.join(out, task)
    if not os.path.isdir(folder):
        raise StageError(EXIT_OUTPUT_INVALID, "no <task id> folder %s of converted LoRA weights in %s"
                         % (task, out))
    problems, artifacts, info, metrics = [], [], {}, {}
    rows = check_lora_folder(folder, pre, problems)
    if rows is not None and not problems:
        sha, size = content_digest(folder)
        artifacts.append({"name": "lora-" + task, "path": folder, "sha256": sha, "sizeBytes": size})
        info.update({"dtype": pre["dtype"], "taskId": task, "loraTargetModules": ",".join(pre["targets"])})
        metrics.update({"loraRank": float(max(r[2] for r in rows)), "loraRows": float(len(rows)),
                        "layers": float(len({r[1] for r in rows}))})
    if problems:
        raise StageError(EXIT_OUTPUT_INVALID, "lora-convert output check failed: " + problems[0], problems)
    return artifacts, metrics, info


def check_lora_folder(folder, pre, problems):
    """Checks one converted adapter; returns its lora_config rows, or None after a problem."""
    config_path = os.path.join(folder, "model.lora_config.npy")
    weights_path = os.path.join(folder, "model.lora_weights.npy")
    for path in (config_path, weights_path):
        if not os.path.isfile(path) or os.path.getsize(path) == 0:
            problems.append("%s is missing or empty" % path)
            return None
    arrays = []
    for path in (config_path, weights_path):
        try:
            arrays.append(npy_array(path))
        except (OSError, ValueError) as e:
            problems.append("%s: unreadable .npy file: %s" % (path, e))
            return None
    config, weights = arrays
    # Leading 1 is Triton's batch dimension; accept its absence too.
    c_shape = config.shape[1:] if config.ndim == 3 and config.shape[0] == 1 else config.shape
    w_shape = weights.shape[1:] if weights.ndim == 3 and weights.shape[0] == 1 else weights.shape
    # hf_lora_convert.py saves C-order arrays: column-major rows are not its output.
    column_major = config.flags.f_contiguous and not config.flags.c_contiguous
    if config.dtype.str != "<i4" or column_major or len(c_shape) != 2 or c_shape[1] != 3 or c_shape[0] == 0:
        problems.append("%s: expected int32 rows of [module_id, layer, rank], got %s %s%s"
                        % (config_path, config.dtype.str, c_shape, " in Fortran order" if column_major else ""))
        return None
    if weights.dtype.str not in NPY_DESCR[pre["dtype"]]:
        problems.append("%s is %s, not %s: the prefetched adapter would not load (std::bad_cast)"
                        % (weights_path, weights.dtype.str, pre["dtype"]))
    if len(w_shape) != 2 or w_shape[0] != c_shape[0] or w_shape[1] == 0:
        problems.append("%s has shape %s; expected %d rows like lora_config"
                        % (weights_path, w_shape, c_shape[0]))
    rows = [tuple(row) for row in config.reshape(c_shape).tolist()]
    expected_ids = {LORA_MODULE_IDS[t] for t in pre["targets"] if t in LORA_MODULE_IDS}
    found_ids = {r[0] for r in rows}
    if found_ids != expected_ids:
        names = {v: k for k, v in LORA_MODULE_IDS.items()}
        problems.append("%s holds modules %s, the engine expects %s (map::at at start-up)"
                        % (config_path, sorted(names.get(i, str(i)) for i in found_ids),
                           sorted(pre["targets"])))
    per_module = Counter(r[0] for r in rows)
    if len(set(per_module.values())) > 1:
        problems.append("%s: modules cover different numbers of layers: %s" % (config_path, dict(per_module)))
    bad_ranks = sorted({r[2] for r in rows if r[2] <= 0 or r[2] > pre["rank"]})
    if bad_ranks:
        problems.append("%s: ranks %s outside 1..%d" % (config_path, bad_ranks, pre["rank"]))
    return rows


# ---------------------------------------------------------------- checkpoint-convert


def checkpoint_pre(params):
    model = params["modelDir"]
    if not os.path.isfile(os.path.join(model, "config.json")):
        raise StageError(EXIT_BAD_INPUT, "checkpoint-convert pre-check failed: model folder %s has no "
                         "config.json" % model)
    return {"dtype": params["dtype"]}


def checkpoint_post(params, pre):
    out = params["outputDir"]
    problems = []
    config_path = os.path.join(out, "config.json")
    try:
        config = read_json(config_path, "checkpoint config")
    except StageError as e:
        raise StageError(EXIT_OUTPUT_INVALID, e.message)
    if config.get("dtype") != pre["dtype"]:
        problems.append("%s has dtype %s, expected %s: the engine and the LoRA weights would disagree "
                        "(std::bad_cast at start-up)" % (config_path, config.get("dtype"), pre["dtype"]))
    shards = rank_files(out, ".safetensors")
    parallel = params.get("parallel") or {"tpSize": 1, "ppSize": 1}
    world = parallel["tpSize"] * parallel["ppSize"]
    if not shards:
        problems.append("%s has no non-empty rank*.safetensors" % out)
    elif len(shards) != world:
        problems.append("%s has %d rank*.safetensors for world size %d" % (out, len(shards), world))
    if problems:
        raise StageError(EXIT_OUTPUT_INVALID, "checkpoint-convert output check failed: " + problems[0],
                         problems)
    sha, size = content_digest(out)
    quant = config.get("quantization") or {}
    info = {"dtype": config["dtype"], "architecture": str(config.get("architecture")),
            "quant_algo": str(quant.get("quant_algo")), "kv_cache_quant_algo": str(quant.get("kv_cache_quant_algo"))}
    return ([{"name": "checkpoint", "path": out, "sha256": sha, "sizeBytes": size}],
            {"rankFiles": float(len(shards))}, info)


def rank_files(folder, suffix):
    if not os.path.isdir(folder):
        return []
    pattern = re.compile(r"rank\d+" + re.escape(suffix) + "$")
    return sorted(n for n in os.listdir(folder)
                  if pattern.match(n) and os.path.getsize(os.path.join(folder, n)) > 0)


# ---------------------------------------------------------------- engine-build


def engine_pre(params):
    checkpoint, dtype = params["checkpointDir"], params["dtype"]
    config = read_json(os.path.join(checkpoint, "config.json"), "checkpoint config")
    if config.get("dtype") != dtype:
        raise StageError(EXIT_BAD_INPUT, "engine-build pre-check failed: checkpoint %s has dtype %s but "
                         "the pipeline dtype is %s: the engine and the LoRA weights would disagree "
                         "(std::bad_cast at start-up)" % (checkpoint, config.get("dtype"), dtype))
    return {"dtype": dtype}


# engine-build parameter -> build_config key, checked after the build.
ENGINE_SETTINGS = {"maxBatchSize": "max_batch_size", "maxInputLen": "max_input_len",
                   "maxSeqLen": "max_seq_len", "maxBeamWidth": "max_beam_width",
                   "maxNumTokens": "max_num_tokens"}


def engine_post(params, pre):
    out = params["outputDir"]
    config_path = os.path.join(out, "config.json")
    try:
        config = read_json(config_path, "engine config")
    except StageError as e:
        raise StageError(EXIT_OUTPUT_INVALID, e.message)
    build = config.get("build_config") or {}
    pretrained = config.get("pretrained_config") or {}
    problems = []
    engines = rank_files(out, ".engine")
    if not engines:
        problems.append("%s has no non-empty rank*.engine" % out)
    if pretrained.get("dtype") != pre["dtype"]:
        problems.append("engine dtype %s, expected %s" % (pretrained.get("dtype"), pre["dtype"]))
    for name, key in ENGINE_SETTINGS.items():
        if name in params and build.get(key) != params[name]:
            problems.append("build_config.%s is %s but %s was asked" % (key, build.get(key), params[name]))
    plugins = build.get("plugin_config") or {}
    lora_plugin = plugins.get("lora_plugin", build.get("lora_plugin"))
    lora_config = build.get("lora_config") or {}
    lora = params.get("lora")
    if lora:
        if lora_plugin in (None, "disable"):
            problems.append("the engine was built without the LoRA plugin")
        if lora_config.get("max_lora_rank") != lora["maxRank"]:
            problems.append("build_config.lora_config.max_lora_rank is %s but %s was asked"
                            % (lora_config.get("max_lora_rank"), lora["maxRank"]))
        built = lora_config.get("lora_target_modules") or []
        if Counter(built) != Counter(lora["targetModules"]):
            problems.append("the engine's lora_target_modules %s differ from the adapter's mapped "
                            "targets %s (map::at at start-up)" % (sorted(built), sorted(lora["targetModules"])))
    if problems:
        raise StageError(EXIT_OUTPUT_INVALID, "engine-build output check failed: " + problems[0], problems)
    sha, size = content_digest(out)
    # logits_dtype is what Triton's logits_datatype must match (TensorRT-LLM defaults it to float32).
    info = {"dtype": str(pretrained.get("dtype")), "lora_plugin": str(lora_plugin),
            "logits_dtype": str(pretrained.get("logits_dtype", pretrained.get("dtype")))}
    for key in ENGINE_SETTINGS.values():
        info[key] = str(build.get(key))
    if lora_config.get("max_lora_rank") is not None:
        info["max_lora_rank"] = str(lora_config["max_lora_rank"])
    if lora_config.get("lora_target_modules"):
        info["lora_target_modules"] = ",".join(lora_config["lora_target_modules"])
    metrics = {"engineFiles": float(len(engines))}
    if isinstance(build.get("max_batch_size"), int):
        metrics["maxBatchSize"] = float(build["max_batch_size"])
    return [{"name": "engine", "path": out, "sha256": sha, "sizeBytes": size}], metrics, info


STAGES = {
    "lora-convert": (lora_pre, lora_post),
    "checkpoint-convert": (checkpoint_pre, checkpoint_post),
    "engine-build": (engine_pre, engine_post),
}


# ---------------------------------------------------------------- running the tool


def run_tool(argv):
    """Runs the tool, streaming its output; raises StageError when it fails."""
    log("running: " + " ".join(argv))
    try:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except OSError as e:
        raise StageError(EXIT_BAD_INPUT, "cannot start %s: %s" % (argv[0], e))
    # Pod deletion sends SIGTERM to us (PID 1's child or PID 1): pass it on so the tool stops too.
    previous = signal.signal(signal.SIGTERM, lambda signum, _frame: proc.send_signal(signum))
    tail = deque(maxlen=20)
    oom = False
    try:
        for raw in proc.stdout:
            line = raw.decode("utf-8", errors="replace")
            sys.stdout.write(line)
            sys.stdout.flush()
            tail.append(line.rstrip("\n"))
            if not oom and any(marker in line for marker in OOM_MARKERS):
                oom = True
        code = proc.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
    if code == 0:
        return
    last = list(tail)[-5:]
    if oom:
        raise StageError(EXIT_OOM, "%s ran out of GPU memory (exit %d)" % (argv[0], code), last)
    if code < 0:
        raise StageError(128 - code, "%s was killed by signal %d" % (argv[0], -code), last)
    raise StageError(EXIT_TOOL_FAILED, "%s failed with exit code %d" % (argv[0], code), last)


# ---------------------------------------------------------------- result


def result_json(artifacts, metrics, info):
    """StageResult-shaped JSON under 4 KiB: info entries are dropped from the end if needed."""
    items = list(info.items())
    while True:
        text = json.dumps({"artifacts": artifacts, "metrics": metrics, "info": dict(items),
                           "simulated": False}, separators=(",", ":"), ensure_ascii=False)
        if len(text.encode("utf-8")) <= RESULT_LIMIT_BYTES or not items:
            return text
        items.pop()


def failure_json(message, problems):
    kept = [p[:300] for p in problems]
    while True:
        text = json.dumps({"error": message[:1000], "problems": kept}, separators=(",", ":"),
                          ensure_ascii=False)
        if len(text.encode("utf-8")) <= RESULT_LIMIT_BYTES or not kept:
            return text
        kept.pop()


def write_result(path, text):
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        log("cannot write the result file %s (%s); the result is on stdout" % (path, e))
    print(text, flush=True)


def main(argv):
    result_file = "/dev/termination-log"
    stage = "stage_runner"
    try:
        params, result_file, tool = parse_args(argv)
        stage = params["stage"]
        pre_check, post_check = STAGES[stage]
        try:
            pre = pre_check(params)
        except KeyError as e:
            raise StageError(EXIT_BAD_INPUT, "the %s parameters have no %s" % (stage, e))
        log("%s pre-check passed" % stage)
        run_tool(tool)
        artifacts, metrics, info = post_check(params, pre)
        log("%s output check passed" % stage)
        write_result(result_file, result_json(artifacts, metrics, info))
        return EXIT_OK
    except StageError as e:
        print("%s: %s" % (stage, e.message), file=sys.stderr)
        for problem in e.problems:
            print("  " + problem, file=sys.stderr)
        write_result(result_file, failure_json(e.message, e.problems))
        return e.code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
