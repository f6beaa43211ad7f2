#!/usr/bin/env python3
"""fineflow's trainer: LoRA / QLoRA / full fine-tuning of a causal LM with transformers + peft.

Runs inside the trainer image (images/trainer/Dockerfile), mounted from the ConfigMap
``fineflow-programs`` at /opt/fineflow-programs, as ``train.py --params JSON``: the planner's
parameters (fineflow.workflows.plan.TrainParams) whole, one JSON argument. The pod contract is:

* stdout: one JSON object per logging step, ``{"event": "progress", ...}``;
* termination message (``/dev/termination-log``, or ``$FINEFLOW_RESULT_FILE``): the stage
  result JSON (artifacts with sha256 and size, metrics, info), under 4 KiB;
* exit codes: 0 ok, 2 bad arguments or input data, 3 CUDA out of memory, 1 anything else.

Heavy imports (torch, transformers, peft, bitsandbytes) happen only once training starts,
so ``--help`` and the argument checks run anywhere, and bitsandbytes is needed for qlora only.
"""

import argparse
import hashlib
import json
import os
import sys
import time

# stage_runner.py sits beside this program (resources/fineflow/programs, the programs ConfigMap).
from stage_runner import stage_params

EXIT_BAD_INPUT = 2
EXIT_OUT_OF_MEMORY = 3
DEFAULT_RESULT_FILE = "/dev/termination-log"
TERMINATION_MESSAGE_LIMIT = 4096
IGNORE_INDEX = -100  # transformers' cross-entropy skips these label positions


class BadInput(Exception):
    """Bad arguments or input data: the pod exits 2 (non-retryable BadArguments)."""


# ---------------------------------------------------------------- arguments

# The planner's parameters (fineflow.workflows.plan.TrainParams, snake_case JSON): each field,
# with the check its value must pass. The values and their defaults are the spec's
# (fineflow.workflows.spec.TrainingSpec, LoraSpec, QuantizationSpec); none is repeated here.
def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _choice(*names):
    return (lambda v: v in names and not isinstance(v, bool)), "one of " + ", ".join(map(str, names))


POSITIVE_INT = (lambda v: _is_int(v) and v > 0), "an integer > 0"
NON_NEGATIVE_INT = (lambda v: _is_int(v) and v >= 0), "an integer >= 0"
POSITIVE_NUMBER = (lambda v: _is_number(v) and v > 0), "a number > 0"
FRACTION = (lambda v: _is_number(v) and 0 <= v < 1), "a number in [0, 1)"
BOOLEAN = (lambda v: isinstance(v, bool)), "true or false"
TEXT = (lambda v: isinstance(v, str) and v != ""), "a non-empty string"
OPTIONAL_TEXT = (lambda v: v is None or isinstance(v, str)), "a string"
NAMES = (lambda v: isinstance(v, list) and v != [] and all(isinstance(n, str) and n for n in v)), \
    "a non-empty list of module names"
INTEGER = (_is_int, "an integer")
FIELDS = {
    "model": OPTIONAL_TEXT, "revision": TEXT, "train_file": TEXT, "eval_file": OPTIONAL_TEXT,
    "output_dir": TEXT, "method": _choice("lora", "qlora", "full"), "epochs": POSITIVE_NUMBER,
    "micro_batch": POSITIVE_INT, "grad_accum": POSITIVE_INT, "lr": POSITIVE_NUMBER, "scheduler": TEXT,
    "warmup_steps": NON_NEGATIVE_INT, "optim": TEXT, "gradient_checkpointing": BOOLEAN,
    "precision": _choice("bf16", "fp16", "fp32"), "max_seq_len": POSITIVE_INT, "eval_steps": POSITIVE_INT,
    "save_steps": POSITIVE_INT, "logging_steps": POSITIVE_INT, "seed": INTEGER, "trust_remote_code": BOOLEAN,
}
OPTIONAL_FIELDS = ("model", "eval_file", "lora", "quantization")
LORA_FIELDS = {"r": POSITIVE_INT, "alpha": POSITIVE_NUMBER, "dropout": FRACTION, "targets": NAMES,
               "bias": _choice("none", "all", "lora_only")}
QUANTIZATION_FIELDS = {"bits": _choice(4), "quant_type": _choice("nf4", "fp4"), "double_quant": BOOLEAN,
                       "compute_dtype": _choice("bfloat16", "float16", "float32")}


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value}")
    return value


def build_parser():
    p = argparse.ArgumentParser(
        prog="train.py",
        description="fineflow trainer: LoRA/QLoRA/full fine-tuning with completion-only loss.",
        epilog="Exit codes: 0 ok, 2 bad arguments or data, 3 CUDA out of memory, 1 other failure.")
    p.add_argument("--params", required=True, type=stage_params("train"), metavar="JSON",
                   help="the planner's parameters (TrainParams): model, revision, train_file, eval_file, "
                        "output_dir, method, lora, quantization, epochs, micro_batch, grad_accum, lr, scheduler, "
                        "warmup_steps, optim, gradient_checkpointing, precision, max_seq_len, eval_steps, "
                        "save_steps, logging_steps, seed, trust_remote_code")
    # Check mode only (docs/gpu-checks.md); the planner never passes these.
    p.add_argument("--random-init-config", metavar="CONFIG_JSON",
                   help="build the model from this config.json with random weights (no download; "
                        "byte-level tokenizer; qlora quantizes them in memory); for checks and tests")
    p.add_argument("--max-steps", type=_positive_int, help="stop after this many optimizer steps (overrides epochs)")
    return p


def parse_args(argv):
    """Parses and checks the arguments; argparse errors and BadInput both mean exit 2."""
    parsed = build_parser().parse_args(argv)
    params = parsed.params
    problems = check_params(params)
    if problems:
        raise BadInput("--params: " + "; ".join(problems))
    args = argparse.Namespace(**{name: params.get(name) for name in (*FIELDS, *OPTIONAL_FIELDS)})
    args.random_init_config = parsed.random_init_config
    args.max_steps = parsed.max_steps
    problems = check_args(args)
    if problems:
        raise BadInput("--params: " + "; ".join(problems))
    return args


def _check_fields(values, fields, prefix, problems):
    for name, (ok, wanted) in fields.items():
        if name not in values:
            if name not in OPTIONAL_FIELDS:
                problems.append(f"{prefix}{name} is missing")
        elif not ok(values[name]):
            problems.append(f"{prefix}{name} must be {wanted}, got {json.dumps(values[name])}")


def check_params(params):
    problems = []
    _check_fields(params, FIELDS, "", problems)
    method = params.get("method")
    for part, fields, needed in (("lora", LORA_FIELDS, method in ("lora", "qlora")),
                                 ("quantization", QUANTIZATION_FIELDS, method == "qlora")):
        value = params.get(part)
        if value is None:
            if needed:
                problems.append(f"{part} is missing (method is {method})")
        elif not needed:
            problems.append(f"{part} only applies to method {'qlora' if part == 'quantization' else 'lora or qlora'}"
                            f" (method is {method})")
        elif not isinstance(value, dict):
            problems.append(f"{part} must be an object, got {json.dumps(value)}")
        else:
            _check_fields(value, fields, part + ".", problems)
    return problems


def check_args(args):
    problems = []
    if not args.model and not args.random_init_config:
        problems.append("model is required (or --random-init-config for a randomly initialised model)")
    if args.method == "qlora" and args.precision == "fp32":
        problems.append("qlora computes in 16 bits: use precision bf16 or fp16")
    if args.eval_file and args.save_steps % args.eval_steps != 0:
        problems.append(f"save_steps ({args.save_steps}) must be a multiple of eval_steps ({args.eval_steps}) "
                        "to keep the best checkpoint by eval_loss")
    return problems


def quantization_kwargs(args):
    """BitsAndBytesConfig arguments for qlora (compute dtype as a name; torch resolves it)."""
    if args.method != "qlora":
        return None
    return {
        "load_in_4bit": args.quantization["bits"] == 4,
        "bnb_4bit_quant_type": args.quantization["quant_type"],
        "bnb_4bit_use_double_quant": args.quantization["double_quant"],
        "bnb_4bit_compute_dtype": args.quantization["compute_dtype"],
    }


def lora_config_kwargs(args):
    """peft.LoraConfig arguments; None for full fine-tuning."""
    if args.method == "full":
        return None
    lora = args.lora
    targets = lora["targets"]
    return {
        "r": lora["r"],
        "lora_alpha": lora["alpha"],
        "lora_dropout": lora["dropout"],
        "target_modules": "all-linear" if targets == ["all-linear"] else list(targets),
        "bias": lora["bias"],
        "task_type": "CAUSAL_LM",
    }


def training_arguments_kwargs(args):
    """transformers.TrainingArguments; eval batch = train micro-batch so eval never outgrows training."""
    has_eval = bool(args.eval_file)
    kwargs = {
        "output_dir": os.path.join(args.output_dir, "checkpoints"),
        "per_device_train_batch_size": args.micro_batch,
        "per_device_eval_batch_size": args.micro_batch,
        "gradient_accumulation_steps": args.grad_accum,
        "num_train_epochs": args.epochs,
        "max_steps": args.max_steps if args.max_steps else -1,
        "learning_rate": args.lr,
        "lr_scheduler_type": args.scheduler,
        "warmup_steps": args.warmup_steps,
        "optim": args.optim,
        "bf16": args.precision == "bf16",
        "fp16": args.precision == "fp16",
        "gradient_checkpointing": args.gradient_checkpointing,
        "logging_strategy": "steps",
        "logging_steps": args.logging_steps,
        "save_strategy": "steps",
        "save_steps": args.save_steps,
        "save_total_limit": 3,
        "eval_strategy": "steps" if has_eval else "no",
        "load_best_model_at_end": has_eval,
        "seed": args.seed,
        "report_to": "none",
        "disable_tqdm": True,
        "remove_unused_columns": False,
        "dataloader_num_workers": 0,
    }
    if args.gradient_checkpointing:
        kwargs["gradient_checkpointing_kwargs"] = {"use_reentrant": False}
    if has_eval:
        kwargs["eval_steps"] = args.eval_steps
        kwargs["metric_for_best_model"] = "eval_loss"
        kwargs["greater_is_better"] = False
    return kwargs


# ---------------------------------------------------------------- data

def read_examples(path, label):
    """Reads dataset-prep's JSONL: one {"prompt": str, "completion": str} per line."""
    if not os.path.isfile(path):
        raise BadInput(f"{label} {path}: no such file")
    examples = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise BadInput(f"{label} {path} line {number}, column {e.colno}: {e.msg}") from None
            if not isinstance(record, dict):
                raise BadInput(f"{label} {path} line {number}: expected a JSON object")
            for field in ("prompt", "completion"):
                value = record.get(field)
                if not isinstance(value, str):
                    raise BadInput(f"{label} {path} line {number}: field {field!r} must be a string")
            if not record["completion"].strip():
                raise BadInput(f"{label} {path} line {number}: field 'completion' is empty")
            examples.append((number, record["prompt"], record["completion"]))
    if not examples:
        raise BadInput(f"{label} {path}: no records")
    return examples


# The byte-level tokenizer's ids: ByT5's <pad> 0, </s> 1, <unk> 2, then byte b as b + 3.
BYTE_VOCAB_SIZE = 256 + 3


def byte_tokenizer():
    """UTF-8 bytes as tokens, for randomly initialised models that have no tokenizer of their own:
    transformers' ByT5Tokenizer without its sentinel tokens."""
    from transformers import ByT5Tokenizer
    return ByT5Tokenizer(extra_ids=0)


def encode_example(encode, prompt, completion, max_len, where):
    """Token ids and labels with the prompt masked: the loss covers the completion only."""
    prompt_ids = encode(prompt)
    completion_ids = encode(completion)
    if len(prompt_ids) >= max_len:
        raise BadInput(f"{where}: the prompt alone has {len(prompt_ids)} tokens, "
                       f"max_seq_len is {max_len}; no completion token would be trained")
    input_ids = (prompt_ids + completion_ids)[:max_len]
    labels = ([IGNORE_INDEX] * len(prompt_ids) + completion_ids)[:max_len]
    return {"input_ids": input_ids, "labels": labels}


class TokenCounter:
    """Counts training tokens fed to the model, for tokens/s in the progress lines."""

    def __init__(self):
        self.value = 0


class EncodedDataset:
    """A map-style dataset over encoded examples (the Trainer needs __len__ and __getitem__)."""

    def __init__(self, encoded, counter=None):
        self.encoded = encoded
        self.counter = counter

    def __len__(self):
        return len(self.encoded)

    def __getitem__(self, index):
        item = self.encoded[index]
        if self.counter is not None:
            self.counter.value += len(item["input_ids"])
        return item


def data_collator(tokenizer):
    """transformers' DataCollatorForSeq2Seq padding each batch to its longest example: input_ids
    with the pad id (the eos id, or 0, where the tokenizer has none), attention_mask 0 and labels
    IGNORE_INDEX on the padding, so padding is neither attended to nor trained on. Always on the
    right, whatever the tokenizer's default: each example's tokens keep positions 0..n-1 (without
    position_ids, Llama numbers positions from the start of the row, padding included)."""
    from transformers import DataCollatorForSeq2Seq
    tokenizer.padding_side = "right"
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token_id = pad_id_of(tokenizer)
    return DataCollatorForSeq2Seq(tokenizer, padding="longest", label_pad_token_id=IGNORE_INDEX,
                                  return_tensors="pt")


# ---------------------------------------------------------------- results

def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def artifact(name, path):
    """A file's sha256, or for a folder the sha256 of its sorted "relpath sha256" lines."""
    if os.path.isfile(path):
        return {"name": name, "path": path, "sha256": sha256_file(path), "sizeBytes": os.path.getsize(path)}
    lines, size = [], 0
    for root, _, files in os.walk(path):
        for file in files:
            full = os.path.join(root, file)
            lines.append(f"{os.path.relpath(full, path)} {sha256_file(full)}\n")
            size += os.path.getsize(full)
    digest = hashlib.sha256("".join(sorted(lines)).encode()).hexdigest()
    return {"name": name, "path": path, "sha256": digest, "sizeBytes": size}


def result_message(artifacts, metrics, info):
    """The termination message JSON; info is dropped key by key if it would pass 4 KiB."""
    info = dict(info)
    while True:
        text = json.dumps({"artifacts": artifacts, "metrics": metrics, "info": info, "simulated": False},
                          separators=(",", ":"))
        if len(text.encode()) < TERMINATION_MESSAGE_LIMIT or not info:
            return text
        info.pop(next(reversed(info)))


def write_termination_message(text):
    path = os.environ.get("FINEFLOW_RESULT_FILE", DEFAULT_RESULT_FILE)
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        print(f"train.py: cannot write the result to {path}: {e}", file=sys.stderr)


def emit(event):
    print(json.dumps(event, separators=(",", ":")), flush=True)


def fail(code, message):
    print(f"train.py: {message}", file=sys.stderr, flush=True)
    write_termination_message(message[:TERMINATION_MESSAGE_LIMIT - 1])
    return code


# ---------------------------------------------------------------- training (torch from here on)

def count_parameters(model):
    """(trainable, total); a 4-bit Params4bit packs two values per byte of storage."""
    trainable = total = 0
    for param in model.parameters():
        n = param.numel()
        if param.__class__.__name__ == "Params4bit":
            n *= 2 * getattr(getattr(param, "quant_storage", None), "itemsize", 1)
        total += n
        if param.requires_grad:
            trainable += n
    return trainable, total


def load_tokenizer(args):
    if args.random_init_config:
        return byte_tokenizer()
    from transformers import AutoTokenizer
    tokenizer = AutoTokenizer.from_pretrained(args.model, revision=args.revision,
                                              trust_remote_code=args.trust_remote_code)
    return tokenizer


def tokenizer_encoder(tokenizer, literal_bytes):
    """The template already carries <s> / </s> as text, so no special tokens are added here; the
    byte-level tokenizer (`literal_bytes`) keeps such text as its bytes, not as a special id."""
    options = {"split_special_tokens": True} if literal_bytes else {}
    return lambda text: tokenizer(text, add_special_tokens=False, **options)["input_ids"]


def pad_id_of(tokenizer):
    for candidate in (tokenizer.pad_token_id, tokenizer.eos_token_id):
        if candidate is not None:
            return candidate
    return 0


def dtype_keyword():
    """transformers renamed torch_dtype to dtype in 4.56."""
    import transformers
    major, minor = (int(x) for x in transformers.__version__.split(".")[:2])
    return "dtype" if (major, minor) >= (4, 56) else "torch_dtype"


def load_model(args, torch):
    from transformers import AutoConfig, AutoModelForCausalLM
    compute = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[args.precision]
    # Full fine-tuning keeps fp32 master weights under autocast (the Trainer refuses to
    # unscale fp16 gradients); adapters methods freeze the base in the compute dtype.
    load_dtype = torch.float32 if args.method == "full" else compute
    device = "cuda" if torch.cuda.is_available() else "cpu"
    if args.random_init_config:
        if not os.path.isfile(args.random_init_config):
            raise BadInput(f"--random-init-config {args.random_init_config}: no such file")
        with open(args.random_init_config, encoding="utf-8") as f:
            try:
                values = json.load(f)
            except json.JSONDecodeError as e:
                raise BadInput(f"--random-init-config line {e.lineno}, column {e.colno}: {e.msg}") from None
        if values.get("vocab_size", 0) < BYTE_VOCAB_SIZE:
            raise BadInput(f"--random-init-config: vocab_size must be >= {BYTE_VOCAB_SIZE} "
                           "for the byte-level tokenizer")
        for key in ("torch_dtype", "dtype"):  # the load dtype comes from precision
            values.pop(key, None)
        config = AutoConfig.for_model(values.pop("model_type", "llama"), **values)
        previous = torch.get_default_dtype()
        torch.set_default_dtype(load_dtype)
        try:
            with torch.device(device):  # initialise on the GPU: 7B on the CPU takes minutes
                model = AutoModelForCausalLM.from_config(config)
        finally:
            torch.set_default_dtype(previous)
        if args.method == "qlora":
            quantize_in_memory(args, model, torch)
        return model
    kwargs = {"revision": args.revision, "trust_remote_code": args.trust_remote_code, dtype_keyword(): load_dtype}
    if torch.cuda.is_available():
        kwargs["device_map"] = {"": torch.cuda.current_device()}
    if args.method == "qlora":
        import_bitsandbytes()
        from transformers import BitsAndBytesConfig
        qkw = quantization_kwargs(args)
        qkw["bnb_4bit_compute_dtype"] = getattr(torch, qkw["bnb_4bit_compute_dtype"])
        kwargs["quantization_config"] = BitsAndBytesConfig(**qkw)
        kwargs[dtype_keyword()] = qkw["bnb_4bit_compute_dtype"]
    return AutoModelForCausalLM.from_pretrained(args.model, **kwargs)


def import_bitsandbytes():
    try:
        import bitsandbytes  # QLoRA's 4-bit kernels
    except ImportError:
        raise RuntimeError("method qlora needs bitsandbytes, which is not installed in this image") from None
    return bitsandbytes


def quantize_in_memory(args, model, torch):
    """Random weights in the layout a 4-bit checkpoint load gives (--random-init-config with qlora).

    What transformers' bitsandbytes quantizer does on from_pretrained: every nn.Linear except the
    output embedding (lm_head) becomes a bnb Linear4bit with Params4bit weights (blocks of 64,
    quant_storage uint8, the compute dtype, double quantization as asked), quantized as it moves
    to the GPU; embeddings and norms stay 16-bit. The 16-bit copy of each weight is freed as soon
    as its 4-bit one exists, and the allocator's cache is emptied so that the run starts as a
    loaded model would.
    """
    bnb = import_bitsandbytes()
    if not torch.cuda.is_available():
        raise BadInput("method qlora needs a CUDA GPU (bitsandbytes' 4-bit kernels)")
    compute = getattr(torch, args.quantization["compute_dtype"])
    output = model.get_output_embeddings()
    # Names, not modules: a list of the modules would keep every 16-bit weight alive until the end
    # (65B in bf16 fits an H200 only once).
    names = [name for name, m in model.named_modules() if isinstance(m, torch.nn.Linear) and m is not output]
    for full_name in names:
        parent_name, _, name = full_name.rpartition(".")
        parent = model.get_submodule(parent_name)
        child = getattr(parent, name)
        layer = bnb.nn.Linear4bit(child.in_features, child.out_features, bias=child.bias is not None,
                                  compute_dtype=compute, compress_statistics=args.quantization["double_quant"],
                                  quant_type=args.quantization["quant_type"], quant_storage=torch.uint8, device="meta")
        layer.weight = bnb.nn.Params4bit(child.weight.data, requires_grad=False,
                                         compress_statistics=args.quantization["double_quant"], quant_type=args.quantization["quant_type"],
                                         quant_storage=torch.uint8, module=layer).to(child.weight.device)
        if child.bias is not None:
            layer.bias = torch.nn.Parameter(child.bias.data, requires_grad=False)
        layer.requires_grad_(False)
        setattr(parent, name, layer)
        del child, parent, layer
    # What peft reads to treat the model as loaded in 4 bits (prepare_model_for_kbit_training,
    # the Linear4bit LoRA layers); from_pretrained sets it. Not is_quantized: the Trainer would
    # then look for the hf_quantizer that only from_pretrained makes.
    model.is_loaded_in_4bit = True
    torch.cuda.empty_cache()
    emit({"event": "quantized", "linearLayers": len(names), "quantType": args.quantization["quant_type"],
          "doubleQuant": args.quantization["double_quant"], "computeDtype": args.quantization["compute_dtype"],
          "gpuAllocatedBytes": torch.cuda.memory_allocated()})


def prepare_model(args, model):
    """Quantized-training preparation, gradient checkpointing set explicitly, then the adapters."""
    import peft
    gc_kwargs = {"use_reentrant": False}
    if args.method == "qlora":
        model = peft.prepare_model_for_kbit_training(
            model, use_gradient_checkpointing=args.gradient_checkpointing,
            gradient_checkpointing_kwargs=gc_kwargs)
    if args.gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs=gc_kwargs)
        model.enable_input_require_grads()
        model.config.use_cache = False  # the KV cache is useless in training and conflicts with checkpointing
    else:
        model.gradient_checkpointing_disable()
    if args.method == "full":
        model.requires_grad_(True)
    else:
        model = peft.get_peft_model(model, peft.LoraConfig(**lora_config_kwargs(args)))
    verify_gradient_checkpointing(args, model, "after model preparation")
    return model


def verify_gradient_checkpointing(args, model, when):
    # The manual run's 4-bit model reported checkpointing off although it was requested
    # (docs/manual-procedure.md "Training settings").
    actual = bool(getattr(model, "is_gradient_checkpointing", False))
    if actual != args.gradient_checkpointing:
        raise BadInput(f"gradient checkpointing is {'on' if actual else 'off'} {when} "
                       f"but gradient_checkpointing is {str(args.gradient_checkpointing).lower()}")
    if actual and checkpointing_modules(model) == 0:
        raise BadInput(f"gradient checkpointing is reported on {when} but no module of the model recomputes")


def checkpointing_modules(model):
    """Modules that recompute their forward in backward: the decoder layers and their parent."""
    return sum(1 for m in model.modules() if getattr(m, "gradient_checkpointing", False) is True)


def progress_callback(args, counter, torch):
    from transformers import TrainerCallback

    class ProgressLines(TrainerCallback):
        """One JSON progress line per log; also re-checks gradient checkpointing when training starts."""

        def __init__(self):
            self.loss = self.eval_loss = self.lr = None
            self.since = time.monotonic()
            self.tokens_since = 0

        def on_train_begin(self, targs, state, control, model=None, **kwargs):
            if model is not None:
                verify_gradient_checkpointing(args, model, "when training starts")
            self.since, self.tokens_since = time.monotonic(), counter.value

        def on_log(self, targs, state, control, logs=None, **kwargs):
            logs = logs or {}
            if "loss" not in logs and "eval_loss" not in logs:
                return
            self.loss = logs.get("loss", self.loss)
            self.eval_loss = logs.get("eval_loss", self.eval_loss)
            self.lr = logs.get("learning_rate", self.lr)
            now = time.monotonic()
            elapsed = now - self.since
            tokens_per_s = None
            if "loss" in logs and elapsed > 0:
                tokens_per_s = (counter.value - self.tokens_since) / elapsed
            # Reset on eval logs too, so evaluation time never lowers the training rate.
            self.since, self.tokens_since = now, counter.value
            emit({"event": "progress", "step": state.global_step, "totalSteps": state.max_steps,
                  "epoch": state.epoch, "loss": self.loss, "eval_loss": self.eval_loss, "lr": self.lr,
                  "tokens_per_s": tokens_per_s,
                  "gpu_mem_bytes": torch.cuda.max_memory_allocated() if torch.cuda.is_available() else None})

    return ProgressLines()


def train(args):
    import torch
    import transformers
    import peft
    from transformers import Trainer, TrainingArguments
    from transformers.trainer_callback import PrinterCallback
    from transformers.trainer_utils import get_last_checkpoint

    train_examples = read_examples(args.train_file, "train_file")
    eval_examples = read_examples(args.eval_file, "eval_file") if args.eval_file else None
    tokenizer = load_tokenizer(args)
    encode = tokenizer_encoder(tokenizer, literal_bytes=bool(args.random_init_config))

    def encoded(examples, label):
        return [encode_example(encode, prompt, completion, args.max_seq_len, f"{label} line {number}")
                for number, prompt, completion in examples]

    counter = TokenCounter()
    train_set = EncodedDataset(encoded(train_examples, "train_file"), counter)
    eval_set = EncodedDataset(encoded(eval_examples, "eval_file")) if eval_examples else None
    try:
        model = prepare_model(args, load_model(args, torch))
        trainable, total = count_parameters(model)
        emit({"event": "model", "method": args.method, "trainableParams": trainable, "totalParams": total,
              "gradientCheckpointing": bool(model.is_gradient_checkpointing),
              "checkpointingModules": checkpointing_modules(model),
              "gpuAllocatedBytes": torch.cuda.memory_allocated() if torch.cuda.is_available() else None})
        trainer = Trainer(model=model, args=TrainingArguments(**training_arguments_kwargs(args)),
                          train_dataset=train_set, eval_dataset=eval_set, data_collator=data_collator(tokenizer),
                          callbacks=[progress_callback(args, counter, torch)])
        trainer.remove_callback(PrinterCallback)  # its dict reprs are not JSON; ours replace them
        checkpoints = os.path.join(args.output_dir, "checkpoints")
        last = get_last_checkpoint(checkpoints) if os.path.isdir(checkpoints) else None
        if last:
            emit({"event": "resume", "checkpoint": last})
        if torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()  # the peak of training, weights included
        outcome = trainer.train(resume_from_checkpoint=last)
    except torch.cuda.OutOfMemoryError as e:
        peak = torch.cuda.max_memory_allocated() if torch.cuda.is_available() else 0
        raise OutOfMemory(f"CUDA out of memory (peak allocated {peak / 2**30:.2f} GiB): {str(e).splitlines()[0]}; "
                          "try qlora, gradient checkpointing, a smaller micro_batch or max_seq_len") from None

    name = "model" if args.method == "full" else "adapter"
    saved = os.path.join(args.output_dir, name)
    trainer.model.save_pretrained(saved)
    state_file = os.path.join(args.output_dir, "trainer_state.json")
    trainer.state.save_to_json(state_file)
    eval_losses = [entry["eval_loss"] for entry in trainer.state.log_history if "eval_loss" in entry]
    metrics = {
        "trainableParams": trainable,
        "totalParams": total,
        "trainLoss": outcome.training_loss,
        "evalLoss": trainer.state.best_metric if trainer.state.best_metric is not None
        else (eval_losses[-1] if eval_losses else None),
        "steps": trainer.state.global_step,
    }
    info = {"method": args.method, "precision": args.precision,
            "gradientCheckpointing": str(args.gradient_checkpointing).lower(),
            "resumedFrom": last or "", "torch": torch.__version__, "transformers": transformers.__version__,
            "peft": peft.__version__}
    if torch.cuda.is_available():
        free, device_total = torch.cuda.mem_get_info()
        metrics["peakGpuMemoryBytes"] = torch.cuda.max_memory_allocated()
        metrics["peakGpuReservedBytes"] = torch.cuda.max_memory_reserved()
        # What nvidia-smi shows: the CUDA context and the allocator's cache come on top of tensors.
        metrics["deviceUsedBytesAtEnd"] = device_total - free
        info["gpu"] = torch.cuda.get_device_name()
    if trainer.state.best_model_checkpoint:
        info["bestCheckpoint"] = trainer.state.best_model_checkpoint
    text = result_message([artifact(name, saved), artifact("trainer_state", state_file)], metrics, info)
    write_termination_message(text)
    emit({"event": "result", **json.loads(text)})


class OutOfMemory(Exception):
    """CUDA ran out of memory: the pod exits 3 (OutOfMemory)."""


def main(argv=None):
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
    except BadInput as e:
        return fail(EXIT_BAD_INPUT, str(e))
    except SystemExit as e:  # argparse: usage errors exit 2 (message on stderr), --help exits 0
        code = e.code if isinstance(e.code, int) else EXIT_BAD_INPUT
        if code != 0:
            write_termination_message("bad arguments: see the usage message in the pod log")
        return code
    try:
        train(args)
    except BadInput as e:
        return fail(EXIT_BAD_INPUT, str(e))
    except OutOfMemory as e:
        return fail(EXIT_OUT_OF_MEMORY, str(e))
    return 0


if __name__ == "__main__":
    sys.exit(main())
