"""Tests of resources/fineflow/programs/model_fetch.py (stdlib only: python3 -m unittest).

huggingface_hub is replaced by a function with snapshot_download's signature that builds the
cache layout it would (hub/models--org--name/snapshots/<commit>).
"""

import io
import json
import os
import subprocess
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "resources", "fineflow", "programs"))
sys.path.insert(0, PROGRAMS)
import model_fetch  # noqa: E402

# Same tree and value as test_stage_runner's and ContentDigestTest's.
TREE_SHA256 = "846f584e0383394ca8fdd69592693a65141d8ddf2d5d5968a68af49d297a824e"
COMMIT = "0123456789abcdef0123456789abcdef01234567"


class FakeHub:
    def __init__(self, home, commit=COMMIT, error=None):
        self.home, self.commit, self.error, self.calls = home, commit, error, []

    def __call__(self, repo_id, revision, token):
        self.calls.append((repo_id, revision, token))
        if self.error:
            raise self.error
        snap = os.path.join(self.home, "hub", "models--" + repo_id.replace("/", "--"),
                            "snapshots", self.commit)
        os.makedirs(snap, exist_ok=True)
        return snap


def params(model, output, revision=None):
    """The argv fineflow's planner renders: ModelFetchParams as one JSON argument."""
    value = {"stage": "model-fetch", "model": model, "output": output}
    if revision is not None:
        value["revision"] = revision
    return ["--params", json.dumps(value)]


def quiet(fn, *args):
    with redirect_stdout(io.StringIO()) as out, redirect_stderr(io.StringIO()) as err:
        code = fn(*args)
    return code, out.getvalue(), err.getvalue()


class ModelFetchTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.tmp = self.dir.name
        self.result = os.path.join(self.tmp, "termination-log")
        self.out = os.path.join(self.tmp, "out")

    def tearDown(self):
        self.dir.cleanup()

    def test_hub_model_records_the_commit_its_revision_resolved_to(self):
        hub = FakeHub(os.path.join(self.tmp, "hf"))
        os.environ["HF_TOKEN"] = "hf_secret_token"
        try:
            code, out, err = quiet(model_fetch.main, params("org/model", self.out, "main")
                                                  + ["--result-file", self.result], hub)
        finally:
            del os.environ["HF_TOKEN"]
        self.assertEqual(code, 0, err)
        self.assertEqual(hub.calls, [("org/model", "main", "hf_secret_token")])
        result = json.load(open(self.result))
        self.assertEqual(result["info"]["sha"], COMMIT)
        self.assertTrue(result["info"]["snapshot"].endswith("models--org--model/snapshots/" + COMMIT))
        self.assertFalse(result["simulated"])
        self.assertEqual(json.load(open(os.path.join(self.out, "model-fetch.json")))["sha"], COMMIT)
        # The token reaches the download only: not the log, the result or the record.
        for text in (out, err, open(self.result).read(), open(os.path.join(self.out, "model-fetch.json")).read()):
            self.assertNotIn("hf_secret_token", text)

    def test_a_failed_download_exits_1_with_the_reason(self):
        hub = FakeHub(self.tmp, error=OSError("offline"))
        code, _out, err = quiet(model_fetch.main, params("org/model", self.out)
                                                   + ["--result-file", self.result], hub)
        self.assertEqual(code, 1)
        self.assertIn("cannot download org/model at main: OSError: offline", err)
        self.assertIn("offline", json.load(open(self.result))["error"])

    def test_a_snapshot_not_named_by_a_commit_is_refused(self):
        hub = FakeHub(self.tmp, commit="main")
        code, _out, err = quiet(model_fetch.main, params("org/model", self.out)
                                                   + ["--result-file", self.result], hub)
        self.assertEqual(code, 1)
        self.assertIn("not named after a commit", err)

    def test_a_workspace_model_is_hashed_like_the_java_content_digest(self):
        model = os.path.join(self.tmp, "model")
        os.makedirs(os.path.join(model, "sub"))
        os.makedirs(os.path.join(model, "B"))
        with open(os.path.join(model, "a.txt"), "w") as f:
            f.write("hello\n")
        with open(os.path.join(model, "sub", "b.bin"), "w") as f:
            f.write("world")
        open(os.path.join(model, "B", "empty"), "w").close()
        self.assertEqual(model_fetch.content_digest(model), (TREE_SHA256, 11))

        open(os.path.join(model, "config.json"), "w").close()
        code, _out, err = quiet(model_fetch.main, params(model, self.out)
                                                   + ["--result-file", self.result])
        self.assertEqual(code, 0, err)
        info = json.load(open(self.result))["info"]
        self.assertEqual(info["snapshot"], model)
        self.assertRegex(info["sha"], "^[0-9a-f]{64}$")
        self.assertNotEqual(info["sha"], TREE_SHA256)  # config.json is part of the model

    def test_a_missing_workspace_model_is_bad_input(self):
        code, _out, err = quiet(model_fetch.main, params(os.path.join(self.tmp, "nope"), self.out)
                                                   + ["--result-file", self.result])
        self.assertEqual(code, 2)
        self.assertIn("no such directory", err)

    def test_missing_arguments_exit_2_as_argparse_does(self):
        proc = subprocess.run([sys.executable, os.path.join(PROGRAMS, "model_fetch.py")],
                              capture_output=True, text=True)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--params", proc.stderr)

    def test_the_parameters_of_another_stage_exit_2(self):
        proc = subprocess.run([sys.executable, os.path.join(PROGRAMS, "model_fetch.py"), "--params",
                               json.dumps({"stage": "train", "model": "x", "output": self.out})],
                              capture_output=True, text=True)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("parameters of 'train', not of model-fetch", proc.stderr)


if __name__ == "__main__":
    unittest.main()
