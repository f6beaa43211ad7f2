#!/usr/bin/env python3
"""Checks that a saved adapter is a valid PEFT adapter: PeftModel.from_pretrained loads it onto a
base built as train.py builds it, its weights are the saved ones, and a forward pass runs and
differs from the base's (the trained lora_B is not zero).

usage: load_adapter.py PROGRAM_DIR ADAPTER_DIR SETTINGS...   (the base's settings as trained, in
params.py's KEY=VALUE form)
"""
import os
import sys

import torch


def main(program_dir, adapter_dir, train_args):
    sys.path.insert(0, program_dir)
    import train
    from peft import PeftModel
    from safetensors.torch import load_file

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import params
    args = train.parse_args(params.argv(train_args))
    base = train.load_model(args, torch)
    model = PeftModel.from_pretrained(base, adapter_dir)
    saved = load_file(os.path.join(adapter_dir, "adapter_model.safetensors"))
    loaded = {name: p for name, p in model.named_parameters() if "lora_" in name}
    assert len(saved) == len(loaded), f"{len(saved)} tensors saved, {len(loaded)} LoRA parameters loaded"
    for key, value in saved.items():
        match = [p for name, p in loaded.items() if name.replace(".default", "").endswith(key.split("base_model.model.")[-1])]
        assert len(match) == 1, f"{key}: {len(match)} matches"
        assert torch.equal(match[0].detach().to(value.device, value.dtype), value), f"{key}: loaded != saved"
    trained_b = sum(float(v.abs().sum()) for k, v in saved.items() if "lora_B" in k)
    assert trained_b > 0, "lora_B is all zeros: the adapter was never trained"
    model.eval()
    device = next(p for p in model.parameters() if p.device.type != "meta").device
    ids = torch.randint(3, 259, (1, 64), device=device)
    with torch.no_grad(), torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
        with_adapter = model(input_ids=ids).logits.float()
        with model.disable_adapter():
            without = model(input_ids=ids).logits.float()
    assert torch.isfinite(with_adapter).all(), "non-finite logits"
    diff = float((with_adapter - without).abs().max())
    assert diff > 0, "the adapter does not change the logits"
    linear = sorted({type(m).__name__ for m in model.modules() if "Linear" in type(m).__name__})
    print(f"adapter ok: {len(saved)} tensors, sum |lora_B| {trained_b:.4g}, logits {tuple(with_adapter.shape)}, "
          f"max |with - without adapter| {diff:.4g}, linear modules {linear}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
