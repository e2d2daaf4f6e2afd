"""Distribution: N replicas on a global batch make the same update as one device."""

import numpy as np
import pytest
import tensorflow as tf

import ganzoo


def _train(model_name, strategy, batches, build_kwargs, compile_kwargs):
    with strategy.scope():
        model = ganzoo.build(model_name, **build_kwargs)
        model.compile(**compile_kwargs)
    dataset = tf.data.Dataset.from_tensor_slices(batches)  # already batched: [steps, B, ...]
    model.fit(dataset, epochs=1, verbose=0, steps_per_epoch=len(batches))
    return model


@pytest.mark.parametrize("d_steps", [1, 2])
def test_mirrored_two_replicas_equal_one_device_dcgan(two_cpus, mirrored, d_steps):
    rng = np.random.default_rng(0)
    batch = 8
    batches = rng.uniform(-1, 1, size=(3, batch * d_steps, 16, 16, 1)).astype(np.float32)
    build = dict(image_shape=(16, 16, 1), latent_dim=8, g_filters=8, d_filters=8, seed=3,
                 ema_decay=0.9)
    comp = dict(d_steps=d_steps)
    single = _train("dcgan", tf.distribute.OneDeviceStrategy(two_cpus[0]), batches, build, comp)
    mirrored = _train("dcgan", mirrored, batches, build, comp)
    assert mirrored.distribute_strategy.num_replicas_in_sync == 2
    assert int(mirrored.step.numpy()) == 3
    pairs = list(zip(single.weights, mirrored.weights))
    assert len(pairs) > 10
    initial = ganzoo.build("dcgan", **build)
    moved = 0
    for (a, b), c in zip(pairs, initial.weights):
        assert a.path.split("/", 1)[1] == b.path.split("/", 1)[1]
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=2e-6, err_msg=a.path)
        moved += not np.allclose(np.asarray(a), np.asarray(c))
    assert moved > len(pairs) // 2  # training really changed the weights
    np.testing.assert_allclose(single.generate(4, seed=1), mirrored.generate(4, seed=1), atol=1e-5)
