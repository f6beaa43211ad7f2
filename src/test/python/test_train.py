"""Unit tests of train.py's argument, config and data handling; argument handling needs no torch,
the tokenizer and collator tests need transformers (the Python ML environment).

Run: ~/.fineflow/python-env/bin/python -m unittest discover -s src/test/python (PythonProgramsTest
runs them in mvn verify).
"""

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(HERE, "..", "..", "..", "resources", "fineflow", "programs")
sys.path.insert(0, PROGRAMS)

import train  # noqa: E402

# The parameters the planner writes for a LoRA run (fineflow.workflows.plan.TrainParams' JSON; the
# golden argv test of the planner has the qlora ones); each test changes what it checks.
LORA = {"r": 4, "alpha": 8, "dropout": 0.1, "bias": "none",
        "targets": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]}
QUANTIZATION = {"bits": 4, "quant_type": "nf4", "double_quant": True, "compute_dtype": "bfloat16"}
PARAMS = {"stage": "train", "model": "org/model", "revision": "main", "train_file": "t.jsonl",
          "output_dir": "out", "method": "lora", "lora": LORA, "epochs": 3, "micro_batch": 1,
          "grad_accum": 1, "lr": 5e-05, "scheduler": "cosine", "warmup_steps": 0, "optim": "adamw_torch",
          "gradient_checkpointing": True, "precision": "bf16", "max_seq_len": 512, "eval_steps": 25,
          "save_steps": 25, "logging_steps": 1, "seed": 42, "trust_remote_code": False}


def params(drop=(), lora=None, quantization=None, **changes):
    """PARAMS with `changes`; lora/quantization update those parts; `drop` removes fields."""
    value = json.loads(json.dumps(PARAMS))
    value.update(changes)
    if lora is not None:
        value["lora"].update(lora)
    if quantization is not None:
        value["quantization"] = {**QUANTIZATION, **quantization}
    for name in drop:
        value.pop(name, None)
    return json.dumps(value)


def parse(*extra, **changes):
    return train.parse_args(["--params", params(**changes)] + list(extra))


def qlora(**changes):
    return {"method": "qlora", "quantization": {}, **changes}


class ArgumentsTest(unittest.TestCase):

    def test_values_come_from_the_params(self):
        args = parse()
        self.assertEqual("lora", args.method)
        self.assertEqual(4, args.lora["r"])
        self.assertEqual(LORA["targets"], args.lora["targets"])
        self.assertTrue(args.gradient_checkpointing)
        self.assertIsNone(train.quantization_kwargs(args))

    def test_every_field_is_required_and_named(self):
        # No defaults here: the spec has them (LoraSpec, TrainingSpec), the planner writes them all.
        for field in ("revision", "train_file", "output_dir", "epochs", "seed", "trust_remote_code"):
            with self.subTest(field=field), self.assertRaisesRegex(train.BadInput, "--params: %s is missing" % field):
                parse(drop=(field,))
        with self.assertRaisesRegex(train.BadInput, r"--params: lora\.r is missing"):
            train.parse_args(["--params", json.dumps({**PARAMS, "lora": {k: v for k, v in LORA.items() if k != "r"}})])
        with self.assertRaisesRegex(train.BadInput, r"lora is missing \(method is qlora\)"):
            parse(drop=("lora",), **qlora())

    def test_quantization_is_rejected_for_lora(self):
        with self.assertRaisesRegex(train.BadInput, r"quantization only applies to method qlora \(method is lora\)"):
            parse(quantization={})
        with self.assertRaisesRegex(train.BadInput, r"lora only applies to method lora or qlora \(method is full\)"):
            parse(method="full")

    def test_parameters_of_another_stage_are_refused(self):
        with contextlib.redirect_stderr(io.StringIO()) as err, result_file():
            self.assertEqual(2, train.main(["--params", json.dumps({**PARAMS, "stage": "model-fetch"})]))
        self.assertIn("not of train", err.getvalue())

    def test_qlora_config_path(self):
        args = parse(**qlora())
        self.assertEqual({"load_in_4bit": True, "bnb_4bit_quant_type": "nf4",
                          "bnb_4bit_use_double_quant": True, "bnb_4bit_compute_dtype": "bfloat16"},
                         train.quantization_kwargs(args))

    def test_qlora_double_quant_off_and_fp4(self):
        args = parse(method="qlora", precision="fp16",
                     quantization={"quant_type": "fp4", "double_quant": False, "compute_dtype": "float16"})
        kwargs = train.quantization_kwargs(args)
        self.assertEqual("fp4", kwargs["bnb_4bit_quant_type"])
        self.assertFalse(kwargs["bnb_4bit_use_double_quant"])
        self.assertEqual("float16", kwargs["bnb_4bit_compute_dtype"])

    def test_qlora_random_init_is_the_check_mode_and_fp32_is_rejected(self):
        args = parse("--random-init-config", "c.json", **qlora())
        self.assertEqual(("c.json", "nf4", True, "bfloat16"),
                         (args.random_init_config, args.quantization["quant_type"],
                          args.quantization["double_quant"], args.quantization["compute_dtype"]))
        with self.assertRaisesRegex(train.BadInput, "qlora computes in 16 bits"):
            parse(precision="fp32", **qlora())

    def test_model_or_random_config_is_required(self):
        with self.assertRaisesRegex(train.BadInput, "model is required"):
            parse(drop=("model",))
        args = parse("--random-init-config", "c.json", drop=("model",))
        self.assertEqual("c.json", args.random_init_config)

    def test_save_steps_must_be_a_multiple_of_eval_steps(self):
        with self.assertRaisesRegex(train.BadInput, r"save_steps \(30\) must be a multiple of eval_steps \(25\)"):
            parse(eval_file="e.jsonl", eval_steps=25, save_steps=30)

    def test_lora_config(self):
        args = parse(lora={"r": 8, "alpha": 16, "dropout": 0.05, "targets": ["q_proj", "v_proj"]})
        self.assertEqual({"r": 8, "lora_alpha": 16, "lora_dropout": 0.05, "target_modules": ["q_proj", "v_proj"],
                          "bias": "none", "task_type": "CAUSAL_LM"}, train.lora_config_kwargs(args))
        self.assertEqual("all-linear",
                         train.lora_config_kwargs(parse(lora={"targets": ["all-linear"]}))["target_modules"])
        self.assertIsNone(train.lora_config_kwargs(parse(method="full", drop=("lora",))))

    def test_training_arguments(self):
        args = parse(eval_file="e.jsonl", micro_batch=2, grad_accum=32, optim="paged_adamw_8bit",
                     eval_steps=25, save_steps=50, output_dir="/w/out")
        kwargs = train.training_arguments_kwargs(args)
        self.assertEqual("/w/out/checkpoints", kwargs["output_dir"])
        self.assertEqual(2, kwargs["per_device_eval_batch_size"])  # eval never outgrows training memory
        self.assertEqual(32, kwargs["gradient_accumulation_steps"])
        self.assertEqual("paged_adamw_8bit", kwargs["optim"])
        self.assertEqual({"use_reentrant": False}, kwargs["gradient_checkpointing_kwargs"])
        self.assertTrue(kwargs["load_best_model_at_end"])
        self.assertEqual("eval_loss", kwargs["metric_for_best_model"])
        self.assertFalse(kwargs["greater_is_better"])
        self.assertTrue(kwargs["bf16"])
        self.assertEqual(-1, kwargs["max_steps"])

    def test_training_arguments_without_eval_or_checkpointing(self):
        kwargs = train.training_arguments_kwargs(
            parse("--max-steps", "7", gradient_checkpointing=False, precision="fp16"))
        self.assertEqual("no", kwargs["eval_strategy"])
        self.assertFalse(kwargs["load_best_model_at_end"])
        self.assertNotIn("gradient_checkpointing_kwargs", kwargs)
        self.assertFalse(kwargs["gradient_checkpointing"])
        self.assertEqual(7, kwargs["max_steps"])
        self.assertTrue(kwargs["fp16"])

    def test_bad_values_exit_2_naming_the_field(self):
        for changes, named in (({"lora": {"r": 0}}, r"lora\.r must be an integer > 0, got 0"),
                               ({"gradient_checkpointing": "maybe"}, 'gradient_checkpointing must be true or false, got "maybe"'),
                               ({"method": "ia3"}, 'method must be one of lora, qlora, full, got "ia3"'),
                               ({"lora": {"dropout": 1.5}}, r"lora\.dropout must be a number in \[0, 1\), got 1\.5"),
                               ({"epochs": True}, "epochs must be a number > 0, got true")):
            with self.subTest(changes=changes), contextlib.redirect_stderr(io.StringIO()), result_file() as path:
                self.assertEqual(2, train.main(["--params", params(**changes)]))
                with open(path, encoding="utf-8") as f:
                    self.assertRegex(f.read(), named)

    def test_not_json_exits_2(self):
        with contextlib.redirect_stderr(io.StringIO()) as err, result_file():
            self.assertEqual(2, train.main(["--params", "{lora"]))
        self.assertIn("not JSON", err.getvalue())

    def test_help_names_every_parameter(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertEqual(0, train.main(["--help"]))
        for name in ("--params", *PARAMS.keys() - {"stage"}, "quantization", "eval_file",
                     "--random-init-config", "--max-steps"):
            self.assertIn(name, out.getvalue())

    def test_torch_is_not_imported_for_argument_handling(self):
        # A fresh interpreter: other tests of this run import transformers (and with it torch).
        check = ("import sys; sys.path.insert(0, %r); import train; train.parse_args(%r); "
                 "print(sorted(m for m in ('torch', 'transformers', 'peft') if m in sys.modules))"
                 % (PROGRAMS, ["--params", params(**qlora())]))
        out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=60)
        self.assertEqual("[]", out.stdout.strip(), out.stderr)


class GradientCheckpointingCheckTest(unittest.TestCase):
    """The manual run's trap: checkpointing requested, reported on, and doing nothing
    (docs/manual-procedure.md "Training settings")."""

    class Module:
        def __init__(self, checkpointing=None, children=()):
            if checkpointing is not None:
                self.gradient_checkpointing = checkpointing
            self.children = list(children)

        def modules(self):
            yield self
            for child in self.children:
                yield from child.modules()

    def model(self, reported, layers):
        model = self.Module(children=[self.Module(checkpointing=on) for on in layers])
        model.is_gradient_checkpointing = reported
        return model

    def test_on_and_recomputing_passes(self):
        args = parse(gradient_checkpointing=True)
        model = self.model(True, [True, True])
        train.verify_gradient_checkpointing(args, model, "after model preparation")
        self.assertEqual(2, train.checkpointing_modules(model))

    def test_flag_on_but_no_module_recomputing_is_refused(self):
        args = parse(gradient_checkpointing=True)
        with self.assertRaisesRegex(train.BadInput, "reported on after model preparation but no module"):
            train.verify_gradient_checkpointing(args, self.model(True, [False, False]), "after model preparation")

    def test_off_when_requested_on_is_refused(self):
        args = parse(gradient_checkpointing=True)
        with self.assertRaisesRegex(train.BadInput, "is off when training starts but gradient_checkpointing is true"):
            train.verify_gradient_checkpointing(args, self.model(False, [False]), "when training starts")


class DataTest(unittest.TestCase):

    def write(self, text):
        f = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8")
        f.write(text)
        f.close()
        self.addCleanup(os.unlink, f.name)
        return f.name

    def test_reads_prompt_completion_lines(self):
        path = self.write('{"prompt": "<s>[INST] hi [/INST]", "completion": " yo </s>"}\n\n'
                          '{"prompt": "p", "completion": "c"}\n')
        self.assertEqual([(1, "<s>[INST] hi [/INST]", " yo </s>"), (3, "p", "c")],
                         train.read_examples(path, "--train-file"))

    def test_reports_the_bad_line(self):
        cases = {'{"prompt": "p"}\n': r"line 1: field 'completion' must be a string",
                 '{"prompt": "p", "completion": "c"}\n{"prompt": 3, "completion": "c"}\n':
                     r"line 2: field 'prompt' must be a string",
                 '{"prompt": "p", "completion": "c"}\n{"prompt": "p",\n': r"line 2, column \d+",
                 '{"prompt": "p", "completion": "  "}\n': r"line 1: field 'completion' is empty",
                 '[1, 2]\n': r"line 1: expected a JSON object",
                 '\n': r"no records"}
        for text, message in cases.items():
            with self.subTest(text=text):
                with self.assertRaisesRegex(train.BadInput, message):
                    train.read_examples(self.write(text), "--train-file")

    def test_missing_file(self):
        with self.assertRaisesRegex(train.BadInput, "--eval-file /nope.jsonl: no such file"):
            train.read_examples("/nope.jsonl", "--eval-file")

    def byte_encoder(self):
        return train.tokenizer_encoder(train.byte_tokenizer(), literal_bytes=True)

    def test_prompt_tokens_are_masked(self):
        item = train.encode_example(self.byte_encoder(), "ab", "cd", 16, "x")
        self.assertEqual([ord("a") + 3, ord("b") + 3, ord("c") + 3, ord("d") + 3], item["input_ids"])
        self.assertEqual([-100, -100, ord("c") + 3, ord("d") + 3], item["labels"])

    def test_truncation_keeps_the_prompt_mask(self):
        encode = self.byte_encoder()
        item = train.encode_example(encode, "abc", "defgh", 5, "x")
        self.assertEqual(5, len(item["input_ids"]))
        self.assertEqual([-100, -100, -100, ord("d") + 3, ord("e") + 3], item["labels"])
        with self.assertRaisesRegex(train.BadInput, "line 7: the prompt alone has 3 tokens"):
            train.encode_example(encode, "abc", "d", 3, "--train-file line 7")

    def test_byte_tokenizer_keeps_template_markers_and_multibyte_text_as_bytes(self):
        # The ids the hand-written byte tokenizer gave: UTF-8 byte + 3, special-token text included.
        text = "<s>[INST] <<SYS>>\nあなたは太宰治です。\n<</SYS>>\n\n問い [/INST] 答え </s><pad><unk>"
        self.assertEqual([b + 3 for b in text.encode("utf-8")], self.byte_encoder()(text))
        tokenizer = train.byte_tokenizer()
        self.assertEqual((0, train.BYTE_VOCAB_SIZE), (tokenizer.pad_token_id, len(tokenizer)))

    def test_dataset_counts_tokens(self):
        counter = train.TokenCounter()
        data = train.EncodedDataset([{"input_ids": [1, 2, 3], "labels": [1, 2, 3]}], counter)
        data[0]
        data[0]
        self.assertEqual(6, counter.value)


def hand_written_padding(features, pad_id):
    """train.py's padding before it used transformers' collator: the reference the collator must match."""
    width = max(len(f["input_ids"]) for f in features)
    batch = {"input_ids": [], "attention_mask": [], "labels": []}
    for f in features:
        missing = width - len(f["input_ids"])
        batch["input_ids"].append(f["input_ids"] + [pad_id] * missing)
        batch["attention_mask"].append([1] * len(f["input_ids"]) + [0] * missing)
        batch["labels"].append(f["labels"] + [-100] * missing)
    return batch


class CollatorTest(unittest.TestCase):
    """The data collator pads as the hand-written padding did: right side, the pad (else eos, else 0)
    id, attention_mask 0 and label -100 on padding, the prompt's -100 labels kept, int64 tensors."""

    FEATURES = [{"input_ids": [5, 6, 7], "labels": [-100, 6, 7]},
                {"input_ids": [8], "labels": [8]},
                {"input_ids": [9, 10, 11, 12, 13], "labels": [-100, -100, -100, 12, 13]},
                {"input_ids": [4, 4, 4, 4, 4], "labels": [-100, 4, 4, 4, 4]}]

    def word_tokenizer(self, pad=None, eos=None):
        """A fast tokenizer that pads on the left by default, with or without pad and eos tokens."""
        from tokenizers import Tokenizer, models
        from transformers import PreTrainedTokenizerFast
        vocab = {"<unk>": 0, "</s>": 1, "<pad>": 2, **{"w%d" % i: i for i in range(3, 16)}}
        core = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
        return PreTrainedTokenizerFast(tokenizer_object=core, unk_token="<unk>", pad_token=pad, eos_token=eos,
                                       padding_side="left")

    def assert_pads_like_before(self, tokenizer, pad_id):
        import torch
        batch = train.data_collator(tokenizer)([dict(f) for f in self.FEATURES])
        self.assertEqual({"input_ids", "attention_mask", "labels"}, set(batch.keys()))
        for key, expected in hand_written_padding(self.FEATURES, pad_id).items():
            self.assertEqual(torch.int64, batch[key].dtype, key)
            self.assertEqual(expected, batch[key].tolist(), key)

    def test_byte_tokenizer_pads_with_0(self):
        self.assert_pads_like_before(train.byte_tokenizer(), 0)

    def test_pad_token_on_the_right_although_the_tokenizer_pads_left(self):
        self.assert_pads_like_before(self.word_tokenizer(pad="<pad>", eos="</s>"), 2)

    def test_no_pad_token_pads_with_eos(self):
        self.assert_pads_like_before(self.word_tokenizer(eos="</s>"), 1)

    def test_neither_pad_nor_eos_pads_with_0(self):
        self.assert_pads_like_before(self.word_tokenizer(), 0)

    def test_padding_masks_loss_and_attention(self):
        batch = train.data_collator(train.byte_tokenizer())(self.FEATURES[:2])
        self.assertEqual([[5, 6, 7], [8, 0, 0]], batch["input_ids"].tolist())
        self.assertEqual([[1, 1, 1], [1, 0, 0]], batch["attention_mask"].tolist())
        self.assertEqual([[-100, 6, 7], [8, -100, -100]], batch["labels"].tolist())


class ResultTest(unittest.TestCase):

    def test_folder_digest_is_stable_and_content_based(self):
        with tempfile.TemporaryDirectory() as d:
            for name, body in (("adapter_config.json", b"{}"), ("adapter_model.safetensors", b"\x00" * 10)):
                with open(os.path.join(d, name), "wb") as f:
                    f.write(body)
            first = train.artifact("adapter", d)
            self.assertEqual(12, first["sizeBytes"])
            self.assertEqual(first, train.artifact("adapter", d))
            with open(os.path.join(d, "adapter_config.json"), "wb") as f:
                f.write(b"{ }")
            self.assertNotEqual(first["sha256"], train.artifact("adapter", d)["sha256"])

    def test_message_stays_under_4_kib(self):
        info = {f"k{i}": "v" * 200 for i in range(40)}
        text = train.result_message([{"name": "adapter"}], {"trainLoss": 1.0}, info)
        self.assertLess(len(text.encode()), 4096)
        parsed = json.loads(text)
        self.assertEqual(1.0, parsed["metrics"]["trainLoss"])
        self.assertFalse(parsed["simulated"])
        self.assertIn("k0", parsed["info"])


@contextlib.contextmanager
def result_file():
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "termination-log")
        previous = os.environ.get("FINEFLOW_RESULT_FILE")
        os.environ["FINEFLOW_RESULT_FILE"] = path
        try:
            yield path
        finally:
            if previous is None:
                del os.environ["FINEFLOW_RESULT_FILE"]
            else:
                os.environ["FINEFLOW_RESULT_FILE"] = previous


if __name__ == "__main__":
    unittest.main()
