"""Distribution: N replicas on a global batch make the same update as one device."""

import re

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo


def _train(model_name, strategy, batches, build_kwargs, compile_kwargs):
    with strategy.scope():
        model = ganzoo.build(model_name, **build_kwargs)
        model.compile(**{k: v() if callable(v) else v for k, v in compile_kwargs.items()})
    dataset = tf.data.Dataset.from_tensor_slices(batches)  # already batched: [steps, B, ...]
    model.fit(dataset, epochs=1, verbose=0, steps_per_epoch=len(tf.nest.flatten(batches)[0]))
    return model


EQUIVALENCE = [
    # DCGAN with synchronized batch norm and EMA, with 1 and 2 D steps per G step
    ("dcgan", dict(image_shape=(16, 16, 1), latent_dim=8, g_filters=8, d_filters=8, ema_decay=0.9), 1),
    ("dcgan", dict(image_shape=(16, 16, 1), latent_dim=8, g_filters=8, d_filters=8, ema_decay=0.9), 2),
    # spectral norm (its u vectors too), residual blocks
    ("sngan", dict(image_shape=(16, 16, 1), latent_dim=8, g_channels=(8, 8), d_channels=(8, 8),
                   d_downsample=(True, False)), 2),
    # conditional: class BN in G, projection in D, self-attention, spectral norm in G and D
    ("sagan", dict(image_shape=(16, 16, 1), latent_dim=8, g_channels=(8, 8), d_channels=(8, 8),
                   d_downsample=(True, False), attention_resolution=8, num_classes=3), 1),
]


@pytest.mark.parametrize("name,build,d_steps", EQUIVALENCE,
                         ids=["dcgan-k1", "dcgan-k2", "sngan-k2", "sagan-conditional"])
def test_mirrored_two_replicas_equal_one_device(two_cpus, mirrored, name, build, d_steps):
    rng = np.random.default_rng(0)
    batch = 8
    build = dict(build, seed=3)
    images = rng.uniform(-1, 1, size=(3, batch * d_steps, 16, 16, 1)).astype(np.float32)
    batches = images
    if build.get("num_classes"):
        batches = (images, rng.integers(0, build["num_classes"], size=(3, batch * d_steps)).astype(np.int32))
    comp = dict(d_steps=d_steps)
    if name != "dcgan":
        # Their Adam has beta_1 = 0, so its first update is lr * sign(gradient): float32
        # round-off in a near-zero gradient flips a sign. Plain SGD compares the gradients; a
        # small rate keeps 3 steps out of the chaotic regime (at 0.05 the weights moved 0.5
        # and 1e-7 differences grew to 4e-3; at 0.005 they stay at 1e-8).
        comp.update(g_optimizer=lambda: keras.optimizers.SGD(0.005),
                    d_optimizer=lambda: keras.optimizers.SGD(0.005))
    single = _train(name, tf.distribute.OneDeviceStrategy(two_cpus[0]), batches, build, comp)
    mirrored = _train(name, mirrored, batches, build, comp)
    assert mirrored.distribute_strategy.num_replicas_in_sync == 2
    assert int(mirrored.step.numpy()) == 3
    pairs = list(zip(single.weights, mirrored.weights))
    assert len(pairs) > 10
    initial = ganzoo.build(name, **build)
    moved = 0
    for (a, b), c in zip(pairs, initial.weights):
        # the same weight (auto-numbered layer names differ between the two builds)
        assert re.sub(r"_\d+", "", a.path.split("/", 1)[1]) == re.sub(r"_\d+", "", b.path.split("/", 1)[1])
        assert a.shape == b.shape
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=2e-6, err_msg=a.path)
        moved += not np.allclose(np.asarray(a), np.asarray(c))
    assert moved > len(pairs) // 2  # training really changed the weights
    labels = [0, 1, 2, 0] if single.conditional else None
    np.testing.assert_allclose(single.generate(4, seed=1, labels=labels),
                               mirrored.generate(4, seed=1, labels=labels), atol=1e-5)


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


def test_multi_worker_two_processes_on_localhost(tmp_path):
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
