"""The training core's guarantees: distinct random streams, the sign of every update, EMA
stored once, schedules in training steps, a clear answer for any fit batch, and the papers'
defaults."""

import itertools
import os
import zipfile

import h5py
import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from conftest import fixed_sources, tiny
from ganzoo import rng
from ganzoo.registry import get_model_class

MODELS = ganzoo.list_models()


# -- random streams -------------------------------------------------------------------------------

def test_stream_counters_are_injective_and_decode():
    steps = [0, 1, 2, 16, 17, 63, 64, 65, rng.STEP_LIMIT - 1]
    d_indices = [0, 1, 15, 16, 17, 31, 32, 33, rng.D_STEP_LIMIT - 1]
    purposes = [rng.LATENTS, rng.LABELS, rng.DROPOUT, rng.DROPOUT + 1, 16, 32, rng.PURPOSE_LIMIT - 1]
    seen = {}
    for key in itertools.product(steps, (rng.D_NETWORK, rng.G_NETWORK), d_indices, purposes):
        counter = rng.stream_counter(*key)
        assert 0 <= counter < 2 ** 63
        assert counter not in seen, f"{key} and {seen[counter]} share a stream"
        seen[counter] = key
        assert rng.decode_counter(counter) == key


@pytest.mark.parametrize("bad", [(0, 2, 0, 0), (0, 0, rng.D_STEP_LIMIT, 0),
                                 (0, 0, 0, rng.PURPOSE_LIMIT), (rng.STEP_LIMIT, 0, 0, 0),
                                 (0, 0, -1, 0)])
def test_stream_counters_refuse_values_outside_their_fields(bad):
    with pytest.raises(ValueError):
        rng.stream_counter(*bad)


def test_no_two_draws_of_a_step_share_noise_with_many_d_steps():
    """With 40 D steps (more than the old salt spacing of 16 and 32), the latents and labels of
    every D step, of the G step and of the next step's D steps are all different draws."""
    model = tiny("acgan")
    model.compile(d_steps=40)
    draws = []
    for step in (0, 1):
        for network, d_index in [(rng.D_NETWORK, i) for i in range(40)] + [(rng.G_NETWORK, 0)]:
            stream = rng.Stream(model.seed, tf.constant(step, tf.int64), network, d_index)
            z, labels = model._fake_inputs(stream, 64)
            draws.append(np.asarray(z))
    flat = np.stack([d.ravel() for d in draws])
    for a, b in itertools.combinations(range(len(flat)), 2):
        assert not np.allclose(flat[a], flat[b]), (a, b)


def test_dropout_masks_differ_by_call_and_replay_by_key():
    layer = ganzoo.layers.Dropout(0.5)
    x = tf.ones((6, 40))
    with rng.random_stream(0, tf.constant(3, tf.int64), rng.D_NETWORK, 2):
        first, second = np.asarray(layer(x, training=True)), np.asarray(layer(x, training=True))
    with rng.random_stream(0, tf.constant(3, tf.int64), rng.D_NETWORK, 2):
        again = np.asarray(layer(x, training=True))
    assert not np.array_equal(first, second)  # the second call of a stream: a new mask
    np.testing.assert_array_equal(first, again)  # the same key: the same mask
    assert set(np.unique(first)) <= {0.0, 2.0}  # kept units scaled by 1 / (1 - rate)
    assert 0.3 < (first == 0).mean() < 0.7
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)


# -- the sign of each update ---------------------------------------------------------------------

def _repeat(fn, times):
    return [float(fn()) for _ in range(times)]


def assert_descends(losses):
    """The loss went down, and almost every step went down (an ascent would go up)."""
    downs = sum(b < a for a, b in zip(losses, losses[1:]))
    assert losses[-1] < losses[0] and downs >= len(losses) - 2, losses


def _sign_model(name):
    """A tiny model with Adam: its first steps move each weight by about lr * sign(gradient),
    so they descend whatever the gradient's scale, and a flipped sign would ascend. (The
    original GAN's weights start at +-0.005: it needs a larger step to move its loss.)"""
    model = tiny(name)
    rate = 1e-3 if name == "gan" else 1e-4
    model.compile(d_optimizer=keras.optimizers.Adam(rate), g_optimizer=keras.optimizers.Adam(rate))
    data = tf.constant(np.random.default_rng(0).uniform(-1, 1, (16,) + model.image_shape),
                       tf.float32)
    labels = tf.constant(np.arange(16) % 3, tf.int32) if model.conditional else None
    if model.paired:  # the condition is the source image
        labels = tf.constant(fixed_sources(model, 16))
    for _ in range(20):  # settle the spectral norms' power iteration (u) before measuring
        model.discriminate(data, labels, training=True)
    return model, data, labels


@pytest.mark.parametrize("name", MODELS)
def test_discriminator_steps_on_a_fixed_batch_lower_its_loss(name):
    """Repeated D updates on the same real batch, fakes and dropout masks (one fixed step key)
    descend D's loss; an update of the wrong sign would raise it."""
    model, data, labels = _sign_model(name)
    step = tf.constant(0, tf.int64)
    assert_descends(_repeat(lambda: model._d_step(data, labels, step, 0, 16), 8))


@pytest.mark.parametrize("name", MODELS)
def test_generator_steps_against_a_frozen_discriminator_lower_its_loss(name):
    model, data, labels = _sign_model(name)
    d_before = [np.array(w) for w in model.discriminator.trainable_weights]
    step = tf.constant(0, tf.int64)
    assert_descends(_repeat(lambda: model._g_step(step, 16, data, labels), 8))
    for a, b in zip(d_before, model.discriminator.trainable_weights):  # D stayed frozen
        np.testing.assert_array_equal(a, np.asarray(b))


def _log_sigmoid(x):
    return -np.logaddexp(0.0, -x)


def _log_softmax(x):
    return x - np.logaddexp.reduce(x, axis=-1, keepdims=True)


@pytest.mark.parametrize("loss", ["minimax", "non_saturating"])
def test_acgan_losses_are_odena_2016_log_likelihoods(loss):
    """D maximises L_S + L_C and G maximises L_C - L_S (Odena et al. 2016, eq. 1-2), with
    L_S = log P(S=real | x_real) + log P(S=fake | x_fake) and
    L_C = log P(C=c | x_real) + log P(C=c | x_fake); the non-saturating G replaces
    -log P(S=fake | x_fake) by +log P(S=real | x_fake)."""
    model = tiny("acgan", num_classes=4, class_weight=1.0)
    model.compile(loss=loss)
    r = np.random.default_rng(0)
    real_s, fake_s = r.normal(size=(5, 1)), r.normal(size=(5, 1))
    real_c, fake_c = r.normal(size=(5, 4)), r.normal(size=(5, 4))
    real_y, fake_y = r.integers(0, 4, 5), r.integers(0, 4, 5)
    l_s = _log_sigmoid(real_s[:, 0]) + _log_sigmoid(-fake_s[:, 0])
    l_c = (_log_softmax(real_c)[np.arange(5), real_y] + _log_softmax(fake_c)[np.arange(5), fake_y])
    d_loss = model.discriminator_loss(
        [tf.constant(real_s, tf.float32), tf.constant(real_c, tf.float32)],
        [tf.constant(fake_s, tf.float32), tf.constant(fake_c, tf.float32)],
        tf.constant(real_y), tf.constant(fake_y))
    np.testing.assert_allclose(np.asarray(d_loss), -(l_s + l_c), rtol=1e-5, atol=1e-6)
    g_loss = model.generator_loss([tf.constant(fake_s, tf.float32), tf.constant(fake_c, tf.float32)],
                                  tf.constant(fake_y))
    l_c_fake = _log_softmax(fake_c)[np.arange(5), fake_y]
    if loss == "minimax":  # G minimises L_S - L_C, whose fake-dependent part is this
        expected = _log_sigmoid(-fake_s[:, 0]) - l_c_fake
    else:
        expected = -_log_sigmoid(fake_s[:, 0]) - l_c_fake
    np.testing.assert_allclose(np.asarray(g_loss), expected, rtol=1e-5, atol=1e-6)
    # fake_class_loss=False: D's class term sees the real digits only; G's loss is unchanged
    real_only = tiny("acgan", num_classes=4, class_weight=2.0, fake_class_loss=False)
    real_only.compile(loss=loss)
    d_loss = real_only.discriminator_loss(
        [tf.constant(real_s, tf.float32), tf.constant(real_c, tf.float32)],
        [tf.constant(fake_s, tf.float32), tf.constant(fake_c, tf.float32)],
        tf.constant(real_y), tf.constant(fake_y))
    l_c_real = _log_softmax(real_c)[np.arange(5), real_y]
    np.testing.assert_allclose(np.asarray(d_loss), -(l_s + 2.0 * l_c_real), rtol=1e-5, atol=1e-6)
    g_loss = real_only.generator_loss(
        [tf.constant(fake_s, tf.float32), tf.constant(fake_c, tf.float32)], tf.constant(fake_y))
    np.testing.assert_allclose(np.asarray(g_loss), expected - l_c_fake, rtol=1e-5, atol=1e-6)


# -- EMA stored once -------------------------------------------------------------------------------

def _stored_bytes(keras_file):
    total = 0
    with zipfile.ZipFile(keras_file) as archive, archive.open("model.weights.h5") as raw:
        with h5py.File(raw, "r") as h5:
            def visit(_, obj):
                nonlocal total
                if isinstance(obj, h5py.Dataset):
                    total += obj.size * obj.dtype.itemsize
            h5.visititems(visit)
    return total


def test_checkpoint_holds_each_tensor_once(tmp_path):
    model = tiny("dcgan", ema_decay=0.9)
    model.compile()
    data = np.zeros((1, 8) + model.image_shape, np.float32)
    model.fit(tf.data.Dataset.from_tensor_slices(data), epochs=1, verbose=0)
    names = [w.name for w in model.ema_weights]
    assert len(set(names)) == len(names) == len(model.generator.weights)
    paths = [w.path for w in model.weights]
    assert len(set(paths)) == len(paths)

    def nbytes(variables):
        return sum(int(np.prod(v.shape)) * np.dtype(v.dtype).itemsize for v in variables)

    seeds = model._seed_states()
    expected = (nbytes(model.generator.weights) * 2  # weights and EMA shadows
                + nbytes(model.discriminator.weights) + nbytes([model.step])
                + nbytes(model.g_optimizer.variables) + nbytes(model.d_optimizer.variables)
                + nbytes(model.optimizer.variables)  # Keras' own (unused) optimizer: 2 scalars
                + sum(np.asarray(s).nbytes for s in seeds))
    path = tmp_path / "m.keras"
    model.save(path)
    assert _stored_bytes(path) == expected
    assert os.path.getsize(path) < expected + 200_000  # and nothing else of size
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(loaded.generate(4, seed=1), model.generate(4, seed=1), atol=1e-6)


# -- learning-rate schedules ---------------------------------------------------------------------

def test_schedules_count_training_steps_for_both_networks(tmp_path):
    def schedule():
        return keras.optimizers.schedules.ExponentialDecay(1e-3, decay_steps=1, decay_rate=0.5)

    model = tiny("sngan")
    model.compile(g_optimizer=keras.optimizers.Adam(schedule()),
                  d_optimizer=keras.optimizers.Adam(schedule()), d_steps=5)
    data = np.zeros((3, 8 * 5) + model.image_shape, np.float32)
    model.fit(tf.data.Dataset.from_tensor_slices(data), epochs=1, verbose=0)
    assert int(model.d_optimizer.iterations) == 15 and int(model.g_optimizer.iterations) == 3
    lr = 1e-3 * 0.5 ** 3  # after 3 training steps, for G and for D alike
    assert float(model.g_optimizer.learning_rate) == pytest.approx(lr)
    assert float(model.d_optimizer.learning_rate) == pytest.approx(lr)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert float(loaded.d_optimizer.learning_rate) == pytest.approx(lr)
    assert loaded.d_optimizer._learning_rate.updates_per_step == 5  # not wrapped twice


def test_linear_decay_reaches_zero_at_the_end():
    from ganzoo.schedules import LinearDecay

    schedule = LinearDecay(2e-4, decay_steps=100, start_step=50)
    for step, expected in [(0, 2e-4), (50, 2e-4), (75, 1.5e-4), (100, 1e-4), (150, 0.0),
                           (400, 0.0)]:
        assert float(schedule(step)) == pytest.approx(expected, rel=1e-6, abs=1e-12)


def test_cli_linear_schedule_is_linear_decay_over_the_run():
    from ganzoo import run
    from ganzoo.schedules import LinearDecay
    from zoo_configs import sngan_imagenet2012

    config = sngan_imagenet2012.get_config()
    assert config.train.lr_schedule == "linear"
    optimizer = run.make_optimizer(config.train, config.train.lr_g)
    assert isinstance(optimizer._learning_rate, LinearDecay)
    assert optimizer._learning_rate.decay_steps == config.train.steps == 450_000


# -- any fit batch gets a clear answer ---------------------------------------------------------------

def test_a_batch_d_steps_cannot_split_is_refused_with_the_fix():
    model = tiny("sngan")
    model.compile()  # n_dis = 5
    source = ganzoo.data.from_arrays(np.zeros((50,) + model.image_shape, np.float32))
    with pytest.raises(ValueError, match=r"multiple of 5 .*d_steps=5.*got a batch of 8"):
        model.fit(ganzoo.data.pipeline(source, 8), steps_per_epoch=1, epochs=1, verbose=0)
    dataset = ganzoo.data.pipeline(source, 8, d_steps=model.d_steps)
    assert next(iter(dataset)).shape[0] == 40
    model.fit(dataset, steps_per_epoch=2, epochs=1, verbose=0)
    assert int(model.step) == 2


# -- the papers' defaults -----------------------------------------------------------------------------

def _adam(config):
    return (config["class_name"].lower(), config["config"]["learning_rate"],
            config["config"].get("beta_1"), config["config"].get("beta_2", 0.999))


def test_sngan_defaults_are_miyato_2018():
    """Table 1 (setting for the ResNet: alpha 2e-4, beta_1 0, beta_2 0.9, n_dis 5), hinge loss,
    z of 128; Table 4 at 32x32; the projection paper's ImageNet ResNet at 128x128."""
    cls = get_model_class("sngan")
    args = cls.default_compile_args
    assert args["loss"] == "hinge" and args["d_steps"] == 5
    assert _adam(args["g_optimizer"]) == _adam(args["d_optimizer"]) == ("adam", 2e-4, 0.0, 0.9)
    cifar = ganzoo.build("sngan", image_shape=(32, 32, 3))
    assert cifar.latent_dim == 128
    assert cifar.g_channels == (256, 256, 256)
    assert cifar.d_channels == (128, 128, 128, 128)
    assert cifar.d_downsample == (True, True, False, False)
    imagenet = ganzoo.build("sngan", image_shape=(128, 128, 3), num_classes=1000)
    assert imagenet.g_channels == (1024, 512, 256, 128, 64)
    assert imagenet.d_channels == (64, 128, 256, 512, 1024, 1024)
    assert imagenet.d_downsample == (True, True, True, True, True, False)
    assert imagenet.discriminator.output.shape[1:] == (1,)
    start = [l for l in imagenet.generator.layers if isinstance(l, keras.layers.Reshape)][0]
    assert tuple(start.output.shape[1:]) == (4, 4, 1024)


def test_sagan_defaults_are_zhang_2018():
    """Section 5: spectral norm in G and D, TTUR Adam(1e-4 G, 4e-4 D, beta_1 0, beta_2 0.9),
    one D step per G step, hinge loss; the attention keys and values pooled 2x2."""
    cls = get_model_class("sagan")
    args = cls.default_compile_args
    assert args["loss"] == "hinge" and args["d_steps"] == 1
    assert _adam(args["g_optimizer"]) == ("adam", 1e-4, 0.0, 0.9)
    assert _adam(args["d_optimizer"]) == ("adam", 4e-4, 0.0, 0.9)
    model = ganzoo.build("sagan", image_shape=(128, 128, 3), attention_resolution=32)
    assert model.g_spectral_norm and model.latent_dim == 128
    assert model.g_channels == (1024, 512, 256, 128, 64)
    attention = [l for l in model.generator.layers if isinstance(l, ganzoo.layers.SelfAttention)]
    assert len(attention) == 1 and attention[0].pool_size == 2


# -- one discriminator call on real and fake --------------------------------------------------

def _fit_steps(model, steps=3, batch=8):
    rng_ = np.random.default_rng(5)
    images = rng_.uniform(-1, 1, (steps, batch) + model.image_shape).astype(np.float32)
    labels = rng_.integers(0, max(model.num_classes, 1), (steps, batch)).astype(np.int32)
    model.fit(tf.data.Dataset.from_tensor_slices((images, labels)), epochs=1, verbose=0)


@pytest.mark.parametrize("name,extra", [pytest.param("sngan", {}, marks=pytest.mark.slow),
                                        ("sagan", {"num_classes": 3}),
                                        pytest.param("sngan", {"pack": 2}, marks=pytest.mark.slow)],
                         ids=["sngan", "sagan-cond", "sngan-pack2"])
def test_one_discriminator_call_on_real_and_fake_trains_as_two(name, extra):
    """SN-GAN/SAGAN judge the concatenated real and fake batches in one call: the weights and
    spectral-norm vectors after three steps equal those of two calls a D step (float32
    rounding aside), the power iteration still runs once a D step."""
    joint = tiny(name, **extra)
    split = tiny(name, **extra)
    split.set_weights(joint.get_weights())
    split.joint_discriminator_call = False
    assert joint.joint_discriminator_call and not split.joint_discriminator_call
    for model in (joint, split):
        # plain SGD: Adam's first steps are about lr x sign(gradient), blind to most errors
        model.compile(g_optimizer=keras.optimizers.SGD(0.05), d_optimizer=keras.optimizers.SGD(0.05),
                      d_steps=2)
        _fit_steps(model)
    untrained = tiny(name, **extra).discriminator.get_weights()
    moved = max(np.abs(a - b).max() for a, b in zip(untrained, split.discriminator.get_weights()))
    assert moved > 1e-3  # training moved the weights: the comparison below means something
    # D: every weight and spectral-norm vector
    for a, b, v in zip(joint.discriminator.get_weights(), split.discriminator.get_weights(),
                       split.discriminator.weights):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6, err_msg=v.path)
    # G: its function (a bias just before batch norm has a zero gradient, so Adam turns the two
    # runs' rounding noise into different values of a parameter that changes nothing)
    z = tf.random.stateless_normal((8, joint.latent_dim), seed=(1, 2))
    inputs = [z, tf.range(8) % 3] if joint.conditional else z
    np.testing.assert_allclose(joint.generator(inputs, training=True),
                               split.generator(inputs, training=True), atol=1e-5)


@pytest.mark.parametrize("name,extra", [("dcgan", {}), ("gan", {}), ("ssgan", {}), ("acgan", {}),
                                        ("pix2pix", {}), ("pix2pix", {"norm": "instance"}),
                                        ("sngan", {"minibatch": "stddev"}),
                                        ("sngan", {"minibatch": "discrimination"})])
def test_discriminators_coupling_examples_are_called_twice(name, extra):
    """Batch norm, dropout, noise and minibatch features make one example's output depend on
    its batch or on random draws shaped by it: those discriminators see real and fake apart."""
    assert not tiny(name, **extra).joint_discriminator_call
