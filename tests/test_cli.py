"""The training command line, run as a user runs it: in a subprocess."""

import csv
import glob
import json
import os
import subprocess
import sys
import warnings

import keras
import numpy as np
import pytest

import ganzoo  # noqa: F401 - registers the zoo's classes for keras.saving.load_model
from conftest import REPO

TINY = ["--config.arch.g_filters=8", "--config.arch.d_filters=8", "--config.arch.kernel_size=3",
        "--config.arch.latent_dim=8", "--batch_size=16", "--config.log.verbose=0"]


def run_cli(args, cwd, timeout=300, env_extra=None, **popen):
    env = dict(os.environ, PYTHONPATH=REPO, TF_CPP_MIN_LOG_LEVEL="3", **(env_extra or {}))
    env.pop("TF_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "ganzoo.run", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout, **popen)


def read_losses(path):
    with open(path) as f:
        return [int(row["step"]) for row in csv.DictReader(f)]


def tensorboard_tags(directory):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(directory, size_guidance={"tensors": 0, "images": 0})
    acc.Reload()
    return set(acc.Tags()["tensors"]) | set(acc.Tags()["images"])


def test_short_run_writes_every_artifact_then_resumes(tmp_path):
    args = ["--model=dcgan", "--steps=6", "--workdir=w", "--config.log.checkpoint_every=3",
            "--config.log.sample_every=3", "--config.log.log_every=2", "--config.log.num_samples=9",
            "--config.eval.every=3", "--config.eval.num_samples=60", *TINY]
    first = run_cli(args, tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    w = tmp_path / "w"
    assert sorted(os.listdir(w / "checkpoints")) == ["ckpt-00000003.keras", "ckpt-00000006.keras"]
    assert sorted(os.listdir(w / "samples")) == ["step-00000003.png", "step-00000006.png"]
    for name in ("samples.png", "loss_curve.png", "config.json", "fixed_latents.npz", "losses.csv"):
        assert (w / name).stat().st_size > 0, name
    evals = json.loads((w / "eval.json").read_text())  # the periodic evaluation, every 3 steps
    assert [r["step"] for r in evals] == [3, 6]
    assert all(r["fid"] > 0 and 1 <= r["is"] <= 10 and 0 <= r["precision"] <= 1 for r in evals)
    config = json.loads((w / "config.json").read_text())
    assert config["model"] == "dcgan" and config["train"]["steps"] == 6 and config["arch"]["g_filters"] == 8
    assert read_losses(w / "losses.csv") == [2, 4, 6]
    tags = tensorboard_tags(str(w / "tb"))
    assert {"loss/d_loss", "loss/g_loss", "lr_g", "lr_d", "samples", "eval/fid", "eval/kid",
            "eval/is", "eval/recall", "eval/coverage"} <= tags
    model = keras.saving.load_model(str(w / "checkpoints" / "ckpt-00000006.keras"))
    assert int(model.step.numpy()) == 6 and int(model.g_optimizer.iterations.numpy()) == 6
    latents = np.load(w / "fixed_latents.npz")["latents"]
    assert latents.shape == (9, 8)
    # a 3x3 grid of 28x28 samples with 2 px padding
    from PIL import Image

    assert Image.open(w / "samples.png").size == (3 * 30 + 2, 3 * 30 + 2)

    second = run_cli([a.replace("--steps=6", "--steps=9") for a in args], tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "resuming at step 6 of 9" in second.stdout
    assert "ckpt-00000009.keras" in os.listdir(w / "checkpoints")
    assert read_losses(w / "losses.csv") == [2, 4, 6, 8]
    assert [r["step"] for r in json.loads((w / "eval.json").read_text())] == [3, 6, 9]
    np.testing.assert_array_equal(np.load(w / "fixed_latents.npz")["latents"], latents)
    resumed = keras.saving.load_model(str(w / "checkpoints" / "ckpt-00000009.keras"))
    assert int(resumed.step.numpy()) == 9 and int(resumed.d_optimizer.iterations.numpy()) == 9

    # the same total again: nothing to train, the final artefacts are still there
    third = run_cli([a.replace("--steps=6", "--steps=9") for a in args], tmp_path)
    assert third.returncode == 0 and "done at step 9" in third.stdout


GAN_TINY = ["--model=gan", "--config.arch.g_units=(32,)", "--config.arch.d_units=(16,)",
            "--config.arch.d_pieces=2", "--config.arch.latent_dim=8", "--batch_size=8",
            "--config.log.verbose=0", "--config.eval.every=0", "--config.log.sample_every=1000"]


def digits_npz(path, n=40):
    """``n`` real MNIST digits (the embedded training split) as an .npz dataset."""
    from ganzoo.data import idx

    images = idx.read_idx(os.path.join(REPO, "ganzoo", "data", "embedded",
                                       "train-images-idx3-ubyte.gz"))[:n]
    np.savez(path, images=images)
    return path


def final_weights(workdir, step):
    model = keras.saving.load_model(str(workdir / "checkpoints" / f"ckpt-{step:08d}.keras"))
    return [np.asarray(w) for w in model.weights]


def test_resume_equals_uninterrupted_training(tmp_path):
    """8 steps in one go == 4 steps, then a resumed 4, bit for bit: on shuffled real digits
    (40 of them, batch 8: the run crosses an epoch boundary), with dropout in D. The data
    stream, the RNG state (step counter) and the optimizer state all come back."""
    digits_npz(tmp_path / "digits.npz")
    common = [*GAN_TINY, "--dataset=digits.npz", "--config.log.checkpoint_every=4"]
    assert run_cli(common + ["--steps=8", "--workdir=a"], tmp_path).returncode == 0
    assert run_cli(common + ["--steps=4", "--workdir=b"], tmp_path).returncode == 0
    resumed = run_cli(common + ["--steps=8", "--workdir=b"], tmp_path)
    assert "resuming at step 4 of 8" in resumed.stdout, resumed.stderr[-2000:]
    for x, y in zip(final_weights(tmp_path / "a", 8), final_weights(tmp_path / "b", 8)):
        np.testing.assert_array_equal(x, y)


def test_crash_between_write_and_rename_of_a_checkpoint(tmp_path):
    """The process dies after writing checkpoint 6 and before renaming it into place (its
    ``os.replace`` exits instead): checkpoints 2 and 4 are whole, 6 never appears, and the
    re-run cleans the temporary file, resumes at 4 and ends with the weights of a run that was
    never interrupted."""
    digits_npz(tmp_path / "digits.npz")
    common = [*GAN_TINY, "--dataset=digits.npz", "--steps=8", "--config.log.checkpoint_every=2",
              "--config.log.log_every=1"]
    died = run_until_rename_of("ckpt-00000006.keras", [*common, "--workdir=w"], tmp_path)
    assert died.returncode == 17, died.stderr[-3000:]
    ckpts = tmp_path / "w" / "checkpoints"
    assert sorted(f for f in os.listdir(ckpts) if f.startswith("ckpt-")) == [
        "ckpt-00000002.keras", "ckpt-00000004.keras"]
    leftovers = [f for f in os.listdir(ckpts) if f.startswith(".tmp-")]
    assert len(leftovers) == 1 and (ckpts / leftovers[0]).stat().st_size > 0
    for step in (2, 4):  # what is there is whole
        assert len(final_weights(tmp_path / "w", step)) > 0
    resumed = run_cli(common + ["--workdir=w"], tmp_path)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resuming at step 4 of 8" in resumed.stdout
    assert not [f for f in os.listdir(ckpts) if f.startswith(".tmp")]
    assert run_cli(common + ["--workdir=a"], tmp_path).returncode == 0
    for x, y in zip(final_weights(tmp_path / "a", 8), final_weights(tmp_path / "w", 8)):
        np.testing.assert_array_equal(x, y)
    # the events the dead run logged after checkpoint 4 were dropped: each step once
    assert scalar_steps(str(tmp_path / "w" / "tb"), "loss/d_loss") == list(range(1, 9))


BAD_INPUTS = [
    (["--model=nope"], "unknown model 'nope'; valid models: acgan, dcgan, gan, pix2pix, sagan, sngan, ssgan"),
    (["--dataset=no_such_dataset_xyz"], "valid: mnist (embedded), ring8, grid25"),
    (["--dataset=/no/such/folder"], "does not exist"),
    (["--strategy=nope"], "valid strategies: default, mirrored, multi_worker, tpu"),
    (["--strategy=tpu"], "--strategy tpu: no TPU found (set TPU_NAME, or run on a TPU VM)"),
    (["--dataset=fashion_edges"], "fashion_edges is a paired dataset of (source, target) images"),
    (["--steps=-5"], "--steps (train.steps) must be a positive integer"),
    (["--batch_size=0"], "--batch_size (train.batch_size) must be a positive integer"),
    (["--steps=abc"], "flag --steps=abc"),
    (["--seed=-1"], "--seed must be an integer in [0, 2^31)"),
    (["--config.train.loss=bogus"], "valid losses: hinge, least_squares"),
    (["--config.train.optimizer=rmsprop"], "valid optimizers: adam, sgd"),
    (["--config.data.cache=disk"], "unknown data.cache 'disk'; valid: auto, memory, none"),
    (["--config.train.mixed_precision=fp8"], "unknown train.mixed_precision 'fp8'; valid "
     "policies: float32, mixed_bfloat16, mixed_float16"),
    (["--config.train.nonexistent=1"], "the config has no field 'nonexistent'"),
    (["--config.train.lrg=0.1"],
     "bad --config override --config.train.lrg=0.1: the config has no field 'lrg'; did you mean 'lr_g'?"),
    (["--workdir=/proc/ganzoo-cannot-be-here/w", "--steps=1"], "cannot create --workdir /proc/"),
    (["--config.train.lr_d=abc"], "--config.train.lr_d"),
    (["--config.train.loss=hinge", "--config.train.label_smoothing=0.1"], "not defined for the hinge loss"),
    (["--config.train.r1_gamma=-1"], "train.r1_gamma must be >= 0 (0: no R1 penalty), got -1"),
    (["--model=ssgan", "--config.train.r1_gamma=1"], "ssgan does not take r1_gamma=1.0"),
    (["--config=/no/such/config.py"], "config file /no/such/config.py does not exist"),
    (["--strategy=multi_worker"], "needs TF_CONFIG"),
    (["--model=gan", "--dataset=ring8", "--config.arch.g_units=(0,)"], "cannot build gan"),
    (["extra_positional"], "unexpected arguments: extra_positional"),
    (["--model=dcgan", "--config.conditional=True"],
     "dcgan is unconditional; conditional models: acgan, sagan, sngan"),
    (["--model=sngan", "--config.arch.minibatch=bogus"], "valid: none, discrimination, stddev"),
    (["--model=dcgan", "--config.arch.latent_prior=cauchy"],
     "unknown latent_prior 'cauchy'; valid: normal, uniform, uniform_sqrt3"),
    (["--model=sngan", "--config.arch.g_channels=(8,8,8)"], "needs 2 generator blocks"),
    (["--model=sagan", "--config.arch.attention_resolution=5"], "has no feature map of that height"),
    (["--config.eval.every=-1"], "eval.every must be an integer >= 0"),
    (["--config.eval.extractor=bogus"], "valid: auto, mnist, fashion, inception"),
    (["--config.eval.metrics=fid,bogus"], "valid: fid, kid, is, pr, dc, class_consistency, parzen"),
    (["--config.eval.split=validation"], "unknown eval.split 'validation'; valid splits: train, test"),
    # pix2pix: paired datasets (the authors' downloads name their URL), its options
    (["--model=pix2pix", "--dataset=facades"], "wget http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/facades.tar.gz"),
    (["--model=pix2pix", "--dataset=edges2shoes"], "edges2shoes.tar.gz"),
    (["--model=pix2pix", "--dataset=/no/such/pairs"], "valid: fashion_edges (embedded)"),
    (["--model=pix2pix", "--config.data.direction=AtoC"], "valid directions: AtoB, BtoA"),
    (["--model=pix2pix", "--config.arch.patch=71"], "valid patches: 1, 16, 34, 70, 142, 286, image"),
    (["--model=pix2pix", "--config.arch.norm=layer"], "valid norms: batch, instance"),
    (["--model=pix2pix", "--config.arch.latent_dim=8"], "the config has no field 'latent_dim'"),
    (["--model=pix2pix", "--config.eval.metrics=l1,is"], "valid: l1, psnr, ssim, fid, kid, classifier_score"),
    # fine-tuning a preset: its entry and architecture, data of its shape
    (["--preset=nope"], "--preset: unknown preset 'nope' (presets: dcgan_mnist, "),
    (["--preset=dcgn_mnist"], "did you mean 'dcgan_mnist'?"),
    (["--preset=sngan_imagenet"], "has no published weights yet"),
    (["--preset=dcgan_mnist", "--model=gan"], "--preset dcgan_mnist is a dcgan; leave out --model gan"),
    (["--preset=gan_ring8", "--dataset=mnist"],
     "preset gan_ring8 does not fit this model: image_shape [2] (preset) vs [28, 28, 1]"),
]


def test_mixed_float16_run_trains_checkpoints_and_resumes(tmp_path):
    """The CLI switch end to end: float16 layers, loss-scaled optimizers saved in the
    checkpoint and restored on resume, finite losses."""
    args = ["--model=dcgan", "--workdir=w", "--config.log.checkpoint_every=4",
            "--config.train.mixed_precision=mixed_float16", "--config.eval.every=0",
            "--config.log.log_every=2", *TINY]
    first = run_cli(args + ["--steps=4"], tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    second = run_cli(args + ["--steps=8"], tmp_path)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "mixed_float16, workdir w: resuming at step 4 of 8" in second.stdout
    # a checkpoint holds float32 variables and the loss-scaled optimizers (their scale moved
    # from 2^15 on overflowing steps); loaded by Keras it computes in the policy of the caller.
    # Under this process's float32 policy Keras' own optimizer (the unused one Model.compile
    # makes) is rebuilt without loss scaling, so Keras skips its saved variables (4 against 2), warning
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipping variable loading for optimizer", UserWarning)
        model = keras.saving.load_model(
            str(tmp_path / "w" / "checkpoints" / "ckpt-00000008.keras"))
    assert int(model.step.numpy()) == 8
    assert isinstance(model.g_optimizer, keras.optimizers.LossScaleOptimizer)
    assert {w.dtype for w in model.generator.weights} == {"float32"}
    with open(tmp_path / "w" / "losses.csv") as f:
        rows = list(csv.DictReader(f))
    assert rows and all(np.isfinite(float(r["d_loss"])) and np.isfinite(float(r["g_loss"]))
                        for r in rows)


@pytest.mark.parametrize("args, message", BAD_INPUTS, ids=[" ".join(a) for a, _ in BAD_INPUTS])
def test_bad_input_one_line_exit_2_nothing_written(tmp_path, args, message):
    result = run_cli(["--workdir=w", *args], tmp_path, timeout=120)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, result.stderr[-2000:]
    assert len(lines) == 1, result.stderr[-2000:]
    assert lines[0].startswith("ganzoo.run: error: ") and message in lines[0], lines[0]
    assert "Traceback" not in result.stderr
    assert os.listdir(tmp_path) == []  # nothing written, not even the workdir


def _imported_modules(importtime_stderr):
    """Top-level names of the modules a ``python -X importtime`` run imported."""
    return {line.rsplit("|", 1)[-1].strip().split(".")[0]
            for line in importtime_stderr.splitlines() if line.startswith("import time:")}


def test_a_typo_is_answered_before_tensorflow_loads_and_a_library_import_loads_everything(tmp_path):
    """``python -m ganzoo.run`` (and ``ganzoo.reproduce``) read their flags before TensorFlow
    starts (seconds); ``import ganzoo`` in a program still imports everything, the classes
    registered with Keras."""
    for command, message in [("run --model=dcgann", "valid models: acgan, dcgan"),
                             ("run --config.train.lr=1", "the config has no field 'lr'"),
                             ("run --help", None),
                             ("reproduce mode_colapse", "did you mean mode_collapse?"),
                             ("reproduce --list", None)]:
        module, *args = command.split()
        result = subprocess.run([sys.executable, "-X", "importtime", "-m", f"ganzoo.{module}",
                                 *args], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                                env=dict(os.environ, GANZOO_TF_LOGS="1"))  # stderr kept open
        assert result.returncode == (0 if message is None else 2), result.stderr[-2000:]
        errors = [line for line in result.stderr.splitlines() if line.startswith("ganzoo.")]
        assert (errors == [] if message is None else message in errors[0]), result.stderr[-2000:]
        imported = _imported_modules(result.stderr)
        assert {"ganzoo", "absl"} <= imported  # the parse is seen
        assert not {"tensorflow", "keras"} & imported, command
    library = subprocess.run(
        [sys.executable, "-c", "import sys, ganzoo, keras; print('tensorflow' in sys.modules, "
         "keras.saving.get_registered_object('ganzoo>DCGAN').__name__)"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert library.returncode == 0, library.stderr[-2000:]
    assert library.stdout.split() == ["True", "DCGAN"]


def test_help_exits_0_and_describes_the_config_default(tmp_path):
    result = run_cli(["--model=sngan", "--help"], tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "--steps" in result.stdout and "--strategy" in result.stdout
    assert "zoo_configs/<model>_<dataset>.py" in result.stdout
    assert REPO not in result.stdout  # no machine-specific absolute path as "the default"
    assert os.listdir(tmp_path) == []


CRASH_AT = (
    "import os, runpy, sys\n"
    "replace = os.replace\n"
    "target = os.environ['CRASH_AT']\n"
    "def dying_replace(src, dst):\n"
    "    if str(dst).endswith(target):\n"
    "        os._exit(17)\n"
    "    replace(src, dst)\n"
    "os.replace = dying_replace\n"
    "sys.argv = ['ganzoo.run'] + sys.argv[1:]\n"
    "runpy.run_module('ganzoo.run', run_name='__main__')\n")


def run_until_rename_of(target, args, cwd):
    """Runs the CLI in a process that dies (exit 17) instead of renaming a file onto a path
    ending in ``target``: the deterministic version of a kill between write and rename."""
    env = dict(os.environ, PYTHONPATH=REPO, TF_CPP_MIN_LOG_LEVEL="3", CRASH_AT=target)
    return subprocess.run([sys.executable, "-c", CRASH_AT, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def scalar_steps(directory, tag):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(directory, size_guidance={"tensors": 0})
    acc.Reload()
    return [e.step for e in acc.Tensors(tag)]


def test_rerun_after_a_death_before_the_first_checkpoint_starts_over_cleanly(tmp_path):
    digits_npz(tmp_path / "digits.npz")
    args = [*GAN_TINY, "--dataset=digits.npz", "--steps=4", "--workdir=w",
            "--config.log.checkpoint_every=4", "--config.log.log_every=1"]
    died = run_until_rename_of("ckpt-00000004.keras", args, tmp_path)
    assert died.returncode == 17, died.stderr[-3000:]
    assert scalar_steps(str(tmp_path / "w" / "tb"), "loss/d_loss") == [1, 2, 3, 4]
    again = run_cli(args, tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "no checkpoint in w/checkpoints: training starts at step 0" in again.stdout
    # one history: the dead run's events are gone, not doubled
    assert scalar_steps(str(tmp_path / "w" / "tb"), "loss/d_loss") == [1, 2, 3, 4]
    assert read_losses(tmp_path / "w" / "losses.csv") == [1, 2, 3, 4]


def test_own_rgb_images_train_without_inception_weights(tmp_path):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "own.npz", images=rng.integers(0, 256, (32, 28, 28, 3), dtype=np.uint8))
    # the weights are looked for where $GANZOO_INCEPTION_WEIGHTS says: nowhere, on any machine
    result = run_cli(["--model=dcgan", "--dataset=own.npz", "--steps=2", "--workdir=w",
                      "--config.eval.every=1", *TINY], tmp_path,
                     env_extra={"GANZOO_INCEPTION_WEIGHTS": str(tmp_path / "no_weights.h5")})
    assert result.returncode == 0, result.stderr[-3000:]
    warnings = [line for line in result.stderr.splitlines() if "warning" in line.lower()]
    assert len(warnings) == 1 and "periodic evaluation is off" in warnings[0], result.stderr
    assert "--config.eval.every=0" in warnings[0]
    assert "ckpt-00000002.keras" in os.listdir(tmp_path / "w" / "checkpoints")


def test_output_to_a_file_is_one_plain_line_per_log_interval(tmp_path):
    digits_npz(tmp_path / "digits.npz")
    args = [a for a in GAN_TINY if "verbose" not in a]  # the default: a progress bar on a tty
    result = run_cli([*args, "--dataset=digits.npz", "--steps=6", "--workdir=w",
                      "--config.log.log_every=2"], tmp_path)  # stdout is a pipe here
    assert result.returncode == 0, result.stderr[-3000:]
    assert "\r" not in result.stdout and "\x08" not in result.stdout
    progress = [line for line in result.stdout.splitlines() if line.startswith("step ")]
    assert [line.split(":")[0] for line in progress] == ["step 2/6", "step 4/6", "step 6/6"]
    assert "d_loss" in progress[0] and "g_loss" in progress[0]
    assert len(result.stdout) < 2000


def test_workdir_of_another_model_is_refused(tmp_path):
    ok = run_cli(["--model=dcgan", "--steps=1", "--workdir=w", *TINY], tmp_path)
    assert ok.returncode == 0, ok.stderr[-2000:]
    before = sorted(os.listdir(tmp_path / "w"))
    bad = run_cli(["--model=dcgan", "--steps=2", "--workdir=w", *TINY[1:], "--config.arch.g_filters=16"], tmp_path)
    assert bad.returncode == 2
    assert "holds a run with a different arch" in bad.stderr
    assert sorted(os.listdir(tmp_path / "w")) == before


def test_a_run_older_than_an_arch_argument_resumes_with_its_default(tmp_path):
    """A workdir whose config.json predates an architecture argument (here gan's g_batch_norm)
    had that argument's default: it resumes; asking for another value is refused."""
    ring = [*GAN_TINY, "--dataset=ring8", "--config.data.toy_size=500", "--workdir=w"]
    assert run_cli([*ring, "--steps=2", "--config.log.checkpoint_every=2"], tmp_path).returncode == 0
    path = tmp_path / "w" / "config.json"
    stored = json.loads(path.read_text())
    del stored["arch"]["g_batch_norm"]
    path.write_text(json.dumps(stored))
    bad = run_cli([*ring, "--steps=4", "--config.arch.g_batch_norm=true"], tmp_path)
    assert bad.returncode == 2 and "holds a run with a different arch" in bad.stderr
    ok = run_cli([*ring, "--steps=4", "--config.log.checkpoint_every=2"], tmp_path)
    assert ok.returncode == 0, ok.stderr[-2000:]
    assert "resuming at step 2 of 4" in ok.stdout


def test_divergence_stops_with_one_line_and_keeps_sound_checkpoints(tmp_path):
    # an absurd learning rate makes the Wasserstein losses overflow within a few steps
    args = ["--model=gan", "--dataset=ring8", "--steps=400", "--workdir=w", "--config.log.checkpoint_every=1",
            "--config.train.loss=wasserstein", "--config.train.lr_d=1e30", "--config.train.lr_g=1e30",
            "--config.arch.g_units=(8,)", "--config.arch.d_units=(8,)", "--config.arch.d_max_norm=0.0",
            "--config.log.verbose=0", "--config.data.toy_size=512", "--config.eval.every=1",
            "--config.eval.num_samples=64"]
    result = run_cli(args, tmp_path)  # evaluating every step: no metric error hides the cause
    assert result.returncode == 1, result.stderr[-2000:]
    assert "training diverged: non-finite loss at step" in result.stderr
    for path in glob.glob(str(tmp_path / "w" / "checkpoints" / "*.keras")):
        model = keras.saving.load_model(path)
        assert all(np.isfinite(np.asarray(w)).all() for w in model.weights)


@pytest.mark.parametrize("dataset", ["ring8", "grid25"])
def test_toy_mixture_runs_write_a_scatter_plot(tmp_path, dataset):
    result = run_cli(["--model=gan", f"--dataset={dataset}", "--steps=4", "--config.log.verbose=0",
                      "--config.data.toy_size=2048"], tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    w = tmp_path / "runs" / f"gan_{dataset}"  # the toy configs' own default workdir
    from PIL import Image

    with Image.open(w / "samples.png") as picture:  # a matplotlib scatter, not an image grid
        assert picture.mode in ("RGB", "RGBA") and picture.size[0] > 300
    latents = np.load(w / "fixed_latents.npz")["latents"]
    assert latents.shape[0] == 2000
    assert json.loads((w / "config.json").read_text())["dataset"] == dataset


def test_conditional_run_draws_one_row_per_class(tmp_path):
    result = run_cli(["--model=sagan", "--steps=2", "--batch_size=8", "--workdir=w",
                      "--config.log.verbose=0", "--config.arch.g_channels=(8,8)",
                      "--config.arch.d_channels=(8,8,8)", "--config.arch.latent_dim=8"], tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    w = tmp_path / "w"
    stored = np.load(w / "fixed_latents.npz")
    labels = stored["labels"]
    assert list(labels) == sorted(labels) and set(labels) == set(range(10))
    per_class = int(np.sum(labels == 0))
    from PIL import Image

    with Image.open(w / "samples.png") as picture:  # 10 rows of 28 + 2 padding, per_class columns
        assert picture.size == (per_class * 30 + 2, 10 * 30 + 2)
    model = keras.saving.load_model(str(w / "checkpoints" / "ckpt-00000002.keras"))
    assert model.conditional and model.num_classes == 10
