"""tools/stacked_mnist_twin_jax.py (ganzoo's Stacked-MNIST table in JAX, for a GPU) states
ganzoo's run: the same stacks as ganzoo's source, ganzoo's DCGAN layers (the twin's G and D with
a Keras DCGAN's weights give the Keras outputs), a padded pack equal to an unpadded D, Keras'
Adam, and ganzoo's MNIST classifier read the same. The JAX tests are skipped where JAX is not
installed (CI: it is no ganzoo dependency)."""

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))

import stacked_mnist_twin_jax as twin  # noqa: E402


def _jax():
    jax = pytest.importorskip("jax", reason="the JAX twin needs JAX (not a ganzoo dependency)")
    jax.config.update("jax_default_matmul_precision", "highest")
    import jax.numpy as jnp

    return jax, jnp, twin.build(jax, jnp)


def test_stacks_are_ganzoos_stacked_mnist_source():
    from ganzoo.data import sources

    source = sources.stacked_mnist("train")
    ours = twin.stacked_images()
    assert ours.shape == (twin.STACKS, 28, 28, 3) and source.size == twin.STACKS
    first = np.stack([np.asarray(x) for x, _ in source.dataset.take(300)])
    last = np.stack([np.asarray(x) for x, _ in source.dataset.skip(twin.STACKS - 300)])
    np.testing.assert_array_equal(ours[:300], first)
    np.testing.assert_array_equal(ours[-300:], last)


def _keras_dcgan(pack):
    import ganzoo

    model = ganzoo.build("dcgan", image_shape=(28, 28, 3), pack=pack)
    rng = np.random.default_rng(pack)
    for w in model.generator.weights + model.discriminator.weights:  # move off the init
        if "moving" not in w.path:
            w.assign(np.asarray(w) + 0.05 * rng.standard_normal(w.shape).astype(np.float32))
    return model


def _twin_weights(model, jnp):
    """The twin's G and D dicts holding a Keras DCGAN's weights (D's first kernel padded to two
    slots with zeros)."""
    gw = [np.asarray(w) for w in model.generator.weights]  # in the order dcgan.py builds them
    dw = [np.asarray(w) for w in model.discriminator.weights]
    assert [w.shape for w in gw] == [(100, 6272), (128,), (128,), (128,), (128,), (5, 5, 64, 128),
                                     (64,), (64,), (64,), (64,), (5, 5, 3, 64), (3,)]
    g = {"dense": gw[0], "scale0": gw[1], "shift0": gw[2], "convt0": gw[5], "scale1": gw[6],
         "shift1": gw[7], "convt1": gw[10], "bias": gw[11]}
    padded = np.zeros((5, 5, 3 * twin.SLOTS, 64), np.float32)
    padded[:, :, :dw[0].shape[2]] = dw[0]
    assert [w.shape for w in dw[1:]] == [(64,), (5, 5, 64, 128), (128,), (128,), (128,), (128,),
                                         (6272, 1), (1,)]
    d = {"conv0": padded, "bias0": dw[1], "conv1": dw[2], "scale": dw[3], "shift": dw[4],
         "logit": dw[7], "logit_bias": dw[8]}
    return ({k: jnp.asarray(v) for k, v in g.items()}, {k: jnp.asarray(v) for k, v in d.items()})


@pytest.mark.parametrize("pack", [1, 2])
def test_generator_and_discriminator_are_ganzoos_dcgan(pack):
    """With a Keras DCGAN's weights the twin's G (training mode) gives Keras' images, and its D
    on the padded packs gives the Keras D's logits on ganzoo's packed batch."""
    jax, jnp, fns = _jax()
    import tensorflow as tf

    model = _keras_dcgan(pack)
    g, d = _twin_weights(model, jnp)
    z = np.random.default_rng(0).standard_normal((twin.SLOTS * twin.BATCH, 100)).astype(np.float32)
    used = pack * twin.BATCH
    keras_images = np.asarray(model.generator(z[:used], training=True))
    mask = jnp.asarray([1.0 if j < pack else 0.0 for j in range(twin.SLOTS)])
    images, _ = fns["generate"](g, jnp.asarray(z), jnp.repeat(mask, twin.BATCH))
    np.testing.assert_allclose(np.asarray(images)[:used], keras_images, atol=2e-5)
    # the twin packs example i of each slot together, ganzoo consecutive examples: hand Keras
    # the twin's packs in its order (which iid samples share a pack does not matter)
    ordered = np.asarray(images)[:used].reshape(pack, twin.BATCH, 28, 28, 3).swapaxes(0, 1)
    ordered = ordered.reshape(used, 28, 28, 3)
    keras_logits = np.asarray(model.discriminator(model.pack_examples(tf.constant(ordered)),
                                                  training=True))[:, 0]
    logits = fns["discriminate"](d, fns["pack"](images, mask))
    np.testing.assert_allclose(np.asarray(logits), keras_logits, rtol=1e-4, atol=1e-4)


def test_padded_slot_gets_zero_gradients():
    jax, jnp, fns = _jax()
    _, d = fns["init"](jax.random.PRNGKey(0))
    x = jax.random.normal(jax.random.PRNGKey(1), (twin.SLOTS * twin.BATCH, 28, 28, 3))
    mask = jnp.asarray([1.0, 0.0])
    grads = jax.grad(lambda d: fns["discriminate"](d, fns["pack"](x, mask)).mean())(d)
    assert np.all(np.asarray(grads["conv0"])[:, :, 3:] == 0.0)
    assert np.any(np.asarray(grads["conv0"])[:, :, :3] != 0.0)


def test_adam_is_keras_adam():
    jax, jnp, fns = _jax()
    import keras

    rng = np.random.default_rng(2)
    w0 = rng.standard_normal(6).astype(np.float32)
    variable = keras.Variable(w0)
    optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5)
    params, m, v = {"w": jnp.asarray(w0)}, {"w": jnp.zeros(6)}, {"w": jnp.zeros(6)}
    for t in range(1, 4):
        g = rng.standard_normal(6).astype(np.float32)
        optimizer.apply_gradients([(g, variable)])
        params, m, v = fns["adam"](params, {"w": jnp.asarray(g)}, m, v, float(t))
    np.testing.assert_allclose(np.asarray(params["w"]), variable.numpy(), rtol=1e-6, atol=1e-8)


def test_classifier_reads_digits_as_ganzoos(tmp_path):
    """The exported classifier in JAX gives the Keras classifier's logits on real digits."""
    jax, jnp, fns = _jax()
    from ganzoo.data import idx, sources
    from ganzoo.metrics import features

    path = str(tmp_path / "classifier.npz")
    assert twin.main(["--export_classifier", path]) == 0
    c = {k: jnp.asarray(v) for k, v in twin.load_classifier(path).items()}
    images, labels = idx.load_idx_split(sources.EMBEDDED_DIR, "test")
    x = images[:200].astype(np.float32) / 127.5 - 1.0
    network = features.mnist_classifier_network()
    network.load_weights(features.MNIST_WEIGHTS)
    _, keras_logits = network(x, training=False)
    logits = np.asarray(fns["classify"](c, jnp.asarray(x)))
    np.testing.assert_allclose(logits, np.asarray(keras_logits), rtol=1e-4, atol=1e-4)
    assert np.mean(logits.argmax(1) == labels[:200]) > 0.95


def test_step_moves_ema_and_moving_statistics():
    """One step: G's moving statistics become 0.9 (0.9 start + 0.1 s1) + 0.1 s2, the batch
    statistics of its two calls (the used slot's samples only), and the EMA 0.1 * start + 0.9 *
    new (ganzoo's first-step decay)."""
    jax, jnp, fns = _jax()
    state = fns["start"](jax.random.PRNGKey(3))
    data = jnp.asarray(np.random.default_rng(0).integers(0, 256, (50, 28, 28, 3), np.uint8))
    mask = jnp.asarray([1.0, 0.0])
    new = fns["step"](state, mask, data)
    # the step's own noise: key folded with t = 1, split into real, D's noise, G's noise
    _, k_zd, k_zg = jax.random.split(jax.random.fold_in(state["key"], 1), 3)
    rows = jnp.repeat(mask, twin.BATCH)
    s1, s2 = (fns["generate"](state["g"], jax.random.normal(k, (2 * twin.BATCH, 100)), rows)[1]
              for k in (k_zd, k_zg))
    for layer in (0, 1):
        for j, start in ((0, 0.0), (1, 1.0)):  # means from 0, variances from 1
            expected = 0.9 * (0.9 * start + 0.1 * np.asarray(s1[layer][j])) + 0.1 * np.asarray(
                s2[layer][j])
            np.testing.assert_allclose(np.asarray(new["moving"][layer][j]), expected, rtol=1e-4,
                                       atol=1e-6)
    ema = 0.1 * np.asarray(state["g"]["dense"]) + 0.9 * np.asarray(new["g"]["dense"])
    np.testing.assert_allclose(np.asarray(new["ema"]["g"]["dense"]), ema, rtol=1e-5, atol=1e-8)
    ema_var = 0.1 * 1.0 + 0.9 * np.asarray(new["moving"][1][1])
    np.testing.assert_allclose(np.asarray(new["ema"]["moving"][1][1]), ema_var, rtol=1e-5)
    assert float(new["t"]) == 2.0


@pytest.mark.parametrize("argv, message", [
    (["--classifier", "c.npz", "--packs", "3"], "--packs: give comma-separated packs of 1 to 2"),
    (["--classifier", "c.npz", "--steps", "0"], "must be positive"),
    ([], "give --classifier NPZ"),
])
def test_bad_arguments_name_the_valid_choices(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        twin.parse_args(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_missing_classifier_is_one_line(tmp_path):
    with pytest.raises(SystemExit, match=r"no file .* \(make it with --export_classifier\)"):
        twin.main(["--classifier", str(tmp_path / "none.npz")])
    np.savez(tmp_path / "other.npz", a=np.zeros(1))
    with pytest.raises(SystemExit, match="not the MNIST classifier's weights"):
        twin.main(["--classifier", str(tmp_path / "other.npz")])


def test_summary_and_plot_read_a_written_csv(tmp_path):
    path = tmp_path / "runs.csv"
    path.write_text("step,seconds,pack,seed,modes,kl\n10,1,1,0,900,0.8000\n10,1,1,1,950,0.6000\n"
                    "20,2,1,0,990,0.3000\n20,2,1,1,1000,0.1000\n")
    (line,) = twin.summary(twin.read_csv(str(path)))
    assert line == ("DCGAN, step 20, 2 seeds: modes 995.0 ± 7.1, KL 0.200 ± 0.141; paper 78.9 / "
                    "4.50; goal 1000 / <= 0.1")
    png = tmp_path / "curves.png"
    assert twin.main(["--from_csv", str(path), "--plot", str(png)]) == 0
    assert png.stat().st_size > 10_000
