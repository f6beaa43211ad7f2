#!/bin/sh
# QLoRA GPU check (docs/gpu-checks.md, "QLoRA"): train.py's check mode (--random-init-config with
# --method qlora quantizes random weights in memory to the NF4 layout of a 4-bit load) on the
# LLaMA shapes, with the manual run's settings (docs/manual-procedure.md) and the QLoRA paper's;
# the adapters of the tiny and the *-seed runs are reloaded with PeftModel.from_pretrained
# (load_adapter.py).
# usage: qlora.sh PROGRAM_DIR FIXTURE_DIR RUN...   (RUN: tiny q7-seed q7-seed-nogc l7-seed q7-r64 q13-r64 q33-r64 q65-r64)
set -uf  # -f: the parameters' JSON holds [ ] (no globbing)
P=$1; F=$2; shift 2; W=$(mktemp -d)
export PYTHONUNBUFFERED=1 FINEFLOW_RESULT_FILE=$W/result.json
here=$(dirname "$0")
date -u; nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c 'import torch, transformers, peft, accelerate, bitsandbytes; print("torch", torch.__version__, "transformers", transformers.__version__, "peft", peft.__version__, "accelerate", accelerate.__version__, "bitsandbytes", bitsandbytes.__version__)'
python3 "$here/make_data.py" $W/train.jsonl 32 1200
python3 "$here/make_data.py" $W/eval.jsonl 2 1200

common="train_file=$W/train.jsonl eval_file=$W/eval.jsonl lr=5e-5 scheduler=cosine warmup_steps=1
  precision=bf16 logging_steps=1 seed=42 micro_batch=1 max_seq_len=512 gradient_checkpointing=true
  grad_accum=2 --max-steps 3 eval_steps=3 save_steps=3"
seven="lora.targets=q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj"
seed="lora.r=4 lora.alpha=8 lora.dropout=0.1 $seven optim=paged_adamw_8bit"
paper="lora.r=64 lora.alpha=16 $seven optim=paged_adamw_32bit"  # QLoRA paper: r 64, alpha 16, all linear layers
quant="quantization.bits=4 quantization.quant_type=nf4 quantization.double_quant=true quantization.compute_dtype=bfloat16"

run() {
  name=$1; shift
  echo "=== $name: $*"
  start=$(date +%s)
  python3 "$P/train.py" $(python3 "$here/params.py" "$@" output_dir=$W/$name) > $W/$name.log 2>&1
  rc=$?
  grep -v '"event":"progress"' $W/$name.log
  echo "=== $name exit $rc ($(( $(date +%s) - start )) s)"
}
reload() {  # reload the adapter of run $1 onto a fresh base built with the same arguments
  name=$1; shift
  echo "=== reload $name"
  python3 "$here/load_adapter.py" "$P" $W/$name/adapter "$@" output_dir=$W/reload
  echo "=== reload $name exit $?"
}

for r in "$@"; do
  case $r in
    tiny) run tiny --random-init-config $F/tiny-llama-config.json method=qlora $quant $seed $common
          reload tiny --random-init-config $F/tiny-llama-config.json method=qlora $quant $seed $common ;;
    q7-seed) run q7-seed --random-init-config $F/llama-2-7b-config.json method=qlora $quant $seed $common
             reload q7-seed --random-init-config $F/llama-2-7b-config.json method=qlora $quant $seed $common ;;
    q7-seed-nogc) run q7-seed-nogc --random-init-config $F/llama-2-7b-config.json method=qlora $quant $seed $common gradient_checkpointing=false ;;
    l7-seed) run l7-seed --random-init-config $F/llama-2-7b-config.json method=lora $seed $common ;;
    q7-r64) run q7-r64 --random-init-config $F/llama-2-7b-config.json method=qlora $quant $paper lora.dropout=0.1 $common ;;
    q13-r64) run q13-r64 --random-init-config $F/llama-13b-config.json method=qlora $quant $paper lora.dropout=0.1 $common ;;
    q33-r64) run q33-r64 --random-init-config $F/llama-33b-config.json method=qlora $quant $paper lora.dropout=0.05 $common ;;
    q65-r64) run q65-r64 --random-init-config $F/llama-65b-config.json method=qlora $quant $paper lora.dropout=0.05 $common ;;
    *) echo "unknown run $r"; exit 2 ;;
  esac
done
rm -rf "$W"
