"""The R1 gradient penalty (Mescheder et al. 2018, eq. 9): its value against finite differences of
the discriminator and a closed form, its gradient through a whole D update, its distribution,
its config and its errors."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from conftest import tiny_args
from multiworker_train import equivalence_batches
from test_distribute import _sgd, _train, assert_same_training


def _penalty(model, real, labels=None):
    """The per-example R1 term ``_d_update`` adds, on D in inference mode."""
    real = tf.constant(real)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(real)
        labels = None if labels is None else tf.constant(labels)
        total, scale = model._r1_output_sum(model.discriminate(real, labels, training=False))
    return model._r1_penalty(tape, real, total, scale).numpy()


def _finite_difference_gradients(f, x, pack=1, eps=1e-3):
    """Central differences of f (one output a row of x) with respect to each row's own
    coordinates: one coordinate of one slot of every pack moves at a time, so each output sees
    only its own example move (the outputs of unpacked rows are independent: D in inference
    mode)."""
    grads = np.zeros(x.shape, np.float64)
    flat = grads.reshape(len(x), -1)
    for slot in range(pack):
        rows = np.arange(len(x)) % pack == slot
        for i in range(flat.shape[1]):
            step = np.zeros(x.shape, np.float32)
            step.reshape(len(x), -1)[rows, i] = eps
            difference = f(x + step).astype(np.float64) - f(x - step).astype(np.float64)
            flat[rows, i] = difference[rows] / (2 * eps)
    return grads


def _case(name):
    """(model, real examples, labels, scalar D output per D input for finite differences)."""
    rng = np.random.default_rng(0)
    if name.startswith("gan"):
        pack = 2 if name == "gan-pack2" else 1
        model = ganzoo.build("gan", image_shape=(2,), latent_dim=2, g_units=(8,), d_units=(6, 6),
                             d_pieces=3, d_init_range=0.5, pack=pack, linear_scale=5.0, seed=1)
        real = rng.uniform(-1, 1, size=(8, 2)).astype(np.float32)
        labels = None

        def d_out(x):  # [n, 2] -> [n]: each pack's logit, given to each of its examples
            packed = x.reshape(len(x) // pack, 2 * pack)
            return np.repeat(model.discriminator(packed, training=False).numpy()[:, 0], pack)
    elif name == "acgan":
        model = ganzoo.build("acgan", **tiny_args("acgan"))
        real = rng.uniform(-1, 1, size=(2, 16, 16, 1)).astype(np.float32)
        labels = np.array([0, 2], np.int32)

        def d_out(x):  # the source head only
            return model.discriminator(x, training=False)[0].numpy()[:, 0]
    else:  # pix2pix: the gradient of the patch map's sum with respect to the target
        model = ganzoo.build("pix2pix", **tiny_args("pix2pix"))
        shape = model.image_shape
        real = rng.uniform(-1, 1, size=(2, *shape)).astype(np.float32)
        labels = rng.uniform(-1, 1, size=(2, *model.source_shape)).astype(np.float32)

        def d_out(x):
            out = model.discriminator([labels, x], training=False).numpy()
            return out.reshape(len(x), -1).sum(axis=1)
    return model, real, labels, d_out


@pytest.mark.parametrize("name", ["gan", "gan-pack2", "acgan", "pix2pix"])
def test_penalty_is_half_gamma_times_the_squared_input_gradient(name):
    model, real, labels, d_out = _case(name)
    model.compile(r1_gamma=3.0)
    penalty = _penalty(model, real, labels)
    pack = model.pack
    # reference: every example's gradient of its D input's output, by central differences;
    # an example of a pack moves only its own slice of the pack's input
    grads = _finite_difference_gradients(d_out, real, pack)
    squared = (grads.reshape(len(real), -1) ** 2).sum(axis=1)
    expected_per_pack = 0.5 * 3.0 * squared.reshape(-1, pack).sum(axis=1)  # over a pack's slices
    # per example: pack x its own term, so the mean over examples is the mean over packs
    assert expected_per_pack.min() > 0  # a real gradient, not an empty one
    np.testing.assert_allclose(penalty.reshape(-1, pack).mean(axis=1), expected_per_pack,
                               rtol=2e-3, atol=1e-3 * expected_per_pack.max())


@pytest.mark.parametrize("pack, scale", [(1, 0.0), (2, 0.0), (1, 5.0)])
def test_linear_discriminator_closed_form(pack, scale):
    """D(x) = s w.x + b: the penalty is gamma / 2 s^2 |w|^2 for every D input, its gradient
    gamma s^2 w, so one SGD step with R1 moves w by -lr gamma s^2 w more than one without (the
    same batch and noise), moves b the same, and reports D's loss higher by the penalty."""
    gamma, rate = 0.7, 0.1
    build = dict(image_shape=(2,), latent_dim=2, g_units=(8,), d_units=(), d_input_dropout=0.0,
                 d_max_norm=0.0, d_init_range=0.8, pack=pack, linear_scale=scale, seed=4)
    real = np.random.default_rng(2).normal(size=(8, 2)).astype(np.float32)
    after, logs = {}, {}
    for g in (0.0, gamma):
        model = ganzoo.build("gan", **build)
        model.compile(g_optimizer=keras.optimizers.SGD(rate),
                      d_optimizer=keras.optimizers.SGD(rate), r1_gamma=g)
        w0, b0 = (np.asarray(v, np.float64) for v in model.discriminator.trainable_weights)
        logs[g] = {k: float(v) for k, v in model.train_step(tf.constant(real)).items()}
        after[g] = [np.asarray(v, np.float64) for v in model.discriminator.trainable_weights]
    s2 = (scale or 1.0) ** 2
    np.testing.assert_allclose(after[gamma][0] - after[0.0][0], -rate * gamma * s2 * w0,
                               rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(after[gamma][1], after[0.0][1], atol=1e-7)
    np.testing.assert_allclose(logs[gamma]["d_loss"] - logs[0.0]["d_loss"],
                               0.5 * gamma * s2 * (w0 ** 2).sum(), rtol=1e-4)


@pytest.mark.parametrize("name", ["gan", "dcgan"])
def test_mirrored_two_replicas_equal_one_device_with_r1(two_cpus, mirrored, name):
    # gan: dropout in D; dcgan: batch norm in D (synchronized: the input gradient of a
    # replica's outputs comes back through the all-reduced statistics from both replicas)
    build = dict(tiny_args(name), seed=3)
    if name == "gan":  # D's weights large enough for its input gradient to matter
        build["d_init_range"] = 0.3
    batches = equivalence_batches(build["image_shape"], 0, 1)
    comp = dict(g_optimizer=_sgd, d_optimizer=_sgd, r1_gamma=2.0)
    single = _train(name, tf.distribute.OneDeviceStrategy(two_cpus[0]), batches, build, comp)
    replicated = _train(name, mirrored, batches, build, comp)
    assert replicated.distribute_strategy.num_replicas_in_sync == 2
    assert_same_training(single, replicated, ganzoo.build(name, **build))
    # and R1 changed the training: the same steps without it end elsewhere
    plain = _train(name, tf.distribute.OneDeviceStrategy(two_cpus[0]), batches, build,
                   dict(comp, r1_gamma=0.0))
    d_single = np.concatenate([np.ravel(w) for w in single.discriminator.get_weights()])
    d_plain = np.concatenate([np.ravel(w) for w in plain.discriminator.get_weights()])
    assert np.abs(d_single - d_plain).max() > 1e-5


def test_r1_gamma_round_trips_and_old_compile_configs_load(tmp_path):
    model = ganzoo.build("gan", **tiny_args("gan"))
    model.compile(r1_gamma=0.25)
    path = str(tmp_path / "m.keras")
    model.save(path)
    assert keras.saving.load_model(path).r1_gamma == 0.25
    config = model.get_compile_config()
    del config["r1_gamma"]  # a model saved before the option existed
    other = ganzoo.build("gan", **tiny_args("gan"))
    other.compile_from_config(config)
    assert other.r1_gamma == 0.0


def test_bad_r1_gamma_and_entries_without_it_are_refused():
    model = ganzoo.build("gan", **tiny_args("gan"))
    with pytest.raises(ValueError, match=r"r1_gamma must be >= 0 \(0: no R1 penalty\), got -1"):
        model.compile(r1_gamma=-1.0)
    ssgan = ganzoo.build("ssgan", **tiny_args("ssgan"))
    ssgan.compile()  # 0 is fine
    with pytest.raises(ValueError, match="ssgan does not take r1_gamma=0.5"):
        ssgan.compile(r1_gamma=0.5)
