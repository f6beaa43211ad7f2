#!/usr/bin/env python3
"""fineflow model-fetch: pins the base model every later stage reads.

    python3 /opt/fineflow-programs/model_fetch.py --params JSON [--result-file FILE]

JSON is the stage's parameters (fineflow.workflows.plan.ModelFetchParams): {"stage":
"model-fetch", "model": ID_OR_PATH, "revision": R (ids only), "output": DIR}.

A Hugging Face id is downloaded with huggingface_hub.snapshot_download into HF_HOME (the
workspace's shared cache); the snapshot folder is named after the commit the revision resolved
to, and that sha is the stage's result. A path (starting with "/") is hashed instead: the
sha256 of its `sha256sum` listing (stage_runner.content_digest, beside this program in the
programs ConfigMap; the same as fineflow's Java ContentDigest). The result is
written to DIR/model-fetch.json and, as the container termination message, to FILE
(/dev/termination-log): {"artifacts": [...], "info": {"sha", "snapshot", ...}, ...}.

The Hub token is read from HF_TOKEN (the pod gets it from the spec's Secret); it is never
printed or written. Exit codes: 0 ok; 2 bad arguments or a missing model path; 1 the download
failed (no network, unknown repo or revision, no access).
"""

import argparse
import json
import os
import re
import sys

# stage_runner.py sits beside this program (resources/fineflow/programs, the programs ConfigMap):
# one digest of a tree for every program, so model-fetch's sha is what the other stages compute.
from stage_runner import content_digest, file_sha256, stage_params

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
RESULT_FILE = "model-fetch.json"
COMMIT = re.compile(r"^[0-9a-f]{40}$")


class FetchError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="model_fetch.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--params", required=True, type=stage_params("model-fetch"), metavar="JSON",
                        help="model (Hugging Face id or a path), revision (ids only), output")
    parser.add_argument("--result-file", default="/dev/termination-log")
    args = parser.parse_args(argv)
    params = args.params
    return argparse.Namespace(model=params["model"], revision=params.get("revision") or "main",
                              output=params["output"], result_file=args.result_file)


def fetch_local(path):
    if not os.path.isdir(path):
        raise FetchError(EXIT_BAD_INPUT, "model %s: no such directory on the workspace" % path)
    if not os.path.isfile(os.path.join(path, "config.json")):
        raise FetchError(EXIT_BAD_INPUT, "model %s: no config.json, not a model directory" % path)
    sha, size = content_digest(path)
    return {"sha": sha, "snapshot": path, "sizeBytes": size, "source": "workspace"}


def fetch_hub(model, revision, download=None):
    """snapshot_download into HF_HOME; the snapshot folder's name is the resolved commit."""
    if download is None:
        from huggingface_hub import snapshot_download as download
    try:
        snapshot = download(repo_id=model, revision=revision, token=os.environ.get("HF_TOKEN") or None)
    except Exception as e:  # huggingface_hub raises many types; the message says which
        raise FetchError(EXIT_FAILED, "cannot download %s at %s: %s: %s"
                         % (model, revision, type(e).__name__, e))
    sha = os.path.basename(os.path.normpath(snapshot))
    if not COMMIT.match(sha):
        raise FetchError(EXIT_FAILED, "snapshot %s is not named after a commit sha" % snapshot)
    return {"sha": sha, "snapshot": snapshot, "revision": revision, "source": "hub"}


def run(args, download=None):
    info = fetch_local(args.model) if args.model.startswith("/") \
        else fetch_hub(args.model, args.revision, download)
    info["model"] = args.model
    os.makedirs(args.output, exist_ok=True)
    record = os.path.join(args.output, RESULT_FILE)
    with open(record, "w", encoding="utf-8") as f:
        json.dump(dict(info, simulated=False), f, indent=2, sort_keys=True)
    return {
        # The snapshot is named in info: its digest is the sha (a commit is not a content hash).
        "artifacts": [{"name": "model-fetch", "path": record, "sha256": file_sha256(record),
                       "sizeBytes": os.path.getsize(record)}],
        "metrics": {},
        "info": {k: str(v) for k, v in sorted(info.items())},
        "simulated": False,
    }


def write_result(path, result):
    text = json.dumps(result, separators=(",", ":"), ensure_ascii=False)
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        print("cannot write the result file %s (%s)" % (path, e), file=sys.stderr)
    print(text, flush=True)


def main(argv, download=None):
    args = parse_args(argv)
    try:
        result = run(args, download)
    except FetchError as e:
        print("model-fetch: " + str(e), file=sys.stderr, flush=True)
        write_result(args.result_file, {"error": str(e)[:1000]})
        return e.code
    print("model-fetch: %s is %s (%s)" % (args.model, result["info"]["sha"],
                                           result["info"]["snapshot"]), file=sys.stderr)
    write_result(args.result_file, result)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
