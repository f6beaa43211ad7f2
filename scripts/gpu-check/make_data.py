#!/usr/bin/env python3
"""Writes deterministic prompt/completion JSONL for the GPU check (dataset-prep's output format).

usage: make_data.py OUT.jsonl COUNT COMPLETION_BYTES
Prompts follow the manual run's Llama-2 chat template (docs/manual-procedure.md); completions are
long enough that, with the byte-level tokenizer of --random-init-config, examples fill
--max-seq-len exactly.
"""
import json
import sys

WORDS = ("the river ran under a grey sky and the town slept while a letter waited on the desk "
         "unread for three days before anyone noticed it").split()


def main(path, count, completion_bytes):
    with open(path, "w", encoding="utf-8") as f:
        for i in range(count):
            prompt = f"<s>[INST] <<SYS>> You are a novelist. <</SYS>> Write passage {i} about the town. [/INST]"
            words, n = [], i
            while sum(len(w) + 1 for w in words) < completion_bytes:
                words.append(WORDS[n % len(WORDS)])
                n = n * 7 + 3
            f.write(json.dumps({"prompt": prompt, "completion": " " + " ".join(words) + " </s>"}) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
