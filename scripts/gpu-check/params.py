"""train.py's command line for a GPU check: KEY=VALUE words become the train parameters
(fineflow.workflows.plan.TrainParams, as the planner writes them: snake_case, lora.* and
quantization.* nested), every other word passes through (train.py's check options
--random-init-config and --max-steps). Prints `--params JSON WORD...` for the shell to split: the
JSON has no spaces, and the scripts run with `set -f`.

The fields a check does not vary are set here once: revision main, one epoch (--max-steps ends
it), no remote code, LoRA bias none.
"""

import json
import sys

BASE = {"stage": "train", "revision": "main", "epochs": 1, "trust_remote_code": False}
LISTS = ("lora.targets",)


def value(key, text):
    if key in LISTS:
        return text.split(",")
    try:
        return json.loads(text)
    except ValueError:
        return text


def argv(words):
    """train.py's argv for `words`."""
    params, rest = json.loads(json.dumps(BASE)), []
    for word in words:
        key, eq, text = word.partition("=")
        if not eq or word.startswith("-"):
            rest.append(word)
            continue
        *parents, leaf = key.split(".")
        node = params
        for parent in parents:
            node = node.setdefault(parent, {"bias": "none"} if parent == "lora" else {})
        node[leaf] = value(key, text)
    return ["--params", json.dumps(params, separators=(",", ":"))] + rest


if __name__ == "__main__":
    print(" ".join(argv(sys.argv[1:])))
