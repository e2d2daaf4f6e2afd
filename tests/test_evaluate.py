"""Feature extractors, the Evaluator (reference caching, every metric end to end) and the
``python -m ganzoo.evaluate`` command line, run as a user runs it."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import ganzoo
from conftest import REPO
from ganzoo import data as data_lib
from ganzoo import evaluation
from ganzoo.metrics import features


@pytest.fixture(scope="module")
def mnist_test():
    return evaluation.source_arrays(data_lib.load("mnist", "test"))


@pytest.fixture(scope="module")
def extractor():
    return features.get_extractor("mnist")


def test_shipped_mnist_classifier_reaches_99_percent_on_the_official_test_split(mnist_test, extractor):
    images, labels = mnist_test
    assert len(images) == 10_000  # the official test split, embedded in the package
    feats, probs = extractor(images)
    assert feats.shape == (10_000, 128) and probs.shape == (10_000, 10)
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-6)
    accuracy = np.mean(probs.argmax(1) == labels)
    # The probabilities are the softmax of the logits, both from one batch: a 10,000-image call
    # and a 50-image call take different float32 kernels (CI saw 3e-6 relative differences), so
    # the reference softmax is computed in NumPy (float64, as the extractor's) from the same 50.
    _, probs50 = extractor(images[:50])
    _, logits = extractor(images[:50], logits=True)
    logits = logits.astype(np.float64)
    softmax = np.exp(logits - logits.max(1, keepdims=True))
    np.testing.assert_allclose(probs50, softmax / softmax.sum(1, keepdims=True), rtol=1e-9)
    np.testing.assert_allclose(probs50, probs[:50], rtol=1e-4, atol=1e-9)  # batch-size invariant
    assert accuracy >= 0.99, accuracy
    meta = json.load(open(os.path.join(features.WEIGHTS_DIR, "mnist_classifier.json")))
    assert meta["test_accuracy"] == pytest.approx(accuracy, abs=5e-4)  # the sidecar is true
    assert os.path.getsize(features.MNIST_WEIGHTS) < 1_000_000  # shipped small


def test_extractor_errors_name_the_choices(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="valid: mnist, fashion, inception"):
        features.get_extractor("vgg")
    monkeypatch.setenv(features.INCEPTION_ENV, str(tmp_path / "missing.h5"))
    with pytest.raises(features.WeightsUnavailable, match="does not download"):
        features.get_extractor("inception")
    with pytest.raises(features.WeightsUnavailable, match="train_mnist_classifier"):
        features.get_extractor("mnist", weights=str(tmp_path / "missing.h5"))
    with pytest.raises(ValueError, match=r"\(28, 28, 1\)"):
        features.get_extractor("mnist")(np.zeros((2, 32, 32, 3), np.float32))


def test_real_digits_score_near_the_floor_and_noise_far_from_it(tmp_path):
    ev = evaluation.Evaluator("mnist", "test", num_samples=2000, cache_dir=str(tmp_path),
                              kid_subsets=20, kid_subset_size=500)
    real, labels = evaluation.source_arrays(data_lib.load("mnist", "train"), 2000)
    good = ev.score(real, labels)
    noise = ev.score(np.random.default_rng(0).uniform(-1, 1, real.shape).astype(np.float32))
    assert good["fid"] < 0.5 < 10 * good["fid"] < noise["fid"]
    assert abs(good["kid"]) < 3 * good["kid_std"] + 1e-3 < noise["kid"]
    assert good["is"] > 9.0 and good["class_consistency"] > 0.99
    assert good["precision"] > 0.7 and good["recall"] > 0.7 and noise["precision"] < 0.05
    assert good["coverage"] > 0.85 and noise["coverage"] < 0.05
    assert "class_consistency" not in noise  # no labels asked for, nothing to be consistent with


def test_reference_statistics_are_cached_by_dataset_split_extractor_and_count(tmp_path):
    first = evaluation.Evaluator("mnist", "test", num_samples=300, cache_dir=str(tmp_path))
    ref = first.reference()
    path = first.cache_path()
    name = os.path.basename(path)
    assert name.startswith("mnist__test__mnist-") and name.endswith("__300.npz")
    assert first.reference_info["cache_hit"] is False and first.reference_info["count"] == 300
    assert sorted(os.listdir(tmp_path)) == [name]  # no temporary file left behind
    again = evaluation.Evaluator("mnist", "test", num_samples=300, cache_dir=str(tmp_path))
    np.testing.assert_array_equal(again.reference()["features"], ref["features"])
    assert again.reference_info["cache_hit"] is True
    other = evaluation.Evaluator("mnist", "train", num_samples=200, cache_dir=str(tmp_path))
    other.reference()
    assert len(os.listdir(tmp_path)) == 2 and other.reference_info["count"] == 200
    # a cached file that is not what the key says would be wrong silently: the key covers it
    assert evaluation.dataset_key("ring8") == "ring8"
    assert evaluation.dataset_key(str(tmp_path)).startswith("folder-")


def test_mode_coverage_and_parzen_through_the_evaluator(tmp_path):
    ev = evaluation.Evaluator("ring8", "test", num_samples=800, cache_dir=str(tmp_path))
    modes, std = data_lib.mixture("ring8")
    on_modes = modes[np.arange(800) % 8] + std * np.random.default_rng(1).standard_normal((800, 2))
    result = ev.score(on_modes.astype(np.float32))
    assert result["modes_captured"] == 8 and result["high_quality"] > 0.98 and result["fid"] < 0.01
    one_mode = ev.score(np.repeat(modes[:1], 800, 0))
    assert one_mode["modes_captured"] == 1
    with pytest.raises(ValueError, match="valid: mode_coverage, fid"):
        evaluation.Evaluator("ring8", metrics="is", cache_dir=str(tmp_path))
    # the same reference key cached first without Parzen: Parzen still finds its test pixels
    evaluation.Evaluator("mnist", "test", num_samples=100, cache_dir=str(tmp_path)).reference()
    pz = evaluation.Evaluator("mnist", "test", num_samples=100, metrics="parzen",
                              cache_dir=str(tmp_path), parzen_validation=50)
    real, _ = evaluation.source_arrays(data_lib.load("mnist", "train"), 400)
    close = pz.score(real[100:400])
    far = pz.score(-np.ones_like(real[100:400]))
    assert close["parzen_ll"] > far["parzen_ll"] and close["parzen_stderr"] > 0
    assert close["parzen_sigma"] in [float(s) for s in ganzoo.metrics.parzen.DEFAULT_SIGMAS]


def run_evaluate(args, cwd, env=None):
    full_env = dict(os.environ, PYTHONPATH=REPO, TF_CPP_MIN_LOG_LEVEL="3", **(env or {}))
    return subprocess.run([sys.executable, "-m", "ganzoo.evaluate", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=300)


def train_tiny(tmp_path, model, workdir, extra=()):
    from test_cli import TINY, run_cli

    args = [f"--model={model}", "--steps=2", f"--workdir={workdir}", *extra]
    if model in ("dcgan", "acgan"):
        args += TINY
    result = run_cli(args, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]


def test_evaluate_cli_workdir_model_and_checkpoint_forms(tmp_path):
    train_tiny(tmp_path, "acgan", "runs/acgan")
    common = ["--num_samples=200", "--kid_subsets=5", "--kid_subset_size=100", "--is_splits=2"]
    result = run_evaluate(["--workdir=runs/acgan", *common], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    record = json.loads((tmp_path / "runs/acgan/metrics.json").read_text())
    assert record["step"] == 2 and record["model"] == "acgan" and record["conditional"] is True
    assert record["reference"]["split"] == "test" and record["reference"]["count"] == 200
    assert record["extractor"].startswith("mnist-") and record["num_samples"] == 200
    assert record["settings"]["kid_subset_size"] == 100 and record["settings"]["pr_k"] == 3
    results = record["results"]
    for key in ("fid", "kid", "kid_std", "is", "is_std", "precision", "recall", "density",
                "coverage", "class_consistency"):
        assert np.isfinite(results[key]), key
        assert f"  {key} " in result.stdout  # the printed table
    assert len(results["class_consistency_per_class"]) == 10
    # --model NAME is --workdir runs/NAME; the reference comes from the cache this time
    by_model = run_evaluate(["--model=acgan", *common, "--out=m.json"], tmp_path)
    assert by_model.returncode == 0, by_model.stderr[-3000:]
    again = json.loads((tmp_path / "m.json").read_text())
    assert again["reference"]["cache_hit"] is True and again["results"]["fid"] == results["fid"]
    ckpt = tmp_path / "runs/acgan/checkpoints/ckpt-00000002.keras"
    by_file = run_evaluate([f"--checkpoint={ckpt}", *common, "--metrics=fid", "--out=c.json"], tmp_path)
    assert by_file.returncode == 0, by_file.stderr[-3000:]
    assert set(json.loads((tmp_path / "c.json").read_text())["results"]) == {"fid", "seconds"}


EVAL_BAD_INPUTS = [
    (["--workdir=nowhere"], "no checkpoints in nowhere/checkpoints"),
    ([], "give --workdir DIR, --model NAME or --checkpoint FILE.keras"),
    (["--model=nope"], "valid models: acgan, dcgan, gan, pix2pix, sagan, sngan, ssgan"),
    (["--checkpoint=missing.keras"], "is not a .keras file"),
    (["--workdir=w", "--extractor=vgg"], "valid: auto, mnist, fashion, inception"),
    (["--workdir=w", "--metrics=fid,nope"], "valid: fid, kid, is, pr, dc, class_consistency, parzen"),
    (["--workdir=w", "--split=valid"], "valid splits: train, test"),
    (["--workdir=w", "--num_samples=1"], "--num_samples must be at least 2"),
    (["--workdir=w", "--extractor=inception"], "does not download at run time"),
    (["--workdir=w", "--extractor=fid_inception"], "convert them once with `python tools/get_fid_inception.py`"),
    (["--workdir=w", "--dataset=/no/such/dir"], "does not exist"),
    (["--workdir=w", "--num_samples=abc"], "flag --num_samples=abc"),
]


@pytest.fixture(scope="module")
def trained_workdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("evalbad")
    train_tiny(root, "dcgan", "w")
    return root


@pytest.mark.parametrize("args, message", EVAL_BAD_INPUTS, ids=[" ".join(a) for a, _ in EVAL_BAD_INPUTS])
def test_evaluate_bad_input_one_line_exit_2_nothing_written(trained_workdir, args, message):
    before = sorted(os.listdir(trained_workdir / "w"))
    result = run_evaluate(args, trained_workdir,
                          env={features.INCEPTION_ENV: str(trained_workdir / "no-inception.h5")})
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, result.stderr[-2000:]
    assert len(lines) == 1 and lines[0].startswith("ganzoo.evaluate: error: "), result.stderr[-2000:]
    assert message in lines[0], lines[0]
    assert sorted(os.listdir(trained_workdir / "w")) == before  # no metrics.json


@pytest.mark.slow
def test_inception_extractor_shapes_with_local_weights(tmp_path):
    """With weights on disk (here random ones saved by Keras), pool features and logits."""
    import keras

    path = str(tmp_path / "inception_v3.weights.h5")
    keras.applications.InceptionV3(weights=None).save_weights(path)
    ext = features.get_extractor("inception", weights=path)
    feats, probs = ext(np.random.default_rng(0).uniform(-1, 1, (3, 28, 28, 1)).astype(np.float32))
    assert feats.shape == (3, 2048) and probs.shape == (3, 1000)
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-6)
    rgb, logits = ext(np.zeros((2, 64, 64, 3), np.float32), logits=True)
    assert rgb.shape == (2, 2048) and logits.shape == (2, 1000)
    _, probs = ext(np.zeros((2, 64, 64, 3), np.float32))
    np.testing.assert_allclose(probs, np.exp(logits) / np.exp(logits).sum(1, keepdims=True), rtol=1e-6)
