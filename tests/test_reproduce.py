"""Paper tables: PacGAN packing, the protocols' metrics against hand-computed or independent
references, and ``python -m ganzoo.reproduce`` (list, errors, resumable runs, quick tables)."""

import dataclasses
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

import ganzoo
from conftest import REPO
from ganzoo.metrics import diversity, parzen
from ganzoo.registry import get_model_class
from ganzoo.reproduce import TABLES, core


# -- packing -----------------------------------------------------------------------------------

def test_packing_concatenates_consecutive_examples_along_the_last_axis():
    model = ganzoo.build("dcgan", **dict(get_model_class("dcgan").tiny_args, pack=3))
    assert model.discriminator.input.shape[1:] == (16, 16, 3)  # 1 channel x 3
    images = np.random.default_rng(0).normal(size=(6, 16, 16, 1)).astype(np.float32)
    packed = model.pack_examples(images).numpy()
    expected = np.stack([np.concatenate(list(images[i:i + 3]), axis=-1) for i in (0, 3)])
    np.testing.assert_array_equal(packed, expected)
    points = ganzoo.build("gan", image_shape=(2,), latent_dim=2, g_units=(8,), d_units=(4,),
                          d_pieces=2, pack=2)
    xy = np.arange(8, dtype=np.float32).reshape(4, 2)
    np.testing.assert_array_equal(points.pack_examples(xy).numpy(), [[0, 1, 2, 3], [4, 5, 6, 7]])
    # each pack's output is given to each of its examples
    np.testing.assert_array_equal(points.unpack_outputs(tf.constant([[1.0], [2.0]])).numpy(),
                                  [[1], [1], [2], [2]])
    assert ganzoo.build("sngan", **get_model_class("sngan").tiny_args).pack == 1


def test_packed_discriminator_loss_is_the_mean_over_packs():
    model = ganzoo.build("gan", image_shape=(2,), latent_dim=2, g_units=(8,), d_units=(4,),
                         d_pieces=2, pack=2, seed=1)
    model.compile()
    rng = np.random.default_rng(1)
    real = rng.normal(size=(6, 2)).astype(np.float32)
    fake = rng.normal(size=(6, 2)).astype(np.float32)
    real_out = model.discriminate(real, None, training=False)
    fake_out = model.discriminate(fake, None, training=False)
    loss = float(model._reduce(model.discriminator_loss(real_out, fake_out, None, None), 6))
    # by hand: the discriminator on the 3 packs of each, the paper's loss averaged over packs
    logit_real = model.discriminator(real.reshape(3, 4)).numpy().ravel()
    logit_fake = model.discriminator(fake.reshape(3, 4)).numpy().ravel()
    softplus = lambda x: np.logaddexp(0.0, x)  # noqa: E731
    expected = np.mean(softplus(-logit_real) + softplus(logit_fake))
    np.testing.assert_allclose(loss, expected, rtol=1e-5)


def test_packing_refuses_conditional_paired_and_uneven_batches():
    with pytest.raises(ValueError, match="unconditional models.*num_classes=3"):
        ganzoo.build("acgan", **dict(get_model_class("acgan").tiny_args, num_classes=3, pack=2))
    with pytest.raises(ValueError, match="paired"):
        ganzoo.build("pix2pix", **dict(get_model_class("pix2pix").tiny_args, pack=2))
    with pytest.raises(ValueError, match="pack must be >= 1"):
        ganzoo.build("gan", **dict(get_model_class("gan").tiny_args, pack=0))
    model = ganzoo.build("gan", **dict(get_model_class("gan").tiny_args, pack=4))
    model.compile(d_steps=2)
    with pytest.raises(ValueError, match="multiple of 8 examples.*got a batch of 12"):
        model.train_step(tf.zeros((12, 8, 8, 1)))


def test_packing_round_trips_through_keras_files(tmp_path):
    import keras

    model = ganzoo.build("sngan", **dict(get_model_class("sngan").tiny_args, pack=2))
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.saving.load_model(path, compile=False)
    assert loaded.pack == 2 and loaded.discriminator.input.shape[-1] == 2


@pytest.mark.parametrize("table, inputs", [("stacked_mnist", 64), ("mode_collapse", 100)])
def test_packed_runs_give_the_discriminator_as_many_inputs_a_step_as_pacgans_code(table, inputs):
    """PacGAN's code feeds D the same number of inputs a step packed or not (64 on Stacked
    MNIST, 100 on the 2-D mixtures), so G draws m times as many samples: a packed run's batch
    is m times the unpacked one, never the same batch cut into fewer packs."""
    import importlib

    from ganzoo.run import default_config_path

    packs = set()
    for run in TABLES[table].runs(quick=False):
        args = run.args
        flags = dict(a[2:].split("=", 1) for a in args if a.startswith("--") and "=" in a)
        if "config.train.batch_size" in flags:
            batch = int(flags["config.train.batch_size"])
        else:  # the zoo config's own batch
            path = default_config_path(args[args.index("--model") + 1],
                                       args[args.index("--dataset") + 1])
            module = importlib.import_module("zoo_configs." + os.path.basename(path)[:-3])
            batch = module.get_config().train.batch_size
        pack = int(flags["config.arch.pack"])
        packs.add(pack)
        assert batch == inputs * pack, (run.name, batch, pack)
    assert packs >= {1, 2}


# -- Parzen: sigma chosen on a validation split -------------------------------------------------

def test_parzen_sigma_is_chosen_on_the_validation_split_not_the_test_split():
    rng = np.random.default_rng(0)
    samples = rng.normal(size=(50, 3))
    near = samples[:20] + 0.05 * rng.normal(size=(20, 3))  # wants a narrow window
    far = 3.0 * rng.normal(size=(20, 3))  # wants a wide one
    sigmas = (0.05, 0.2, 1.0, 3.0)

    def scipy_mean_ll(points, sigma):  # independent reference: an explicit Gaussian mixture
        dens = np.stack([multivariate_normal(s, sigma**2 * np.eye(3)).logpdf(points) for s in samples])
        return float(np.mean(logsumexp(dens, axis=0) - np.log(len(samples))))

    for validation in (near, far):
        chosen, scores = parzen.select_parzen_sigma(samples, validation, sigmas)
        reference = {s: scipy_mean_ll(validation, s) for s in sigmas}
        np.testing.assert_allclose([scores[s] for s in sigmas], [reference[s] for s in sigmas],
                                   rtol=1e-9)
        assert chosen == max(reference, key=reference.get)
    assert parzen.select_parzen_sigma(samples, near, sigmas)[0] < parzen.select_parzen_sigma(
        samples, far, sigmas)[0]
    mean, stderr = parzen.parzen_log_likelihood(samples, far, 1.0)
    values = [scipy_mean_ll(far[i:i + 1], 1.0) for i in range(len(far))]
    np.testing.assert_allclose([mean, stderr], [np.mean(values), np.std(values, ddof=1) / np.sqrt(20)],
                               rtol=1e-9)


def test_early_stopping_keeps_the_checkpoint_best_on_the_validation_digits(tmp_path, monkeypatch):
    from ganzoo import callbacks as cb
    from ganzoo.data import idx
    from ganzoo.data.sources import EMBEDDED_DIR
    from ganzoo.metrics.parzen import DEFAULT_SIGMAS

    table = TABLES["goodfellow_parzen"]
    root = tmp_path / "goodfellow_parzen_quick"
    digits, _ = idx.load_idx_split(EMBEDDED_DIR, "train")
    (root / "data").mkdir(parents=True)
    np.savez(root / "data" / "valid.npz", images=digits[-500:], labels=np.zeros(500, np.uint8))
    source = root / "long"
    (source / "checkpoints").mkdir(parents=True)
    (source / "reproduce_run.json").write_text(json.dumps({"key": "recipe"}))
    valid = digits[-500:].reshape(500, -1).astype(np.float64) / 255.0

    def reference_ll(model):  # an explicit Gaussian mixture on the validation digits, best sigma
        z = model.sample_latents(1000, seed=0)
        samples = (np.asarray(model.generate_from_latents(z)).reshape(1000, -1) + 1.0) / 2.0
        squared = ((valid[:, None, :] - samples[None]) ** 2).sum(-1)
        return max(np.mean(logsumexp(-squared / (2 * s * s), axis=1) - np.log(1000)
                            - 392 * np.log(2 * np.pi * s * s)) for s in DEFAULT_SIGMAS)

    expected = {}
    for step, seed in ((10, 0), (20, 1), (30, 2)):  # three "checkpoints": different weights
        model = ganzoo.build("gan", g_units=(16,), d_units=(8,), d_pieces=2, seed=seed)
        model.step.assign(step)
        model.save(str(source / "checkpoints" / cb.CHECKPOINT_PATTERN.format(step=step)))
        expected[step] = reference_ll(model)
    run = next(r for r in table.runs(quick=True) if r.row.get("checkpoint") == "validation")
    model, chosen = table._chosen_on_validation(run, str(source), quick=True)
    np.testing.assert_allclose([chosen["validation_by_step"][str(k)] for k in (10, 20, 30)],
                               [expected[k] for k in (10, 20, 30)], rtol=1e-9)
    best = max(expected, key=expected.get)
    assert chosen["checkpoint_step"] == best and int(model.step.numpy()) == best
    # cached beside the checkpoints under the run's key: no checkpoint is scored twice, and
    # the training curve reads the test figure from the same cache
    monkeypatch.setattr(table, "_parzen", lambda *a: pytest.fail("scored again"))
    assert table._chosen_on_validation(run, str(source), quick=True)[1] == chosen
    cached = json.loads((source / "checkpoint_scores.json").read_text())
    assert cached["key"] == "recipe" and sorted(cached["steps"]) == ["10", "20", "30"]
    assert table.checkpoint_metric(run, str(source), model, True) == cached["steps"][str(best)][
        "test_ll"]


# -- MS-SSIM ------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape,settings", [
    ((3, 180, 180, 3), {}),  # the standard 5 scales, 11-pixel window
    ((4, 28, 28, 1), diversity.MNIST_SETTINGS),
    ((2, 45, 27, 2), {"power_factors": (0.2, 0.3, 0.5), "filter_size": 5}),  # odd sizes: padding
])
def test_ms_ssim_matches_tensorflow(shape, settings):
    rng = np.random.default_rng(len(shape) + shape[1])
    x = rng.uniform(0, 1, shape)
    y = np.clip(0.6 * x + 0.2 + rng.normal(0, 0.15, shape), 0, 1)
    ours = diversity.ms_ssim(x, y, 1.0, **settings)
    theirs = tf.image.ssim_multiscale(tf.constant(x, tf.float32), tf.constant(y, tf.float32), 1.0,
                                      **settings).numpy()
    np.testing.assert_allclose(ours, theirs, atol=2e-5)
    np.testing.assert_allclose(diversity.ms_ssim(x, x, 1.0, **settings), 1.0, atol=1e-9)


def test_ms_ssim_refuses_images_too_small_for_its_scales():
    with pytest.raises(ValueError, match="too small for 5 scales.*MNIST_SETTINGS"):
        diversity.ms_ssim(np.zeros((1, 28, 28, 1)), np.zeros((1, 28, 28, 1)))


def test_class_diversity_pairs_distinct_members_of_each_class():
    rng = np.random.default_rng(0)
    noise = rng.uniform(-1, 1, (10, 28, 28, 1))
    collapsed = np.repeat(noise[:1], 10, axis=0)  # class 1: ten copies of one image
    images = np.concatenate([noise, collapsed])
    labels = np.repeat([0, 1], 10)
    out = diversity.class_diversity(images, labels, num_pairs=50, seed=0, **diversity.MNIST_SETTINGS)
    assert out[1][0] == pytest.approx(1.0) and out[1][1] == pytest.approx(0.0)
    assert out[0][0] < 0.2  # independent noise images: far from identical; never self-pairs
    with pytest.raises(ValueError, match="class 2 has 1 image"):
        diversity.class_diversity(images[:3], [0, 0, 2], **diversity.MNIST_SETTINGS)


# -- Stacked MNIST ------------------------------------------------------------------------------

def test_stacked_mnist_mode_counting_by_hand():
    from ganzoo.metrics import stacked_mnist_modes

    out = stacked_mnist_modes([[1, 2, 3], [1, 2, 3], [0, 0, 7]])
    assert out["modes_captured"] == 2 and out["num_modes"] == 1000
    assert out["counts"][123] == 2 and out["counts"][7] == 1 and sum(out["counts"]) == 3
    p = np.array([2 / 3, 1 / 3])
    assert out["kl"] == pytest.approx(float(np.sum(p * np.log(p / (1 / 1000)))))
    even = stacked_mnist_modes([[i // 100, i // 10 % 10, i % 10] for i in range(1000)])
    assert even["modes_captured"] == 1000 and even["kl"] == pytest.approx(0.0, abs=1e-12)
    assert stacked_mnist_modes([[4, 4, 4]] * 5)["kl"] == pytest.approx(np.log(1000))
    with pytest.raises(ValueError, match="0..9"):
        stacked_mnist_modes([[1, 2, 10]])


def test_stacked_mnist_data_and_the_classifier_reading_its_channels():
    from ganzoo import data
    from ganzoo.evaluation import source_arrays
    from ganzoo.reproduce.stacked_mnist import read_digits

    source = data.load("stacked_mnist", "test")
    assert source.element_shape == (28, 28, 3) and source.num_classes == 1000
    images, labels = source_arrays(source, 500)
    again, _ = source_arrays(data.load("stacked_mnist", "test"), 500)
    np.testing.assert_array_equal(images, again)  # a fixed draw
    digits_test, digit_labels = data.idx.load_idx_split(data.sources.EMBEDDED_DIR, "test")
    # each channel is a real test digit of the digit the label spells
    scaled = digits_test.astype(np.float32) / 127.5 - 1.0
    for k, digit in enumerate([labels[0] // 100, labels[0] // 10 % 10, labels[0] % 10]):
        gaps = np.abs(scaled - images[0, ..., k:k + 1]).max(axis=(1, 2, 3))
        assert gaps.min() < 1e-5 and digit_labels[gaps.argmin()] == digit
    digits = read_digits(images)
    truth = np.stack([labels // 100, labels // 10 % 10, labels % 10], axis=1)
    assert np.mean(np.all(digits == truth, axis=1)) > 0.95
    assert len(np.unique(labels)) > 350  # 500 draws over 1,000 modes


# -- semi-supervised MNIST ----------------------------------------------------------------------

def test_semi_supervised_d_loss_is_the_papers_k_plus_1_class_likelihood():
    from ganzoo.models.ssgan import semi_supervised_d_loss

    rng = np.random.default_rng(0)
    unl, fake, lab = rng.normal(size=(5, 4)), rng.normal(size=(5, 4)), rng.normal(size=(3, 4))
    labels = np.array([0, 3, 1])
    unsupervised, supervised = semi_supervised_d_loss(unl, fake, lab, labels, 0.5)
    # by hand from the paper's definitions: K real classes plus "generated" with logit 0
    z_unl, z_fake = np.exp(unl).sum(1), np.exp(fake).sum(1)
    d_unl, d_fake = z_unl / (z_unl + 1), z_fake / (z_fake + 1)
    np.testing.assert_allclose(unsupervised, 0.5 * (-np.log(d_unl) - np.log(1 - d_fake)), rtol=1e-6)
    p_lab = np.exp(lab) / np.exp(lab).sum(1, keepdims=True)  # p(y | x, y < K+1)
    np.testing.assert_allclose(supervised, -np.log(p_lab[np.arange(3), labels]), rtol=1e-6)
    assert semi_supervised_d_loss(unl, fake)[1] is None


def test_ssgan_classifies_with_the_running_average_of_its_discriminator(tmp_path):
    import ganzoo
    import keras

    model = ganzoo.build("ssgan", image_shape=(8, 8, 1), latent_dim=4, num_classes=3,
                         g_units=(16,), d_units=(16, 8), d_average=0.9)
    model.compile()
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (6, 8, 8, 1)).astype(np.float32)
    y = np.array([0, 1, 2, 0, 1, 2])
    weights = lambda: [np.array(w) for w in model.discriminator.trainable_weights]  # noqa: E731
    expected = weights()
    for t in range(4):  # shadow <- d shadow + (1 - d) w, d = min(0.9, (1 + t) / (10 + t))
        model.train_step((x, y, x))
        d = min(0.9, (1 + t) / (10 + t))
        expected = [d * a + (1 - d) * w for a, w in zip(expected, weights())]
    for shadow, want in zip(model.d_average_weights, expected):
        np.testing.assert_allclose(np.array(shadow), want, rtol=1e-5, atol=1e-6)
    assert not np.allclose(expected[0], weights()[0])  # the average is not the live D
    images = rng.uniform(-1, 1, (200, 8, 8, 1)).astype(np.float32)
    averaged = model.classify(images)
    live = model.classify(images, use_average=False)
    # the averaged classes are the live network's once its weights are set to the averages
    path = str(tmp_path / "m.keras")
    model.save(path)
    for w, want in zip(model.discriminator.trainable_weights, expected):
        w.assign(want)
    np.testing.assert_array_equal(model.classify(images, use_average=False), averaged)
    # a saved model keeps the averages and classifies with them
    loaded = keras.saving.load_model(path, compile=False)
    np.testing.assert_array_equal(loaded.classify(images), averaged)
    np.testing.assert_array_equal(loaded.classify(images, use_average=False), live)


def test_classification_errors_are_counted_on_the_split():
    from ganzoo.evaluation import Evaluator, source_arrays

    evaluator = Evaluator("mnist", "test", num_samples=50, metrics="fid")
    _, truth = source_arrays(evaluator.source, 50)

    class Wrong7:  # a classifier that gets exactly the rows 0, 7, 14, ... wrong
        def classify(self, images):
            assert len(images) == 50
            out = truth.copy()
            out[::7] = (out[::7] + 1) % 10
            return out

    out = evaluator.classification(Wrong7())
    assert out["classification_errors"] == 8 and out["classification_accuracy"] == pytest.approx(42 / 50)


def test_labelled_draws_and_semi_supervised_batches():
    from ganzoo import data

    labels = np.repeat(np.arange(10), 30)
    draw = data.labelled_subset(labels, 10, seed=0)
    assert len(draw) == 100 and np.all(np.bincount(labels[draw]) == 10)
    np.testing.assert_array_equal(draw, data.labelled_subset(labels, 10, seed=0))
    assert not np.array_equal(draw, data.labelled_subset(labels, 10, seed=1))
    with pytest.raises(ValueError, match="class 0 has 30 examples; 31 asked for"):
        data.labelled_subset(labels, 31)

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (300, 4, 4, 1)).astype(np.uint8)
    images[:, 0, 0, 0] = np.arange(300) % 256  # recognisable rows
    images[:, 0, 1, 0] = np.arange(300) // 256
    source = data.from_arrays(images, labels)
    batches = list(data.semi_supervised_pipeline(source, 50, 20, label_seed=3).take(6))
    chosen = set(data.labelled_subset(labels, 2, seed=3).tolist())
    row = lambda x: int(round((x[0, 0, 0] + 1) * 127.5)) + 256 * int(round((x[0, 1, 0] + 1) * 127.5))  # noqa: E731
    seen_labelled, seen_unlabelled = [], []
    for x_lab, y_lab, x_unl in batches:
        assert x_lab.shape == (50, 4, 4, 1) and x_unl.shape == (50, 4, 4, 1)
        for x, y in zip(x_lab.numpy(), y_lab.numpy()):
            index = row(x)
            assert index in chosen and labels[index] == y  # only the draw, with its labels
            seen_labelled.append(index)
        seen_unlabelled += [row(x) for x in x_unl.numpy()]
    # 300 labelled rows: every drawn example 15 times; 300 unlabelled rows: one pass over all
    assert sorted(np.bincount(seen_labelled)[sorted(chosen)]) == [15] * 20
    assert sorted(seen_unlabelled) == list(range(300))
    with pytest.raises(ValueError, match="multiple of the 10 classes"):
        data.semi_supervised_pipeline(source, 50, 25)


# -- the command line ---------------------------------------------------------------------------

def _reproduce(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "ganzoo.reproduce", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=900)


def test_list_names_every_table_with_its_time_and_bad_names_fail_in_one_line():
    import ast

    # --help names every table (read from the file: importing the CLI would define its absl
    # flags a second time in this process)
    path = os.path.join(REPO, "ganzoo", "reproduce", "__main__.py")
    with open(path) as f:
        doc = ast.get_docstring(ast.parse(f.read()))
    assert all(name in doc for name in TABLES)
    listed = _reproduce("--list")
    assert listed.returncode == 0
    for name, table in TABLES.items():
        assert name in listed.stdout and f"about {table.minutes:.0f} min" in listed.stdout
        if table.paper_steps:
            assert f"the papers': --steps {table.paper_steps} " in listed.stdout
        if table.paper_steps_note:
            assert table.paper_steps_note in listed.stdout
    for args, message in [(["mode_colapse"], "did you mean mode_collapse?"),
                          ([], "give one table"),
                          (["acgan", "--mnist_dir", "/nonexistent"], "is not a folder"),
                          (["acgan", "--steps", "100"], "acgan has no single training budget"),
                          (["ssgan", "--steps", "0"], "--steps must be a positive integer"),
                          (["ssgan", "--steps", "10", "--quick"], "exclude each other"),
                          (["acgan", "--runs", "x", "--report_only"], "give one or the other")]:
        bad = _reproduce(*args)
        assert bad.returncode == 2
        lines = bad.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0] and lines[0].startswith("ganzoo.reproduce: error:")


class _TinyTable(core.Table):
    """A one-run table on the 2-D ring, to watch the machinery (not a paper's protocol)."""

    name = "tiny"
    title = "tiny"
    paper = goal = "-"
    minutes = quick_minutes = 0.1

    def __init__(self, steps, lr="1e-3"):
        self.steps, self.lr = steps, lr
        self.scored = 0

    def prepare(self, root, quick):
        pass

    def runs(self, quick):
        from ganzoo.reproduce import Run

        args = ["--model", "gan", "--dataset", "ring8", "--config.arch.g_units=(8,)",
                "--config.arch.d_units=(4,)", f"--config.train.lr_g={self.lr}",
                f"--steps={self.steps}", "--config.log.checkpoint_every=10",
                "--config.log.sample_every=1000", "--config.data.toy_size=1000"]
        return [Run("r", args, {"x": 1}, steps=self.steps)]

    def score(self, run, workdir, quick):
        from ganzoo.reproduce import core

        self.scored += 1
        return {"step": int(core.load_run_model(workdir).step.numpy())}

    def report(self, results, quick, figures):
        return f"steps {results[0][2]['step']}\n"


def test_reproduce_resumes_skips_finished_runs_and_refuses_a_changed_recipe(tmp_path, monkeypatch):
    from ganzoo.reproduce import ReproduceError, reproduce

    monkeypatch.chdir(REPO)
    lines = []
    # a run stopped at step 10 of 20 (as a kill would leave it) ...
    first = reproduce(_TinyTable(10), str(tmp_path), str(tmp_path / "out"), log=lines.append)
    assert open(first).read().endswith("steps 10\n")
    os.remove(tmp_path / "tiny" / "r" / "score.json")
    table = _TinyTable(20)
    table.runs = lambda quick, t=table: [r for r in _TinyTable.runs(t, quick)]
    # ... continues from its checkpoint: one training process, which starts at step 10
    # (the recipe's key includes the steps, so the spec file is rewritten for the new key)
    spec = tmp_path / "tiny" / "r" / "reproduce_run.json"
    spec.write_text(json.dumps({"key": table.runs(False)[0].key(), "command": "-"}))
    lines.clear()
    path = reproduce(table, str(tmp_path), str(tmp_path / "out"), log=lines.append)
    assert "training 20 steps (resuming at step 10)" in lines[0]
    assert open(path).read().endswith("steps 20\n") and table.scored == 1
    log = (tmp_path / "tiny" / "r" / "train.log").read_text()
    assert "resum" in log.lower()
    # finished and scored: the second call trains nothing and scores nothing
    lines.clear()
    reproduce(table, str(tmp_path), str(tmp_path / "out"), log=lines.append)
    assert lines == ["[1/1] r: done"] and table.scored == 1
    # --report_only: the finished runs, marked partial; nothing trained
    table.runs = lambda quick, t=table: _TinyTable.runs(t, quick) + [
        dataclasses.replace(_TinyTable.runs(t, quick)[0], name="never")]
    lines.clear()
    partial = reproduce(table, str(tmp_path), str(tmp_path / "out"), log=lines.append,
                        report_only=True)
    assert "**Partial report**: 1 of 2 runs finished" in open(partial).read()
    assert lines[-1] == "[2/2] never: not finished (left out of the report)"
    assert not (tmp_path / "tiny" / "never").exists()
    with pytest.raises(ReproduceError, match="no run of tiny has finished yet"):
        reproduce(table, str(tmp_path / "empty"), str(tmp_path / "no_records"), report_only=True)
    # the same folder with another recipe is refused, not silently reused
    os.remove(tmp_path / "tiny" / "r" / "score.json")
    with pytest.raises(ReproduceError, match="holds a run of another recipe"):
        reproduce(_TinyTable(30, lr="5e-4"), str(tmp_path), str(tmp_path / "out"), log=lines.append)


class _TwoRunTable(_TinyTable):
    """Two trained runs and a row derived from the second (as a temperature row is)."""

    def runs(self, quick):
        from ganzoo.reproduce import Run

        (base,) = _TinyTable.runs(self, quick)
        return [dataclasses.replace(base, name="a"),
                dataclasses.replace(base, name="b", args=base.args + ["--seed=1"], seed=1),
                Run("b_late", [], {"from": "b"}, note="b's generator, scored again")]

    def score(self, run, workdir, quick):
        source = os.path.join(os.path.dirname(workdir), run.row["from"]) if run.row.get(
            "from") else workdir
        return {"step": int(core.load_run_model(source).step.numpy())}


def test_runs_trains_and_scores_only_the_named_runs_and_their_sources(tmp_path, monkeypatch):
    from ganzoo.reproduce import ReproduceError, reproduce

    monkeypatch.chdir(REPO)
    lines = []
    table = _TwoRunTable(10)
    out = str(tmp_path / "out")
    # the derived row trains the run it samples, first; `a` is left alone; no report yet
    assert reproduce(table, str(tmp_path), out, log=lines.append, only=["b_late"]) is None
    assert not (tmp_path / "tiny" / "a").exists()
    for name in ("b", "b_late"):
        assert json.loads((tmp_path / "tiny" / name / "score.json").read_text())["score"] == {
            "step": 10}
    assert "[1/3] a: not finished (not in --runs)" in lines
    assert lines[-1] == "report not written: 2 of 3 runs scored; without --runs the table " \
                        "trains the rest and writes it"
    # no report; the scored runs' records are kept beside where it will be
    assert not os.path.exists(os.path.join(out, "tiny.md"))
    assert sorted(os.listdir(os.path.join(out, "tiny", "results"))) == ["b", "b_late"]
    # the whole table then trains only what is missing and writes the report
    lines.clear()
    assert reproduce(table, str(tmp_path), out, log=lines.append).endswith("tiny.md")
    assert [line for line in lines if "training" in line] == [
        "[1/3] a: training 10 steps (from scratch)"]
    with pytest.raises(ReproduceError, match="no run 'c', 'd' in this table; its runs: a, b, "
                                             "b_late"):
        reproduce(table, str(tmp_path), out, only=["c", "b", "d"])


def test_runs_that_complete_the_table_draw_every_runs_curve(tmp_path, monkeypatch):
    """--runs naming the last runs a table lacks writes its report: the training curve has
    every trained run's line, not only those of the runs just named."""
    from ganzoo.reproduce import core, reproduce

    monkeypatch.chdir(REPO)
    table = _TwoRunTable(10)
    table.curve = ("the step", "linear")
    table.checkpoint_metric = lambda run, workdir, model, quick: float(model.step.numpy())
    drawn = []
    section = core.curve_section
    monkeypatch.setattr(core, "curve_section", lambda t, curves, figures: (
        drawn.append([(run.name, points) for run, points in curves]),
        section(t, curves, figures))[1])
    out = str(tmp_path / "out")
    assert reproduce(table, str(tmp_path), out, log=lambda line: None, only=["a"]) is None
    path = reproduce(table, str(tmp_path), out, log=lambda line: None, only=["b_late"])
    assert path.endswith("tiny.md") and "## Training curve" in open(path).read()
    assert drawn == [[("a", [(10, 10.0)]), ("b", [(10, 10.0)])]]


class _RecordedTable(_TwoRunTable):
    """_TwoRunTable whose report reads an array each scored run saved (as the tables' sample
    grids are) and draws a training curve."""

    artifacts = ("grid.npy",)
    curve = ("a tenth of the step", "linear")

    def __init__(self, steps, data=""):
        super().__init__(steps)
        self.data, self.checkpoints_scored = data, 0

    def data_digest(self, root):
        return self.data

    def score(self, run, workdir, quick):
        out = _TwoRunTable.score(self, run, workdir, quick)
        rng = np.random.default_rng(len(run.name))
        np.save(os.path.join(workdir, "grid.npy"), rng.standard_normal((3, 4)).astype(np.float32))
        return out

    def checkpoint_metric(self, run, workdir, model, quick):
        self.checkpoints_scored += 1
        return float(model.step.numpy()) / 10

    def report(self, results, quick, figures):
        return "".join(f"{run.name}: step {score['step']}, grid sum "
                       f"{np.load(os.path.join(workdir, 'grid.npy')).sum():.7f}\n"
                       for run, workdir, score, _ in results)


def test_records_beside_the_report_rewrite_it_and_continue_the_table_elsewhere(tmp_path,
                                                                             monkeypatch):
    from ganzoo.reproduce import ReproduceError, reproduce

    monkeypatch.chdir(REPO)
    out = tmp_path / "out"
    records = out / "tiny" / "results"
    first = open(reproduce(_RecordedTable(10), str(tmp_path / "a"), str(out),
                           log=lambda line: None)).read()
    assert sorted(os.listdir(records)) == ["a", "b", "b_late"]
    assert (records / "a" / "grid.npz").exists() and not (records / "a" / "grid.npy").exists()
    stamp = (records / "a" / "grid.npz").stat().st_mtime_ns
    # a machine that never trained the runs: nothing trained or scored, the same figures, the
    # arrays back bit for bit, the curve drawn without a checkpoint
    table, lines = _RecordedTable(10), []
    second = open(reproduce(table, str(tmp_path / "b"), str(out), log=lines.append)).read()
    assert lines == [f"[{i}/3] {name}: done (its record read from {records})"
                     for i, name in enumerate(["a", "b", "b_late"], 1)]
    assert table.checkpoints_scored == 0
    assert second.count("grid sum") == 3
    assert first[first.index("a: step 10"):] == second[second.index("a: step 10"):]
    assert "3 of the 3 runs were trained and scored earlier" in second
    assert "runs were trained and scored earlier" not in first
    assert "## Training curve" in second and not (tmp_path / "b" / "tiny" / "a" / "checkpoints").exists()
    for name in ("a", "b"):
        old = np.load(tmp_path / "a" / "tiny" / name / "grid.npy")
        new = np.load(tmp_path / "b" / "tiny" / name / "grid.npy")
        assert new.dtype == np.float32 and np.array_equal(old, new)
    assert (records / "a" / "grid.npz").stat().st_mtime_ns == stamp  # unchanged: not rewritten
    # a record of another recipe, or of other data, or cut short, is not used
    changed = _RecordedTable(10)
    changed.runs = lambda quick: [dataclasses.replace(r, args=r.args + ["--seed=2"])
                                  if r.name == "a" else r for r in _RecordedTable.runs(changed, quick)]
    lines.clear()
    assert reproduce(changed, str(tmp_path / "c"), str(out), log=lines.append,
                     only=["b_late"]) is None
    assert lines[0] == "[1/3] a: not finished (not in --runs)"
    assert not (tmp_path / "c" / "tiny" / "a").exists()
    with pytest.raises(ReproduceError, match="no run of tiny has finished yet"):
        reproduce(_RecordedTable(10, data="other digits"), str(tmp_path / "d"), str(out),
                  report_only=True, log=lambda line: None)
    os.remove(records / "b" / "record.json")
    # a folder holding a run of another recipe is left as it is
    (tmp_path / "e" / "tiny" / "a").mkdir(parents=True)
    (tmp_path / "e" / "tiny" / "a" / "reproduce_run.json").write_text('{"key": "other"}')
    partial = open(reproduce(_RecordedTable(10), str(tmp_path / "e"), str(out),
                             report_only=True, log=lambda line: None)).read()
    assert "**Partial report**: 1 of 3 runs finished" in partial and "b_late: step 10" in partial
    assert sorted(os.listdir(tmp_path / "e" / "tiny" / "a")) == ["reproduce_run.json"]
    # the record of a run the table no longer has goes when the whole table's report is written
    fewer = _RecordedTable(10)
    fewer.runs = lambda quick: _RecordedTable.runs(fewer, quick)[:1]
    reproduce(fewer, str(tmp_path / "a"), str(out), log=lambda line: None)
    assert sorted(os.listdir(records)) == ["a"]


def test_a_scored_run_keeps_its_record_when_a_later_run_of_the_table_fails(tmp_path,
                                                                          monkeypatch):
    from ganzoo.reproduce import ReproduceError, reproduce

    monkeypatch.chdir(REPO)
    out = tmp_path / "out"
    records = out / "tiny" / "results"
    broken = _RecordedTable(10)
    # `b` fails as a training run can (a bad flag: ganzoo.run exits 2 before training)
    broken.runs = lambda quick: [dataclasses.replace(r, args=r.args + ["--config.train.lr_g=-1"])
                                 if r.name == "b" else r
                                 for r in _RecordedTable.runs(broken, quick)]
    with pytest.raises(ReproduceError, match="training b failed"):
        reproduce(broken, str(tmp_path / "a"), str(out), log=lambda line: None)
    # `a`, scored before `b` failed, has its whole record (its curve too); `b` has none
    assert sorted(os.listdir(records)) == ["a"]
    assert sorted(os.listdir(records / "a")) == [
        "curve.json", "grid.npz", "record.json", "reproduce_run.json", "reproduce_time.json",
        "score.json"]
    # a run scored in its folder earlier (its record since lost) gets its record back at once
    # too, before the failing run
    import shutil

    shutil.rmtree(records)
    with pytest.raises(ReproduceError, match="training b failed"):
        reproduce(broken, str(tmp_path / "a"), str(out), log=lambda line: None)
    assert sorted(os.listdir(records)) == ["a"] and (records / "a" / "curve.json").exists()
    # and another machine continues from it: `a` read from its record, the rest trained
    lines = []
    fixed = _RecordedTable(10)
    reproduce(fixed, str(tmp_path / "b"), str(out), log=lines.append)
    assert lines[0] == f"[1/3] a: done (its record read from {records})"
    assert [line for line in lines if "training" in line] == [
        "[2/3] b: training 10 steps (from scratch)"]
    assert fixed.checkpoints_scored == 1  # b's one checkpoint; a's curve came with its record
    # a record rewritten for another recipe is never valid while its files are replaced: the
    # old marker goes first, the new one comes last
    changed = _RecordedTable(10)
    changed.runs = lambda quick: [dataclasses.replace(r, args=r.args + ["--seed=2"])
                                  if r.name == "a" else r
                                  for r in _RecordedTable.runs(changed, quick)]
    written = []
    real_write = core.write_record

    def watch(table, run, workdir, folder, data=""):
        if run.name == "a":
            marker = records / "a" / core.RECORD
            written.append(json.loads(marker.read_text())["key"] if marker.exists() else None)
        return real_write(table, run, workdir, folder, data)

    removed = []
    real_remove = os.remove
    monkeypatch.setattr(core, "write_record", watch)
    monkeypatch.setattr(core.os, "remove",
                        lambda path: (removed.append(os.path.basename(path)), real_remove(path)))
    reproduce(changed, str(tmp_path / "c"), str(out), log=lambda line: None, only=["a"])
    new_key = changed.runs(False)[0].key()
    assert written[0] == fixed.runs(False)[0].key() != new_key
    assert core.RECORD in removed
    assert json.loads((records / "a" / core.RECORD).read_text())["key"] == new_key


def test_ssgan_records_name_the_digits_not_where_this_machine_keeps_them(tmp_path):
    """The ssgan table's runs read --mnist_dir's IDX files: their keys hold a placeholder, their
    commands the folder, and the table's data digest the digits and labels themselves."""
    import gzip
    import importlib

    from ganzoo.data.sources import EMBEDDED_DIR

    module = importlib.import_module(TABLES["ssgan"].__module__)
    tables = {}
    for name in ("here", "there", "relabelled"):
        folder = tmp_path / name
        folder.mkdir()
        for stem in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"):
            os.symlink(os.path.join(EMBEDDED_DIR, stem), folder / stem)
        tables[name] = getattr(module, type(TABLES["ssgan"]).__name__)()
        tables[name].mnist_dir = str(folder)
    # one label changed: the same images, other labels
    labels_path = tmp_path / "relabelled" / "train-labels-idx1-ubyte.gz"
    with gzip.open(labels_path) as f:
        content = bytearray(f.read())
    os.remove(labels_path)
    content[8] = (content[8] + 1) % 10
    with gzip.open(labels_path, "wb") as f:
        f.write(bytes(content))
    here, there = tables["here"].runs(False), tables["there"].runs(False)
    assert [r.key() for r in here] == [r.key() for r in there]
    for run, folder in ((here[0], "here"), (there[0], "there")):
        assert f"idx:{tmp_path / folder}" in run.command(str(tmp_path / "w" / "ssgan" / run.name))
        assert f"idx:{tmp_path / folder}" in run.expanded_args("unused")
    digests = {name: table.data_digest("unused") for name, table in tables.items()}
    assert digests["here"] == digests["there"] != digests["relabelled"]
    assert len(set(digests.values())) == 2 and all(digests.values())
    # without --mnist_dir: the embedded digits, named by the dataset itself
    default = getattr(module, type(TABLES["ssgan"]).__name__)()
    assert default.data_digest("unused") == "" and "mnist" in default.runs(False)[0].args


def test_training_curve_scores_every_kept_checkpoint_once(tmp_path, monkeypatch):
    from ganzoo.reproduce import reproduce

    monkeypatch.chdir(REPO)
    table = _TinyTable(30)
    table.curve = ("the model's step", "linear")
    seen = []

    def metric(run, workdir, model, quick):
        seen.append(int(model.step.numpy()))
        return 2 * seen[-1]

    table.checkpoint_metric = metric
    table.curve_panel = lambda run: "ring8"
    table.curve_goal = {"ring8": 45.0}  # a dotted line across the panel
    table.curve_label = lambda run: run.name
    lines = []
    path = reproduce(table, str(tmp_path), str(tmp_path / "out"), log=lines.append)
    # checkpoints at steps 10, 20, 30, each loaded and scored once, the values cached by step
    assert sorted(seen) == [10, 20, 30]
    curve = json.loads((tmp_path / "tiny" / "r" / "curve.json").read_text())
    assert {int(k): v for k, v in curve["points"].items()} == {10: 20.0, 20: 40.0, 30: 60.0}
    text = open(path).read()
    assert "## Training curve" in text and "The model's step at every kept checkpoint" in text
    assert "the dotted line: the goal" in text
    assert (tmp_path / "out" / "tiny" / "training_curve.png").stat().st_size > 1000
    # a second call scores no checkpoint again; a checkpoint gone from the folder stays cached
    os.remove(tmp_path / "tiny" / "r" / "checkpoints" / "ckpt-00000010.keras")
    reproduce(table, str(tmp_path), str(tmp_path / "out"), log=lines.append)
    assert sorted(seen) == [10, 20, 30]
    # a curve cached under another recipe's key is recomputed, not reused
    curve["key"] = "other"
    (tmp_path / "tiny" / "r" / "curve.json").write_text(json.dumps(curve))
    reproduce(table, str(tmp_path), str(tmp_path / "out"), log=lines.append)
    assert sorted(seen) == [10, 20, 20, 30, 30]


@pytest.mark.slow
@pytest.mark.parametrize("table", list(TABLES))
def test_quick_tables_end_to_end(tmp_path, table):
    result = _reproduce(table, "--quick", "--workdir", str(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    report = (tmp_path / "reports" / f"{table}_quick.md").read_text()
    assert "(quick version)" in report and "## Commands" in report
    for picture in report.split("](")[1:]:
        assert (tmp_path / "reports" / picture.split(")")[0]).stat().st_size > 1000
    assert ("## Training curve" in report) == (TABLES[table].curve is not None)
    if table == "acgan":
        # the curve's last point is the row's own figure: the same samples of the same model
        for name in ("acgan_decay", "acgan_real_classes"):
            folder = tmp_path / "acgan_quick" / name
            points = json.loads((folder / "curve.json").read_text())["points"]
            score = json.loads((folder / "score.json").read_text())["score"]
            assert len(points) == 5  # every checkpoint kept
            assert points[max(points, key=int)] == pytest.approx(score["min_class"])
    again = _reproduce(table, "--quick", "--workdir", str(tmp_path))  # resumed: nothing to do
    assert again.returncode == 0 and "training" not in again.stdout


def test_steps_gives_every_run_the_budget_in_a_folder_and_report_of_its_own(tmp_path, monkeypatch):
    """--steps N (the papers' budget, say): each training run's command trains N steps (the
    grid's learning-rate decay starts at N/2, the ssgan checkpoints stay at most 50), the runs'
    keys differ from the default budget's, and the runs and report go to TABLE_<N>steps."""
    import importlib

    from ganzoo.reproduce import reproduce

    for name in ("mode_collapse", "ssgan", "stacked_mnist"):
        module = importlib.import_module(TABLES[name].__module__)
        default = getattr(module, type(TABLES[name]).__name__)()
        table = getattr(module, type(TABLES[name]).__name__)()
        table.set_steps(180_000)
        assert table.folder_name(False) == f"{name}_180000steps" and default.budget == 0
        assert table.minutes == pytest.approx(default.minutes * 180_000 / default.mean_steps())
        old_runs, new_runs = default.runs(False), table.runs(False)
        assert [r.name for r in new_runs] == [r.name for r in old_runs]
        for old, new in zip(old_runs, new_runs):
            assert new.steps == 180_000 and "--steps=180000" in new.args
            assert new.key() != old.key()
            if name == "mode_collapse":
                assert "--config.train.lr_decay_start=90000" in new.args
                # PacGAN's linear G on the papers' coordinates: ring8 x 2.5, grid25 x 5
                scale = 2.5 if new.row["dataset"] == "ring8" else 5
                assert f"--config.arch.linear_scale={scale:g}" in new.args
            if name == "ssgan":
                assert "--config.log.checkpoint_every=3600" in new.args
                assert "--config.log.checkpoint_every=1000" in old.args
    # the machinery: folder and report named after the budget, the command in the header
    monkeypatch.chdir(REPO)
    table = _TinyTable(10)
    table.set_steps(12)
    path = reproduce(table, str(tmp_path), str(tmp_path / "out"), log=lambda line: None)
    assert path == str(tmp_path / "out" / "tiny_12steps.md")
    assert (tmp_path / "tiny_12steps" / "r" / "score.json").exists()
    text = open(path).read()
    assert "`python -m ganzoo.reproduce tiny --steps 12`" in text and text.endswith("steps 12\n")


def test_curve_styles_draw_no_two_labels_alike():
    from ganzoo.reproduce.core import curve_styles

    for n in (1, 10, 13, 50):
        styles = curve_styles([f"run{i}" for i in range(n)])
        drawn = {(s["color"], s["marker"], s["ls"]) for s in styles.values()}
        assert len(styles) == len(drawn) == n
    # the first ten keep matplotlib's default colours in order, round markers, solid lines
    first = curve_styles([f"run{i}" for i in range(13)])
    assert [first[f"run{i}"]["color"] for i in range(10)] == [f"C{i}" for i in range(10)]
    assert first["run10"] == {"color": "C0", "marker": "s", "ls": "--"}


def test_mode_collapse_report_counts_modes_by_both_rules(tmp_path):
    """The grid's row: modes with >= 20 of 2,500 high-quality samples (the goal's rule) and modes
    with any sample (PacGAN's released code), mean ± std over seeds, from hand-made counts."""
    from ganzoo.reproduce.mode_collapse import ModeCollapse

    table = ModeCollapse()
    runs = [r for r in table.runs(False) if r.name in ("grid25_pack1_seed0", "grid25_pack1_seed1")]
    results = []
    for run, counts in zip(runs, ([100] * 20 + [19, 1, 0, 0, 0], [100] * 10 + [5] * 5 + [0] * 10)):
        workdir = tmp_path / run.name
        workdir.mkdir()
        np.save(workdir / "points.npy", np.zeros((10, 2), np.float32))
        score = {"modes_captured": int(np.sum(np.asarray(counts) >= 20)), "num_modes": 25,
                 "high_quality": 0.9, "reverse_kl": 0.1, "counts": counts}
        results.append((run, str(workdir), score, 60.0))
    figures = tmp_path / "figures"
    figures.mkdir()
    text = table.report(results, False, str(figures))
    row = next(line for line in text.splitlines() if line.startswith("| **ganzoo GAN**"))
    # modes: 20 and 10 -> 15 ± 7.1; any sample: 22 and 15 -> 18.5 ± 4.9 (sample std, ddof 1)
    assert row.split(" | ")[1:3] == ["15.0 ± 7.1", "18.5 ± 4.9"]
    assert "| model | modes | any sample | high quality | reverse KL | goal |" in text
    assert "| **ganzoo GAN + R1" not in text  # no R1 run among the results: no R1 row


def test_mode_collapse_r1_rows_scale_gamma_to_the_data_units_and_report_apart(tmp_path):
    """The R1 rows: the unpacked GAN with R1's gamma 0.1 in the papers' units; D reads the data
    times s (ring 2.5, grid 5), so its input gradient is s times the papers' one and the zoo's
    gamma is 0.1 / s^2 (grid 0.004, ring 0.016); every other run has no penalty. In the report
    the R1 runs are a row of their own beside the plain GAN's, judged against the goal."""
    from ganzoo.reproduce.mode_collapse import ModeCollapse

    table = ModeCollapse()
    runs = table.runs(False)
    gammas = {}
    for run in runs:
        flags = [a for a in run.args if a.startswith("--config.train.r1_gamma=")]
        if "_r1_" in run.name:
            assert run.row == {"dataset": run.row["dataset"], "pack": 1, "r1": 0.1}
            assert "--config.arch.pack=1" in run.args and len(flags) == 1
            gammas.setdefault(run.row["dataset"], set()).add(float(flags[0].split("=")[1]))
        else:
            assert flags == [] and "r1" not in run.row
    assert gammas == {"ring8": {0.016}, "grid25": {0.004}}  # as the commands print them
    assert len([r for r in runs if "_r1_" in r.name]) == 6  # 2 mixtures x 3 seeds
    # the quick version has one R1 run a mixture
    assert sorted(r.name for r in table.runs(True) if "_r1_" in r.name) == [
        "grid25_r1_pack1_seed0", "ring8_r1_pack1_seed0"]

    chosen = [r for r in runs if r.name in ("grid25_pack1_seed0", "grid25_r1_pack1_seed0",
                                            "grid25_r1_pack1_seed1")]
    results = []
    for run in chosen:
        r1 = "_r1_" in run.name
        counts = [100] * 25 if r1 else [125] * 20 + [0] * 5
        workdir = tmp_path / run.name
        workdir.mkdir()
        np.save(workdir / "points.npy", np.zeros((10, 2), np.float32))
        score = {"modes_captured": int(np.sum(np.asarray(counts) >= 20)), "num_modes": 25,
                 "high_quality": 0.96 if r1 else 0.9, "reverse_kl": 0.01 if r1 else 0.2,
                 "counts": counts}
        results.append((run, str(workdir), score, 60.0))
    figures = tmp_path / "figures"
    figures.mkdir()
    text = table.report(results, False, str(figures))
    rows = [line for line in text.splitlines() if line.startswith("| **ganzoo")]
    assert [r.split(" | ")[0] for r in rows] == ["| **ganzoo GAN** (1 seed)",
                                                 "| **ganzoo GAN + R1 (gamma 0.1)** (2 seeds)"]
    assert rows[0].split(" | ")[1] == "20.0" and rows[0].endswith("| not met |")
    assert rows[1].split(" | ")[1:5] == ["25.0 ± 0.0", "25.0 ± 0.0", "96.0 ± 0.0%",
                                         "0.010 ± 0.000"]
    assert rows[1].endswith("| met |")


def test_acgan_curve_point_is_the_rows_own_figure_on_a_model_that_scores(tmp_path):
    """The acgan table's curve samples a checkpoint exactly as its row's score does (samples a
    class, latents of the run's seed, temperature): on a generator that scores well (the
    published preset, saved as a run's only checkpoint), the curve's point and the row's lowest
    class both equal the figure recomputed here by the protocol: 100 samples a digit (quick),
    latents drawn with the run's seed (1, not the default 0), argmax of the MNIST classifier
    against the digit asked for."""
    from ganzoo.metrics import features

    table = TABLES["acgan"]
    run = next(r for r in table.runs(True) if r.name == "acgan_real_classes_r1_seed1")
    assert run.seed == 1 and run.row["temperature"] == 1.0
    workdir = tmp_path / run.name
    (workdir / "checkpoints").mkdir(parents=True)
    ganzoo.load("acgan_mnist").save(str(workdir / "checkpoints" / "ckpt-00000040.keras"))
    points = core.training_curve(table, run, str(workdir), True, log=lambda line: None)
    score = table.score(run, str(workdir), True)

    model = core.load_run_model(str(workdir))
    labels = np.repeat(np.arange(10), 100)
    samples = model.generate_from_latents(model.sample_latents(1000, seed=1), labels=labels)
    _, probs = features.get_extractor("mnist")(np.asarray(samples))
    read = np.asarray(probs).argmax(axis=1)
    expected = min(float(np.mean(read[labels == c] == c)) for c in range(10))
    assert 0.5 < expected < 1.0  # a figure that tells one sampling from another
    assert [step for step, _ in points] == [40]
    assert points[0][1] == pytest.approx(expected) and score["min_class"] == pytest.approx(expected)
