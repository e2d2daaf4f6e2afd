"""Every loss against its paper's formula, written directly in NumPy on probabilities."""

import numpy as np
import pytest

from ganzoo import losses

RNG = np.random.default_rng(0)
REAL = RNG.normal(size=(6, 1)).astype(np.float32) * 3
FAKE = RNG.normal(size=(6, 1)).astype(np.float32) * 3


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x.astype(np.float64)))


def bce_d(r, f, smoothing=0.0):
    # Goodfellow 2014 eq. 1, D maximises log D(x) + log(1 - D(G(z)));
    # with one-sided smoothing the real target is t = 1 - smoothing (Salimans 2016, 3.4)
    t = 1.0 - smoothing
    dr, df = sigmoid(r), sigmoid(f)
    return -(t * np.log(dr) + (1 - t) * np.log(1 - dr)) - np.log(1 - df)


EXPECTED = {
    "minimax": (bce_d, lambda f: np.log(1 - sigmoid(f))),
    "non_saturating": (bce_d, lambda f: -np.log(sigmoid(f))),
    # -1/2 exp(sigma^-1(D(G(z)))): sigma^-1 of the probability recovers the logit
    "maximum_likelihood": (bce_d, lambda f: -0.5 * np.exp(np.log(sigmoid(f) / (1 - sigmoid(f))))),
    "hinge": (lambda r, f, s=0: np.maximum(0, 1 - r) + np.maximum(0, 1 + f), lambda f: -f),
    "wasserstein": (lambda r, f, s=0: f - r, lambda f: -f),
    "least_squares": (lambda r, f, s=0: 0.5 * (r - (1 - s)) ** 2 + 0.5 * f ** 2,
                      lambda f: 0.5 * (f - 1) ** 2),
}


def test_every_named_loss_has_a_reference():
    assert sorted(EXPECTED) == losses.list_losses()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_loss_matches_formula(name):
    pair = losses.get_loss(name)
    d_ref, g_ref = EXPECTED[name]
    d = np.asarray(pair.d_loss(REAL, FAKE))
    g = np.asarray(pair.g_loss(FAKE))
    assert d.shape == (6,) and g.shape == (6,)
    np.testing.assert_allclose(d, d_ref(REAL, FAKE)[:, 0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(g, g_ref(FAKE)[:, 0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["minimax", "non_saturating", "maximum_likelihood", "least_squares"])
def test_one_sided_label_smoothing(name):
    pair = losses.get_loss(name, label_smoothing=0.1)
    d_ref = EXPECTED[name][0]
    got = np.asarray(pair.d_loss(REAL, FAKE, 0.1))
    np.testing.assert_allclose(got, d_ref(REAL, FAKE, 0.1)[:, 0], rtol=1e-5, atol=1e-6)
    # one-sided: the fake term is unchanged, so the difference depends on real logits only
    other = np.asarray(pair.d_loss(REAL, FAKE + 1.0, 0.1)) - np.asarray(pair.d_loss(REAL, FAKE + 1.0))
    np.testing.assert_allclose(got - np.asarray(pair.d_loss(REAL, FAKE)), other, rtol=1e-4, atol=1e-5)


def test_minimax_and_non_saturating_gradients_differ_where_paper_says():
    # eq. 1's log(1 - D(G(z))) saturates when D rejects fakes (very negative logits): its
    # gradient vanishes, while -log D(G(z)) keeps a gradient near -1 (Goodfellow 2014, sec. 3)
    import tensorflow as tf

    f = tf.constant([[-10.0]])
    for name, expected in (("minimax", -sigmoid(np.array(-10.0))), ("non_saturating", -1 + sigmoid(np.array(-10.0)))):
        with tf.GradientTape() as tape:
            tape.watch(f)
            loss = losses.get_loss(name).g_loss(f)
        np.testing.assert_allclose(tape.gradient(loss, f).numpy()[0, 0], expected, rtol=1e-4)


def test_maximum_likelihood_is_finite_for_huge_logits():
    assert np.isfinite(np.asarray(losses.get_loss("maximum_likelihood").g_loss(np.array([[500.0]])))).all()


def test_multi_dimensional_logits_are_averaged_per_example():
    # a patch discriminator outputs [B, h, w, 1]: the loss is the mean over the patch
    patch = RNG.normal(size=(3, 4, 4, 1)).astype(np.float32)
    got = np.asarray(losses.get_loss("hinge").g_loss(patch))
    np.testing.assert_allclose(got, -patch.reshape(3, -1).mean(1), rtol=1e-5)


def test_bad_names_and_values():
    with pytest.raises(ValueError, match="valid losses: hinge, least_squares, maximum_likelihood"):
        losses.get_loss("nope")
    with pytest.raises(ValueError, match="not defined for the hinge loss"):
        losses.get_loss("hinge", label_smoothing=0.1)
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        losses.get_loss("minimax", label_smoothing=1.0)
