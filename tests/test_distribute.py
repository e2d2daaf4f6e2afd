"""Distribution: N replicas on a global batch make the same update as one device."""

import re

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from conftest import draw, tiny_args
from multiworker_train import equivalence_batches


def _train(model_name, strategy, batches, build_kwargs, compile_kwargs):
    with strategy.scope():
        model = ganzoo.build(model_name, **build_kwargs)
        model.compile(**{k: v() if callable(v) else v for k, v in compile_kwargs.items()})
    dataset = tf.data.Dataset.from_tensor_slices(batches)  # already batched: [steps, B, ...]
    model.fit(dataset, epochs=1, verbose=0, steps_per_epoch=len(tf.nest.flatten(batches)[0]))
    return model


def _variants():
    """Every registered entry at its tiny size, with its own dropout and its paper's d_steps
    (compile() defaults: 5 for sngan), a conditional variant where the entry offers one, and two
    extra cases: DCGAN with EMA and 2 D steps, GAN (dropout) with 2 D steps."""
    from ganzoo.registry import get_model_class

    cases = []
    for name in ganzoo.list_models():
        cls = get_model_class(name)
        build = tiny_args(name)
        k = cls.default_compile_args["d_steps"]
        # where a conditional variant exists it runs the same layers and more, so the plain
        # one (17 s for sngan, 12 s for sagan) moves to the slow pass
        marks = [pytest.mark.slow] if cls.conditioning == "optional" else []
        cases.append(pytest.param(name, build, k, id=f"{name}-k{k}", marks=marks))
        if cls.conditioning == "optional":
            cases.append(pytest.param(name, dict(build, num_classes=3), k,
                                      id=f"{name}-conditional-k{k}"))
    cases.append(pytest.param("dcgan", dict(get_model_class("dcgan").tiny_args, ema_decay=0.9), 2,
                              id="dcgan-ema-k2"))
    cases.append(pytest.param("gan", dict(get_model_class("gan").tiny_args), 2, id="gan-k2"))
    cases.append(pytest.param("pix2pix", dict(get_model_class("pix2pix").tiny_args, norm="instance"),
                              1, id="pix2pix-instance-k1"))
    # PacGAN packing: packs are cut within each replica's slice, as one device cuts the batch
    cases.append(pytest.param("dcgan", dict(get_model_class("dcgan").tiny_args, pack=2), 1,
                              id="dcgan-pack2-k1"))
    cases.append(pytest.param("sngan", dict(get_model_class("sngan").tiny_args, pack=2), 2,
                              id="sngan-pack2-k2"))
    return cases


def assert_same_training(single, other, initial):
    """Every weight of ``other`` equals ``single``'s to 1e-4 of the largest change training
    made to any trainable weight (plus float32 round-off of the weight's own size, for batch
    norm's moving variances in the thousands), and training changed most weights."""
    other_weights = other.weights if hasattr(other, "weights") else other
    pairs = list(zip(single.weights, other_weights, initial.weights))
    assert len(pairs) > 3
    trainable = {id(v) for v in single.trainable_weights}
    largest = max(np.abs(np.asarray(a) - np.asarray(c)).max()
                  for a, _, c in pairs if id(a) in trainable)
    assert largest > 0  # the steps really trained
    moved = 0
    for a, b, c in pairs:
        # the same weight (auto-numbered layer names differ between builds)
        assert re.sub(r"_\d+", "", a.path.split("/", 1)[-1]) == re.sub(r"_\d+", "", b.path.split("/", 1)[-1])
        assert a.shape == b.shape
        gap = np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)).max() if a.shape else \
            abs(float(np.asarray(a)) - float(np.asarray(b)))
        tolerance = 1e-4 * largest + 1e-6 * float(np.abs(np.asarray(a, np.float64)).max())
        assert gap <= tolerance, f"{a.path}: differs by {gap:.3g}, largest change {largest:.3g}"
        moved += id(a) in trainable and not np.allclose(np.asarray(a), np.asarray(c))
    assert moved > len(trainable) // 2


# Plain SGD: the update is proportional to the loss, so a wrong loss scale (sum vs mean over
# replicas) shows. Its rate keeps 3 steps out of the chaotic regime: with hinge losses a
# float32 round-off difference can flip one example across the margin, which changes a
# gradient by 1/batch (seen at 0.01 with 15 D updates of sngan; at 0.005 the runs agree to 1e-6).
SGD_RATE = 0.005


def _sgd():
    return keras.optimizers.SGD(SGD_RATE)


@pytest.mark.parametrize("name,build,d_steps", _variants())
def test_mirrored_two_replicas_equal_one_device(two_cpus, mirrored, name, build, d_steps):
    build = dict(build, seed=3)
    batches = equivalence_batches(build["image_shape"], build.get("num_classes", 0), d_steps,
                                  source_channels=build.get("source_channels", 0))
    comp = dict(d_steps=d_steps, g_optimizer=_sgd, d_optimizer=_sgd)
    single = _train(name, tf.distribute.OneDeviceStrategy(two_cpus[0]), batches, build, comp)
    replicated = _train(name, mirrored, batches, build, comp)
    assert replicated.distribute_strategy.num_replicas_in_sync == 2
    assert int(replicated.step.numpy()) == 3
    assert_same_training(single, replicated, ganzoo.build(name, **build))
    labels = [0, 1, 2, 0] if single.conditional else None
    np.testing.assert_allclose(draw(single, 4, seed=1, labels=labels),
                               draw(replicated, 4, seed=1, labels=labels), atol=1e-5)


def test_mirrored_trains_gan_with_dropout(mirrored):
    # dropout layers draw from Keras SeedGenerators inside the replica context
    with mirrored.scope():
        model = ganzoo.build("gan", image_shape=(2,), g_units=(16,), d_units=(8,), d_pieces=2)
        model.compile()
    points = np.random.default_rng(0).normal(size=(2, 8, 2)).astype(np.float32)
    history = model.fit(tf.data.Dataset.from_tensor_slices(points), epochs=1, verbose=0)
    assert int(model.step.numpy()) == 2 and np.isfinite(history.history["d_loss"][-1])


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_multi_worker_two_processes_equal_one_device(tmp_path):
    """MultiWorkerMirroredStrategy, two worker processes on 127.0.0.1: after 3 SGD steps of
    AC-GAN (dropout, batch norm, class labels) with 2 D steps, the chief's weights are those of
    one device on the same global batches."""
    import json
    import os
    import subprocess
    import sys

    from conftest import REPO
    from multiworker_train import train_case

    build = dict(tiny_args("acgan"), seed=3)
    case = dict(name="acgan", build=build, d_steps=2, rate=SGD_RATE)
    workers = [f"127.0.0.1:{_free_port()}" for _ in range(2)]
    out = tmp_path / "weights.npz"
    procs = []
    for index in range(2):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([REPO, os.path.join(REPO, "tests")]),
                   TF_CPP_MIN_LOG_LEVEL="3",
                   TF_CONFIG=json.dumps({"cluster": {"worker": workers},
                                         "task": {"type": "worker", "index": index}}))
        procs.append(subprocess.Popen(
            [sys.executable, os.path.join(REPO, "tests", "multiworker_train.py"),
             json.dumps(case), str(out)], env=env, cwd=tmp_path,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    for proc in procs:
        output, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, output[-3000:]
        assert "replicas 2 step 3" in output, output[-3000:]
    single = train_case(tf.distribute.get_strategy(), **case)
    with np.load(out) as stored:
        weights = [stored[f"arr_{i}"] for i in range(len(stored.files))]
    assert len(weights) == len(single.weights)
    assert_same_training(single, [_Stored(w, v.path) for w, v in zip(weights, single.weights)],
                         ganzoo.build("acgan", **build))


class _Stored:
    """A saved weight with the path of the variable it was saved from."""

    def __init__(self, value, path):
        self.value, self.path, self.shape = value, path, value.shape

    def __array__(self, dtype=None, copy=None):
        return self.value if dtype is None else self.value.astype(dtype)


def test_multi_worker_cli_two_processes_on_localhost(tmp_path):
    import json
    import os
    import subprocess
    import sys

    from conftest import REPO

    workers = [f"127.0.0.1:{_free_port()}" for _ in range(2)]
    procs = []
    (tmp_path / "worker1").mkdir()
    for index in range(2):
        env = dict(os.environ, PYTHONPATH=REPO, TF_CPP_MIN_LOG_LEVEL="3",
                   TF_CONFIG=json.dumps({"cluster": {"worker": workers},
                                         "task": {"type": "worker", "index": index}}))
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "ganzoo.run", "--model=dcgan", "--strategy=multi_worker",
             "--steps=3", "--batch_size=8", "--workdir=w", "--config.arch.g_filters=8",
             "--config.arch.d_filters=8", "--config.arch.latent_dim=8", "--config.log.verbose=0"],
            cwd=tmp_path / f"worker{index}" if index else tmp_path, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    outputs = []
    for proc in procs:
        out, _ = proc.communicate(timeout=300)
        outputs.append(out)
        assert proc.returncode == 0, out[-3000:]
    assert "2 replica(s)" in outputs[0] and "done at step 3" in outputs[0]
    import keras

    model = keras.saving.load_model(str(tmp_path / "w" / "checkpoints" / "ckpt-00000003.keras"))
    assert int(model.step.numpy()) == 3
    # only the chief writes: the other worker's directory stays empty
    assert os.listdir(tmp_path / "worker1") == []
