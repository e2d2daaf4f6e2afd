"""The layer library against its papers' formulas, computed independently with NumPy."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from ganzoo import layers as L

RNG = np.random.default_rng(0)


def randn(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def top_singular_value(kernel):
    kernel = np.asarray(kernel, np.float64)
    return np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]


# -- spectral norm ----------------------------------------------------------------------------

SN_CASES = [
    ("dense", lambda: keras.layers.Dense(7), (3, 5)),
    ("conv", lambda: keras.layers.Conv2D(4, 3, padding="same"), (2, 6, 6, 3)),
    ("deconv", lambda: keras.layers.Conv2DTranspose(4, 3, strides=2, padding="same"), (2, 6, 6, 3)),
    ("embedding", lambda: keras.layers.Embedding(10, 6), None),
]


def sn_input(shape):
    return np.array([1, 2, 3, 9]) if shape is None else randn(*shape)


@pytest.mark.parametrize("kind,make,shape", SN_CASES, ids=[c[0] for c in SN_CASES])
def test_spectral_norm_power_iteration_converges_to_unit_top_singular_value(kind, make, shape):
    inner = make()
    layer = L.SpectralNorm(inner)
    x = sn_input(shape)
    layer(x)
    raw = np.asarray(layer.kernel)
    for _ in range(300):
        layer(x, training=True)
    np.testing.assert_allclose(float(layer.sigma()), top_singular_value(raw), rtol=1e-3)
    assert abs(top_singular_value(layer.normalized_kernel()) - 1.0) < 1e-3
    # the trainable kernel itself is left as it is (the paper's reparametrisation)
    np.testing.assert_array_equal(np.asarray(layer.kernel), raw)
    # the layer computes its operation with W / sigma
    expected = np.asarray(inner(x)) if kind == "embedding" else None
    if kind == "embedding":
        expected = raw[x] / top_singular_value(raw)
    elif kind == "dense":
        expected = x @ (raw / top_singular_value(raw)) + np.asarray(inner.bias)
    if expected is not None:
        np.testing.assert_allclose(np.asarray(layer(x)), expected, rtol=2e-3, atol=1e-5)
    else:  # convolutions are linear in the kernel: f(W / s) - b == (f(W) - b) / s
        bias = np.asarray(inner.bias)
        np.testing.assert_allclose(np.asarray(layer(x)) - bias,
                                   (np.asarray(inner(x)) - bias) / top_singular_value(raw),
                                   rtol=2e-3, atol=1e-5)


def test_spectral_norm_updates_u_only_in_training_and_where_enabled():
    layer = L.SpectralNorm(keras.layers.Dense(4))
    x = randn(2, 3)
    layer(x)
    u0 = np.array(layer.vector_u)
    layer(x, training=False)
    np.testing.assert_array_equal(np.asarray(layer.vector_u), u0)
    with L.power_iteration(False):
        layer(x, training=True)
    np.testing.assert_array_equal(np.asarray(layer.vector_u), u0)
    layer(x, training=True)
    assert not np.allclose(np.asarray(layer.vector_u), u0)


def test_spectral_norm_gradient_flows_through_sigma():
    # d/dW sum(x @ W/sigma) with sigma = v W u^T: G/sigma - <G, W>/sigma^2 v^T u, G = x^T 1
    layer = L.SpectralNorm(keras.layers.Dense(3, use_bias=False))
    x = randn(4, 5)
    layer(x)
    for _ in range(5):
        layer(x, training=True)
    w = np.asarray(layer.kernel, np.float64)
    u = np.asarray(layer.vector_u, np.float64)
    v = u @ w.T
    v /= np.linalg.norm(v)
    sigma = float((v @ w @ u.T)[0, 0])
    with tf.GradientTape() as tape:
        with L.power_iteration(False):
            out = tf.reduce_sum(layer(x, training=True))
    grad = np.asarray(tape.gradient(out, layer.kernel))
    g = x.astype(np.float64).T @ np.ones((4, 3))
    expected = g / sigma - np.sum(g * w) / sigma ** 2 * (v.T @ u)
    np.testing.assert_allclose(grad, expected, rtol=1e-4, atol=1e-5)


def test_spectral_norm_moves_u_once_per_discriminator_step():
    model = ganzoo.build("sngan", **ganzoo.registry.get_model_class("sngan").tiny_args)
    model.compile(d_steps=1)
    sn = [l for l in model.discriminator._flatten_layers() if isinstance(l, L.SpectralNorm)][0]
    u0 = np.asarray(sn.vector_u, np.float64)
    w0 = np.asarray(sn.kernel, np.float64).reshape(-1, sn.kernel_shape[-1])
    data = tf.data.Dataset.from_tensors(randn(8, 16, 16, 1))
    model.fit(data, epochs=1, verbose=0)
    v = u0 @ w0.T
    v /= np.linalg.norm(v)
    u1 = v @ w0
    u1 /= np.linalg.norm(u1)  # exactly one power iteration, from the weights before the update
    np.testing.assert_allclose(np.asarray(sn.vector_u), u1, rtol=1e-4, atol=1e-6)


def test_spectral_norm_estimate_before_the_first_update_uses_a_unit_vector():
    layer = L.SpectralNorm(keras.layers.Dense(16))
    layer.build((None, 32))
    w = np.array(layer.kernel, np.float64)
    u = np.array(layer.vector_u, np.float64)
    assert np.linalg.norm(u) < 0.5  # the initial draw is far from unit length
    u_hat = u / np.linalg.norm(u)
    v = u_hat @ w.T
    v /= np.linalg.norm(v)
    expected = float((v @ w @ u_hat.T).item())
    assert float(layer.sigma()) == pytest.approx(expected, rel=1e-5)
    assert expected <= np.linalg.svd(w, compute_uv=False)[0] * (1 + 1e-6)


def test_spectral_norm_under_mixed_precision():
    layer = L.SpectralNorm(keras.layers.Dense(4, dtype="mixed_float16"))
    x = randn(3, 6)
    for _ in range(100):
        y = layer(x, training=True)
    assert y.dtype == "float16"
    assert layer.vector_u.dtype == "float32" and layer.kernel.dtype == "float32"
    assert abs(top_singular_value(layer.normalized_kernel()) - 1.0) < 1e-3
    np.testing.assert_allclose(np.asarray(y, np.float32),
                               x @ np.asarray(layer.normalized_kernel()) + np.asarray(layer.layer.bias),
                               rtol=2e-2, atol=2e-2)


def test_spectral_norm_rejects_other_layers():
    with pytest.raises(ValueError, match="Dense, Conv2D, Conv2DTranspose or Embedding"):
        L.SpectralNorm(keras.layers.LSTM(3))


# -- self-attention ---------------------------------------------------------------------------

def _max_pool_2x2_same(x):
    """NumPy 2x2 max pooling, stride 2, with "same" padding (odd sides keep their last row)."""
    b, h, w, c = x.shape
    padded = np.full((b, h + h % 2, w + w % 2, c), -np.inf)
    padded[:, :h, :w] = x
    return padded.reshape(b, (h + 1) // 2, 2, (w + 1) // 2, 2, c).max(axis=(2, 4))


def test_self_attention_pools_keys_and_values_as_the_authors_code():
    x = randn(2, 5, 4, 16)  # an odd side: "same" pooling keeps the last row
    block = L.SelfAttention(use_spectral_norm=False)
    block(x)
    block.gamma.assign(0.7)
    flat = x.reshape(2, 20, 16)
    f = flat @ np.asarray(block.query.kernel)[0, 0]
    g = _max_pool_2x2_same(x @ np.asarray(block.key.kernel)[0, 0]).reshape(2, 6, -1)
    h = _max_pool_2x2_same(x @ np.asarray(block.value.kernel)[0, 0]).reshape(2, 6, -1)
    logits = f @ g.transpose(0, 2, 1)
    beta = np.exp(logits - logits.max(-1, keepdims=True))
    beta /= beta.sum(-1, keepdims=True)
    assert np.asarray(block.attention_map(x)).shape == (2, 20, 6)
    o = (beta @ h) @ np.asarray(block.out.kernel)[0, 0]
    np.testing.assert_allclose(np.asarray(block(x)), x + 0.7 * o.reshape(x.shape), rtol=1e-4, atol=1e-5)


def test_self_attention_starts_as_identity_and_matches_the_formula():
    x = randn(2, 4, 3, 16)
    block = L.SelfAttention(use_spectral_norm=False, pool_size=1)
    np.testing.assert_array_equal(np.asarray(block(x)), x)  # gamma starts at 0
    block.gamma.assign(0.7)
    f = x.reshape(2, 12, 16) @ np.asarray(block.query.kernel)[0, 0]
    g = x.reshape(2, 12, 16) @ np.asarray(block.key.kernel)[0, 0]
    h = x.reshape(2, 12, 16) @ np.asarray(block.value.kernel)[0, 0]
    logits = f @ g.transpose(0, 2, 1)
    beta = np.exp(logits - logits.max(-1, keepdims=True))
    beta /= beta.sum(-1, keepdims=True)
    o = (beta @ h) @ np.asarray(block.out.kernel)[0, 0]
    np.testing.assert_allclose(np.asarray(block(x)), x + 0.7 * o.reshape(x.shape), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(np.asarray(block.attention_map(x)).sum(-1), 1.0, rtol=1e-5)


# -- conditioning -----------------------------------------------------------------------------

def test_conditional_batch_norm_uses_the_class_gain_and_bias():
    x, labels = randn(6, 2, 2, 3), np.array([0, 1, 2, 0, 1, 2])
    layer = L.ConditionalBatchNorm(3, synchronized=False)
    layer([x, labels])
    gamma, beta = randn(3, 3), randn(3, 3)
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    mean, var = x.mean((0, 1, 2)), x.var((0, 1, 2))
    expected = gamma[labels][:, None, None] * (x - mean) / np.sqrt(var + 1e-5) + beta[labels][:, None, None]
    np.testing.assert_allclose(np.asarray(layer([x, labels], training=True)), expected, rtol=1e-4, atol=1e-5)


def test_projection_head_is_psi_plus_inner_product_with_the_class_embedding():
    h, labels = randn(5, 8), np.array([0, 3, 1, 3, 2])
    head = L.ProjectionHead(4, use_spectral_norm=False)
    head([h, labels])
    w, b = np.asarray(head.linear.kernel), np.asarray(head.linear.bias)
    embed = np.asarray(head.embed.embeddings)
    expected = h @ w + b + np.sum(embed[labels] * h, axis=1, keepdims=True)
    np.testing.assert_allclose(np.asarray(head([h, labels])), expected, rtol=1e-5, atol=1e-5)
    plain = L.ProjectionHead(0, use_spectral_norm=False)
    assert plain(h).shape == (5, 1)


# -- residual blocks --------------------------------------------------------------------------

def test_residual_blocks_are_shortcut_plus_residual():
    x = randn(2, 4, 4, 6)
    down = L.ResBlockDown(6, downsample=False, use_spectral_norm=False)
    assert down(x).shape == (2, 4, 4, 6) and down.shortcut is None
    down.conv2.kernel.assign(np.zeros(down.conv2.kernel.shape))
    np.testing.assert_allclose(np.asarray(down(x)), x, atol=1e-6)  # residual off: the identity
    first = L.ResBlockDown(8, first=True, use_spectral_norm=True)
    assert first(x).shape == (2, 2, 2, 8)
    up = L.ResBlockUp(5, num_classes=3, synchronized=False)
    labels = np.array([0, 2])
    assert up([x, labels]).shape == (2, 8, 8, 5)
    up.conv2.kernel.assign(np.zeros(up.conv2.kernel.shape))
    upsampled = x.repeat(2, axis=1).repeat(2, axis=2)
    expected = upsampled @ np.asarray(up.shortcut.kernel)[0, 0] + np.asarray(up.shortcut.bias) \
        + np.asarray(up.conv2.bias)
    np.testing.assert_allclose(np.asarray(up([x, labels], training=True)), expected, rtol=1e-4, atol=1e-5)


# -- minibatch features and virtual batch norm --------------------------------------------------

def test_minibatch_discrimination_formula():
    f = randn(5, 4)
    layer = L.MinibatchDiscrimination(num_kernels=3, kernel_dim=2)
    out = np.asarray(layer(f))
    m = (f @ np.asarray(layer.tensor)).reshape(5, 3, 2)
    expected = np.zeros((5, 3))
    for i in range(5):
        for j in range(5):
            if i != j:
                expected[i] += np.exp(-np.abs(m[i] - m[j]).sum(-1))
    np.testing.assert_allclose(out[:, :4], f)
    np.testing.assert_allclose(out[:, 4:], expected, rtol=1e-5, atol=1e-6)


def test_minibatch_stddev_formula():
    x = randn(8, 3, 3, 2)
    out = np.asarray(L.MinibatchStdDev(group_size=4)(x))
    assert out.shape == (8, 3, 3, 3)
    for g in range(2):
        group = x[4 * g:4 * g + 4].astype(np.float64)
        stat = np.sqrt(group.var(0) + 1e-8).mean()
        np.testing.assert_allclose(out[4 * g:4 * g + 4, :, :, 2], stat, rtol=1e-5)
    flat = np.asarray(L.MinibatchStdDev(group_size=4)(randn(6, 5)))  # 6 % 4 != 0: one group
    assert flat.shape == (6, 6) and np.allclose(flat[:, 5], flat[0, 5])


def test_virtual_batch_norm_formula_and_independence_from_the_batch():
    ref, rest = randn(4, 3), randn(2, 3)
    layer = L.VirtualBatchNorm(reference_size=4)
    out = np.asarray(layer(np.concatenate([ref, rest])))
    a = 1 / 5
    mu = a * rest + (1 - a) * ref.mean(0)
    sq = a * rest ** 2 + (1 - a) * (ref ** 2).mean(0)
    np.testing.assert_allclose(out[4:], (rest - mu) / np.sqrt(sq - mu ** 2 + 1e-5), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(out[:4], (ref - ref.mean(0)) / np.sqrt(ref.var(0) + 1e-5), rtol=1e-4, atol=1e-5)
    # an example's output depends on the reference and itself only
    model = ganzoo.build("gan", image_shape=(2,), g_units=(8,), d_units=(4,), d_pieces=2,
                         vbn_reference=16)
    z = model.sample_latents(6, seed=0)
    alone = model.generate_from_latents(z[:1])
    np.testing.assert_allclose(model.generate_from_latents(z)[:1], alone, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="virtual batch norm is available in"):
        ganzoo.build("sngan", vbn_reference=8)


LAYERS = [
    lambda: L.SpectralNorm(keras.layers.Conv2D(3, 3)),
    lambda: L.SelfAttention(key_ratio=4),
    lambda: L.ConditionalBatchNorm(5),
    lambda: L.ProjectionHead(5),
    lambda: L.ResBlockUp(4, num_classes=2),
    lambda: L.ResBlockDown(4, downsample=False),
    lambda: L.MinibatchDiscrimination(7, 3),
    lambda: L.MinibatchStdDev(2),
    lambda: L.VirtualBatchNorm(3),
    lambda: L.PrependReference(3),
    lambda: L.DropReference(3),
    lambda: L.GlobalSumPooling2D(),
    lambda: L.GaussianNoise(0.3),
    lambda: L.WeightNormDense(4, activation="relu", init_scale=0.1, train_scale=False),
]


def test_weight_norm_dense_formula_and_data_dependent_init():
    """w = g v / ||v|| per output unit (Salimans & Kingma 2016, eq. 2); the data-dependent init
    (their Sec. 3) leaves pre-activations of mean 0 and standard deviation init_scale."""
    layer = L.WeightNormDense(3, init_scale=0.5, train_scale=False)
    x = randn(64, 5) * 3 + 1
    layer(x)
    v, g, b = (np.asarray(w, np.float64) for w in (layer.v, layer.g, layer.bias))
    np.testing.assert_allclose(layer(x), x @ (v * g / np.linalg.norm(v, axis=0)) + b, rtol=1e-5, atol=1e-5)
    out = np.asarray(layer.initialize_from(x), np.float64)
    np.testing.assert_allclose(out.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(0), 0.5, rtol=1e-4)
    assert [w.name for w in layer.trainable_weights] == ["v", "bias"]  # g fixed
    trained = L.WeightNormDense(3)
    trained.build((None, 5))
    assert [w.name for w in trained.trainable_weights] == ["v", "g", "bias"]


def test_gaussian_noise_adds_the_stated_variance_only_in_training():
    x = np.zeros((4000, 8), np.float32)
    noise = L.GaussianNoise(0.5, seed=1)
    np.testing.assert_array_equal(noise(x, training=False), x)
    drawn = np.asarray(noise(x, training=True))
    assert abs(drawn.std() - 0.5) < 0.01 and abs(drawn.mean()) < 0.01


@pytest.mark.parametrize("make", LAYERS)
def test_layers_serialize(make):
    layer = make()
    clone = keras.layers.deserialize(keras.layers.serialize(layer))
    assert type(clone) is type(layer) and clone.get_config() == layer.get_config()


@pytest.mark.parametrize("kind", ["discrimination", "stddev"])
@pytest.mark.parametrize("name", ["gan", "dcgan", "sngan"])
def test_minibatch_features_through_the_config(name, kind):
    args = dict(ganzoo.registry.get_model_class(name).tiny_args)
    model = ganzoo.build(name, **args, minibatch=kind)
    layer_type = L.MinibatchDiscrimination if kind == "discrimination" else L.MinibatchStdDev
    assert any(isinstance(l, layer_type) for l in model.discriminator.layers)
    model.compile(d_steps=1)
    x = randn(8, *model.image_shape)
    history = model.fit(tf.data.Dataset.from_tensors(x), epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][-1])
    with pytest.raises(ValueError, match="valid: none, discrimination, stddev"):
        ganzoo.build(name, **args, minibatch="bogus")


def test_generator_spectral_norm_moves_once_per_generator_step():
    model = ganzoo.build("sagan", **ganzoo.registry.get_model_class("sagan").tiny_args)
    model.compile(d_steps=2)  # two D steps, one G step
    sn = [l for l in model.generator._flatten_layers() if isinstance(l, L.SpectralNorm)][0]
    u0 = np.asarray(sn.vector_u, np.float64)
    w0 = np.asarray(sn.kernel, np.float64).reshape(-1, sn.kernel_shape[-1])
    model.fit(tf.data.Dataset.from_tensors(randn(16, 16, 16, 1)), epochs=1, verbose=0)
    v = u0 @ w0.T
    v /= np.linalg.norm(v)
    u1 = v @ w0
    u1 /= np.linalg.norm(u1)  # G's weights do not change during D steps
    np.testing.assert_allclose(np.asarray(sn.vector_u), u1, rtol=1e-4, atol=1e-6)
