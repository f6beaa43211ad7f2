#!/bin/sh
# GPU check of train.py (docs/gpu-checks.md): tiny random Llama end to end with resume, then the
# Llama-2-7B architecture (random bf16 weights) with the manual run's LoRA settings
# (docs/manual-procedure.md) and two variations.
# usage: run.sh PROGRAM_DIR FIXTURE_DIR LOG_DIR
set -uf  # -f: the parameters' JSON holds [ ] (no globbing)
P=$1; F=$2; L=$3; W=$(mktemp -d)
export PYTHONUNBUFFERED=1 FINEFLOW_RESULT_FILE=$W/result.json
here=$(dirname "$0")
date -u; nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c 'import torch, transformers, peft, accelerate; print("torch", torch.__version__, "transformers", transformers.__version__, "peft", peft.__version__, "accelerate", accelerate.__version__)'
python3 "$here/make_data.py" $W/tiny-train.jsonl 64 200
python3 "$here/make_data.py" $W/tiny-eval.jsonl 8 200
python3 "$here/make_data.py" $W/big-train.jsonl 32 1200
python3 "$here/make_data.py" $W/big-eval.jsonl 4 1200

run() { name=$1; shift; echo "=== $name: $*"; python3 "$P/train.py" $(python3 "$here/params.py" "$@"); echo "=== $name exit $?"; }

tiny="--random-init-config $F/tiny-llama-config.json train_file=$W/tiny-train.jsonl eval_file=$W/tiny-eval.jsonl
  output_dir=$W/tiny method=lora lora.r=4 lora.alpha=8 lora.dropout=0.1
  lora.targets=q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj micro_batch=4 grad_accum=2
  lr=1e-3 scheduler=cosine warmup_steps=2 optim=adamw_torch gradient_checkpointing=true
  precision=bf16 max_seq_len=128 eval_steps=5 save_steps=5 logging_steps=1 seed=42"
run tiny-10 $tiny --max-steps 10
run tiny-resume-16 $tiny --max-steps 16
ls $W/tiny $W/tiny/adapter; cat $W/result.json; echo
run bad-input $tiny train_file=$W/missing.jsonl

big="--random-init-config $F/llama-2-7b-config.json eval_file=$W/big-eval.jsonl train_file=$W/big-train.jsonl
  method=lora lora.r=4 lora.alpha=8 lora.dropout=0.1
  lora.targets=q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj grad_accum=2 lr=5e-5
  scheduler=cosine warmup_steps=1 optim=adamw_torch precision=bf16 logging_steps=1 seed=42"
run 7b-seed $big output_dir=$W/b1 micro_batch=1 max_seq_len=512 gradient_checkpointing=true --max-steps 6 eval_steps=3 save_steps=3
run 7b-no-gc $big output_dir=$W/b2 micro_batch=1 max_seq_len=512 gradient_checkpointing=false --max-steps 3 eval_steps=3 save_steps=3
run 7b-b4-s1024 $big output_dir=$W/b3 micro_batch=4 max_seq_len=1024 gradient_checkpointing=true --max-steps 3 eval_steps=3 save_steps=3
rm -rf "$W"
