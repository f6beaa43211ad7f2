#!/bin/sh
# Second GPU check: settings chosen after the estimator was written, predictions recorded in
# docs/gpu-checks.md before this ran (LoRA on two targets without dropout, no checkpointing;
# full fine-tuning of the TinyLlama-1.1B shape with adamw_torch and with sgd).
# usage: holdout.sh PROGRAM_DIR FIXTURE_DIR
set -uf  # -f: the parameters' JSON holds [ ] (no globbing)
P=$1; F=$2; W=$(mktemp -d)
export PYTHONUNBUFFERED=1 FINEFLOW_RESULT_FILE=$W/result.json
here=$(dirname "$0")
date -u; nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c 'import torch, transformers, peft; print("torch", torch.__version__, "transformers", transformers.__version__, "peft", peft.__version__)'
python3 "$here/make_data.py" $W/train.jsonl 32 1200
python3 "$here/make_data.py" $W/eval.jsonl 4 1200
run() { name=$1; shift; echo "=== $name: $*"; python3 "$P/train.py" $(python3 "$here/params.py" "$@") | grep -v '"event":"progress"'; echo "=== $name exit $?"; }
common="train_file=$W/train.jsonl eval_file=$W/eval.jsonl lr=5e-5 scheduler=cosine warmup_steps=1
  precision=bf16 logging_steps=1 seed=42 grad_accum=2 --max-steps 3 eval_steps=3 save_steps=3"
run v1-7b-r16-qv $common --random-init-config $F/llama-2-7b-config.json output_dir=$W/v1 method=lora lora.r=16 lora.alpha=32 lora.dropout=0 lora.targets=q_proj,v_proj micro_batch=2 max_seq_len=768 gradient_checkpointing=false optim=adamw_torch
run v2-1b-full-adamw $common --random-init-config $F/tinyllama-1.1b-config.json output_dir=$W/v2 method=full micro_batch=2 max_seq_len=512 gradient_checkpointing=true optim=adamw_torch
run v3-1b-full-sgd $common --random-init-config $F/tinyllama-1.1b-config.json output_dir=$W/v3 method=full micro_batch=2 max_seq_len=512 gradient_checkpointing=true optim=sgd
rm -rf "$W"
