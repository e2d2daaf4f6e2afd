"""Every registered model: build, train a few steps, generate, save and load.

Parametrised over ``ganzoo.list_models()``, so an entry is tested the day it is registered;
each model class gives a small instance in ``tiny_args``."""

import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from conftest import draw, fixed_sources, tiny
from ganzoo.registry import get_model_class

MODELS = ganzoo.list_models()


def batches(model, steps=3, batch=8, d_steps=None):
    """``steps`` fit batches of ``batch`` examples per D step (d_steps: the model's own)."""
    d_steps = d_steps or getattr(model, "d_steps", 1)
    rng = np.random.default_rng(1)
    images = rng.uniform(-1, 1, size=(steps, batch * d_steps) + model.image_shape).astype(np.float32)
    if model.paired:  # (source, target) pairs
        sources = rng.uniform(-1, 1, size=(steps, batch * d_steps) + model.source_shape)
        return tf.data.Dataset.from_tensor_slices((sources.astype(np.float32), images))
    labels = rng.integers(0, max(model.num_classes, 1), size=(steps, batch * d_steps)).astype(np.int32)
    return tf.data.Dataset.from_tensor_slices((images, labels))


def snapshot(net):
    return [np.array(w) for w in net.trainable_weights]


def test_registry_lists_the_zoo():
    assert MODELS == ["acgan", "dcgan", "gan", "pix2pix", "sagan", "sngan", "ssgan"]
    with pytest.raises(ValueError, match="valid models: acgan, dcgan, gan, pix2pix, sagan, sngan, ssgan"):
        ganzoo.build("nope")


@pytest.mark.parametrize("name", MODELS)
def test_trains_and_changes_both_networks(name):
    model = tiny(name)
    model.compile()
    g0, d0 = snapshot(model.generator), snapshot(model.discriminator)
    history = model.fit(batches(model), epochs=1, verbose=0)
    for key in ("d_loss", "g_loss"):
        assert np.isfinite(history.history[key][-1]), key
    assert int(model.step.numpy()) == 3
    assert any(not np.allclose(a, b) for a, b in zip(g0, snapshot(model.generator)))
    assert any(not np.allclose(a, b) for a, b in zip(d0, snapshot(model.discriminator)))


@pytest.mark.parametrize("name", MODELS)
def test_d_steps_is_k_of_algorithm_1(name):
    model = tiny(name)
    if name == "ssgan":  # the paper's one D update per step, said at compile time
        with pytest.raises(ValueError, match="one discriminator update per step"):
            model.compile(d_steps=3)
        return
    model.compile(d_steps=3)
    model.fit(batches(model, steps=2, d_steps=3), epochs=1, verbose=0)
    assert int(model.d_optimizer.iterations.numpy()) == 6
    assert int(model.g_optimizer.iterations.numpy()) == 2


@pytest.mark.parametrize("name", MODELS)
def test_generate_shape_range_and_seed(name):
    model = tiny(name)
    images = draw(model, 5, seed=0)
    assert images.dtype == np.float32 and images.shape == (5,) + model.image_shape
    assert images.min() >= -1.0 and images.max() <= 1.0
    np.testing.assert_array_equal(images, draw(model, 5, seed=0))
    assert not np.allclose(images, draw(model, 5, seed=1))
    if model.paired:
        with pytest.raises(ValueError, match=r"call model.translate\(source_images\)"):
            model.generate(2)
        with pytest.raises(ValueError, match="source images"):
            model.translate(np.zeros((2, 5, 5, 1), np.float32))
        uint8 = np.full((1,) + model.source_shape, 255, np.uint8)  # [0, 255] -> [-1, 1]
        np.testing.assert_array_equal(model.translate(uint8, seed=4),
                                      model.translate(np.ones_like(uint8, np.float32), seed=4))
    elif model.conditional:
        assert model.generate(4, labels=[1]).shape[0] == 4
        with pytest.raises(ValueError, match="labels must be in"):
            model.generate(2, labels=[0, model.num_classes])
    else:
        with pytest.raises(ValueError, match="unconditional"):
            model.generate(2, labels=[0, 1])


@pytest.mark.parametrize("name", MODELS)
def test_keras_round_trip_gives_identical_outputs(name, tmp_path):
    model = tiny(name, ema_decay=0.5)
    model.compile()
    model.fit(batches(model, steps=2), epochs=1, verbose=0)
    path = str(tmp_path / f"{name}.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is type(model)
    assert loaded.get_config() == model.get_config()
    assert int(loaded.step.numpy()) == 2
    np.testing.assert_array_equal(draw(loaded, 4, seed=3), draw(model, 4, seed=3))
    np.testing.assert_array_equal(draw(loaded, 4, seed=3, use_ema=False),
                                  draw(model, 4, seed=3, use_ema=False))
    for a, b in zip(model.d_optimizer.variables, loaded.d_optimizer.variables):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    x = np.zeros((2,) + model.image_shape, np.float32)
    labels = np.zeros(2, np.int32) if model.conditional else None
    if model.paired:  # D judges (source, target) pairs
        labels = fixed_sources(model, 2)
    for a, b in zip(tf.nest.flatten(model.discriminate(x, labels, False)),
                    tf.nest.flatten(loaded.discriminate(x, labels, False))):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    # training goes on from the restored optimizer state as the original would (up to float32
    # summation order in oneDNN kernels: one step moves weights ~1e-4, we allow 1e-6). Not for a
    # parameter whose gradient is zero by construction (a bias whose output a batch norm
    # recentres, in SN-GAN's and SAGAN's residual blocks): its gradient is summation noise, and
    # Adam scales noise up to steps of ~lr, which differ from one run of a kernel to the next.
    # Only such biases are left out: every other weight, dead or not, is compared
    dead = dead_biases(name, loaded)
    model.fit(batches(model, steps=1), epochs=1, verbose=0)
    loaded.fit(batches(loaded, steps=1), epochs=1, verbose=0)
    for net in ("generator", "discriminator"):
        for a, b in zip(getattr(model, net).weights, getattr(loaded, net).weights):
            if id(b) not in dead[net]:
                np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-6,
                                           err_msg=b.path)


def dead_biases(name, model):
    """{"generator": ids, "discriminator": ids}: the biases of each network of ``model`` (a
    ``name`` entry at its tiny size) whose gradient, for a smooth function of the network's
    training-mode outputs, is under 1e-6 of its largest: zero but for float32 summation noise.
    Measured on a copy (a training-mode call moves batch-norm statistics)."""
    copy = tiny(name)
    dead = {}
    for role in ("generator", "discriminator"):
        net, twin = getattr(model, role), getattr(copy, role)
        twin.set_weights(net.get_weights())
        rng = np.random.default_rng(0)
        feeds = [rng.uniform(-1, 1, (8,) + tuple(i.shape[1:])).astype(np.float32)
                 if str(i.dtype).startswith("float")
                 else np.zeros((8,) + tuple(i.shape[1:]), i.dtype) for i in twin.inputs]
        with tf.GradientTape() as tape:
            out = twin(feeds if len(feeds) > 1 else feeds[0], training=True)
            total = tf.add_n([tf.reduce_sum(tf.sin(3.0 * tf.cast(o, tf.float32) + 0.1))
                              for o in tf.nest.flatten(out)])
        sizes = [0.0 if g is None else float(tf.reduce_max(tf.abs(g)))
                 for g in tape.gradient(total, twin.trainable_variables)]
        assert len(sizes) == len(net.trainable_variables)
        dead[role] = {id(v) for v, size in zip(net.trainable_variables, sizes)
                      if size < 1e-6 * max(sizes) and v.path.endswith("/bias")}
    return dead


def test_ema_is_the_moving_average_of_generator_weights():
    # decay at step t: min(ema_decay, (1 + t) / (10 + t)); steps 0..29 use the warm-up, from
    # step 30 ((31/40 = 0.775) > 0.75) the configured decay
    model = tiny("dcgan", ema_decay=0.75)
    model.compile()
    expected = [np.array(w, np.float64) for w in model.generator.weights]
    data = batches(model, steps=32)
    for t in range(32):
        model.fit(data.skip(t).take(1), epochs=1, verbose=0)
        decay = min(0.75, (1 + t) / (10 + t))
        expected = [decay * e + (1 - decay) * np.asarray(w, np.float64)
                    for e, w in zip(expected, model.generator.weights)]
    for shadow, e in zip(model.ema_weights, expected):
        np.testing.assert_allclose(np.asarray(shadow), e, rtol=1e-4, atol=1e-6)
    assert not np.allclose(model.generate(2, use_ema=True), model.generate(2, use_ema=False))


def test_same_seed_same_model_and_training():
    a, b = tiny("dcgan", seed=7), tiny("dcgan", seed=7)
    for x, y in zip(a.weights, b.weights):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
    assert not np.allclose(np.asarray(tiny("dcgan", seed=8).generator.weights[0]),
                           np.asarray(a.generator.weights[0]))
    for m in (a, b):
        m.compile()
        m.fit(batches(m, steps=2), epochs=1, verbose=0)
    for x, y in zip(a.weights, b.weights):
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=1e-6, atol=1e-7)


def test_gan_takes_flat_points_and_bad_shapes_are_rejected():
    model = ganzoo.build("gan", image_shape=(2,), g_units=(16,), d_units=(8,), d_pieces=2)
    assert model.generate(3).shape == (3, 2)
    with pytest.raises(ValueError, match="needs image_shape"):
        ganzoo.build("dcgan", image_shape=(2,))
    with pytest.raises(ValueError, match="divisible by 2"):
        ganzoo.build("dcgan", image_shape=(7, 7, 1))


def test_compile_defaults_are_the_papers():
    gan = tiny("gan")
    gan.compile(g_optimizer=keras.optimizers.SGD(0.1, momentum=0.5),
                d_optimizer=keras.optimizers.SGD(0.1, momentum=0.5), loss="minimax")
    assert gan.g_optimizer.momentum == 0.5 and gan.d_steps == 1 and gan.loss_name == "minimax"
    dcgan = tiny("dcgan")
    dcgan.compile()
    assert isinstance(dcgan.d_optimizer, keras.optimizers.Adam)
    np.testing.assert_allclose(float(dcgan.d_optimizer.learning_rate), 2e-4, rtol=1e-6)
    assert dcgan.d_optimizer.beta_1 == 0.5
    with pytest.raises(ValueError, match="valid losses"):
        dcgan.compile(loss="bogus")
    with pytest.raises(ValueError, match="d_steps"):
        dcgan.compile(d_steps=0)


@pytest.mark.parametrize("name", MODELS)
def test_readme_library_example_works_for_every_entry(name, tmp_path):
    """The README's "As a library" flow, with this entry in place of dcgan (at its tiny widths,
    on the embedded digits): pipeline(..., d_steps=model.d_steps) gives every entry, SN-GAN's
    n_dis = 5 included, batches it can split."""
    cls = get_model_class(name)
    args = {k: v for k, v in cls.tiny_args.items() if k not in ("image_shape", "attention_resolution")}
    if cls.paired:
        return _readme_paired_example(name, args, tmp_path)
    source = ganzoo.data.load("mnist")
    if cls.conditioning == "required":
        args["num_classes"] = source.num_classes
    model = ganzoo.build(name, image_shape=(28, 28, 1), **args)
    model.compile()
    dataset = ganzoo.data.pipeline(source, batch_size=16, d_steps=model.d_steps)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(dataset, steps_per_epoch=2, epochs=1, verbose=0)
    assert not [w for w in caught if "shuffle" in str(w.message)]  # no Keras shuffle warning
    assert int(model.step) == 2
    images = model.generate(16, seed=0)
    assert images.shape == (16, 28, 28, 1) and np.abs(images).max() <= 1.0
    model.save(tmp_path / "m.keras")
    same = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(same.generate(16, seed=0), images, atol=1e-6)


def _readme_paired_example(name, args, tmp_path):
    """The README's pix2pix flow: the embedded edges -> objects pairs, paired_pipeline, fit,
    translate held-out edges, save and load."""
    args.pop("source_channels", None)
    source = ganzoo.data.load_paired("fashion_edges")
    model = ganzoo.build(name, image_shape=source.target_shape,
                         source_channels=source.source_shape[-1], **args)
    model.compile()
    dataset = ganzoo.data.paired_pipeline(source, batch_size=16, d_steps=model.d_steps)
    model.fit(dataset, steps_per_epoch=2, epochs=1, verbose=0)
    assert int(model.step) == 2
    held_out = ganzoo.data.load_paired("fashion_edges", split="test")
    edges, objects = next(iter(ganzoo.data.paired_pipeline(held_out, 16, jitter_pairs=False,
                                                           shuffle=False)))
    images = model.translate(edges, seed=0)
    assert images.shape == tuple(objects.shape) == (16, 32, 32, 1) and np.abs(images).max() <= 1.0
    model.save(tmp_path / "m.keras")
    same = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(same.translate(edges, seed=0), images, atol=1e-6)


def test_gan_unit_pixels_is_the_papers_pixel_scale():
    """unit_pixels: G's last layer is a sigmoid whose [0, 1] image is handed over as 2s - 1, and D
    reads (x + 1) / 2; checked against the tanh model with the same weights (NumPy)."""
    args = dict(image_shape=(6,), latent_dim=3, g_units=(5,), d_units=(4,), d_pieces=2)
    unit = ganzoo.build("gan", unit_pixels=True, **args)
    plain = ganzoo.build("gan", **args)
    plain.generator.set_weights(unit.generator.get_weights())
    plain.discriminator.set_weights(unit.discriminator.get_weights())
    z = np.random.default_rng(0).normal(size=(7, 3)).astype(np.float32)
    pre = np.arctanh(np.asarray(plain.generator(z), np.float64))  # the last layer's activations
    expected = 2 / (1 + np.exp(-pre)) - 1
    np.testing.assert_allclose(np.asarray(unit.generator(z)), expected, atol=1e-5)
    x = np.random.default_rng(1).uniform(-1, 1, size=(7, 6)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(unit.discriminator(x, training=False)),
                               np.asarray(plain.discriminator((x + 1) / 2, training=False)),
                               atol=1e-5)
    assert type(unit).from_config(unit.get_config()).unit_pixels
    assert not plain.get_config()["unit_pixels"]


def test_gan_linear_scale_is_pacgans_networks_in_the_papers_units():
    """linear_scale=s: G's last layer is linear and its output divided by s, D reads s x; checked
    against a NumPy forward pass of the same weights (ReLU MLP, maxout of d_pieces)."""
    s = 5.0
    args = dict(image_shape=(2,), latent_dim=3, g_units=(5, 4), d_units=(4,), d_pieces=3,
                d_input_dropout=0.0, d_dropout=0.0, d_max_norm=0.0)
    model = ganzoo.build("gan", linear_scale=s, **args)
    z = np.random.default_rng(0).normal(size=(7, 3)).astype(np.float32)
    dense = [w for w in model.generator.weights if w.path.endswith(("kernel", "bias"))]
    h = z.astype(np.float64)
    for i in range(0, len(dense), 2):
        h = h @ np.asarray(dense[i]) + np.asarray(dense[i + 1])
        h = np.maximum(h, 0) if i + 2 < len(dense) else h  # ReLU hidden layers, linear last
    np.testing.assert_allclose(np.asarray(model.generator(z)), h / s, rtol=1e-5, atol=1e-6)
    x = np.random.default_rng(1).uniform(-1, 1, size=(7, 2)).astype(np.float32)
    (k1, b1), (k2, b2) = [[np.asarray(v) for v in layer.weights]
                          for layer in model.discriminator.layers if layer.weights]
    pieces = (s * x.astype(np.float64) @ k1 + b1).reshape(7, 4, 3).max(-1)  # maxout of 3
    np.testing.assert_allclose(np.asarray(model.discriminator(x, training=False)),
                               pieces @ k2 + b2, rtol=1e-5, atol=1e-5)
    assert type(model).from_config(model.get_config()).linear_scale == s
    assert ganzoo.build("gan", **args).get_config()["linear_scale"] == 0.0
    with pytest.raises(ValueError, match="linear_scale must be >= 0"):
        ganzoo.build("gan", linear_scale=-1.0, **args)
    with pytest.raises(ValueError, match="pick one"):
        ganzoo.build("gan", linear_scale=s, unit_pixels=True, **args)


def test_gan_batch_norm_in_the_generator():
    """g_batch_norm: one synchronized batch norm before each of G's ReLUs; it trains, survives a
    config round trip, and refuses to stack on virtual batch norm."""
    import keras

    model = ganzoo.build("gan", image_shape=(2,), latent_dim=2, g_units=(8, 8), d_units=(4,),
                         d_pieces=2, g_batch_norm=True)
    norms = [layer for layer in model.generator.layers
             if isinstance(layer, keras.layers.BatchNormalization)]
    assert len(norms) == 2 and all(layer.synchronized for layer in norms)
    assert model.get_config()["g_batch_norm"] is True
    assert type(model).from_config(model.get_config()).g_batch_norm
    plain = ganzoo.build("gan", image_shape=(2,), latent_dim=2, g_units=(8, 8), d_units=(4,),
                         d_pieces=2)
    assert not any(isinstance(layer, keras.layers.BatchNormalization)
                   for layer in plain.generator.layers)
    model.compile()
    before = snapshot(model.generator)
    model.fit(batches(model, steps=2), epochs=1, verbose=0)
    assert any(not np.array_equal(a, b) for a, b in zip(before, snapshot(model.generator)))
    with pytest.raises(ValueError, match="pick one"):
        ganzoo.build("gan", image_shape=(2,), g_batch_norm=True, vbn_reference=4)
