"""The latent prior (``latent_prior``): every draw of z follows it, checked against SciPy's
distributions by Kolmogorov-Smirnov tests, and it travels with the model."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from scipy import stats

import ganzoo
from ganzoo import rng, serving
from ganzoo.registry import get_model_class

ROOT3 = np.sqrt(3.0)
# prior -> the SciPy distribution of one coordinate
REFERENCE = {"normal": stats.norm(), "uniform": stats.uniform(-1.0, 2.0),
             "uniform_sqrt3": stats.uniform(-ROOT3, 2 * ROOT3)}


def tiny(name, **kwargs):
    return ganzoo.build(name, **dict(get_model_class(name).tiny_args, **kwargs))


def assert_follows(values, prior):
    """Every coordinate pooled: the KS test cannot tell them from the prior, and they cannot
    pass for either other prior."""
    values = np.asarray(values, np.float64).ravel()
    assert stats.kstest(values, REFERENCE[prior].cdf).pvalue > 1e-3
    for other, dist in REFERENCE.items():
        if other != prior:
            assert stats.kstest(values, dist.cdf).pvalue < 1e-6, other


def test_the_priors_are_the_papers_and_uniform_sqrt3_has_unit_variance():
    assert set(rng.LATENT_PRIORS) == set(REFERENCE)
    assert REFERENCE["uniform_sqrt3"].var() == pytest.approx(1.0)
    assert rng.latent_bound("normal") is None and rng.latent_bound("uniform") == 1.0
    assert rng.latent_bound("uniform_sqrt3") == pytest.approx(ROOT3)


@pytest.mark.parametrize("prior", sorted(REFERENCE))
def test_sample_latents_and_the_training_draws_follow_the_prior(prior):
    model = tiny("gan", latent_prior=prior)
    assert model.get_config()["latent_prior"] == prior
    z = model.sample_latents(4000, seed=3)
    assert z.dtype == np.float32 and z.shape == (4000, model.latent_dim)
    assert_follows(z, prior)
    np.testing.assert_array_equal(z, model.sample_latents(4000, seed=3))
    # the latents of a training step: drawn in the graph from the step's random stream
    model.compile()
    with rng.random_stream(model.seed, tf.constant(7, tf.int64), rng.G_NETWORK, 0) as stream:
        drawn, _ = model._fake_inputs(stream, 4000)
    assert_follows(drawn.numpy(), prior)
    bound = rng.latent_bound(prior)
    if bound is not None:
        assert np.abs(z).max() <= bound and np.abs(drawn.numpy()).max() <= bound


def test_the_virtual_batch_norm_reference_is_drawn_from_the_prior():
    for prior in ("normal", "uniform_sqrt3"):
        model = ganzoo.build("gan", image_shape=(28, 28, 1), g_units=(16,), d_units=(8,),
                             vbn_reference=512, latent_prior=prior)
        (reference,) = [w for w in model.generator.weights if "reference" in w.path]
        assert reference.shape == (512, model.latent_dim)
        assert_follows(reference.numpy(), prior)


def test_the_prior_travels_with_the_model_and_its_export(tmp_path):
    model = tiny("dcgan", latent_prior="uniform", ema_decay=0.5)
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.latent_prior == "uniform"
    np.testing.assert_array_equal(loaded.sample_latents(5, seed=1), model.sample_latents(5, seed=1))
    # the exports' `sample` signature draws from the prior (tests/test_serving.py runs an export
    # of such a model in a fresh process)
    drawn = serving.serving_latents(3, 2000, model.latent_dim, "uniform").numpy()
    assert_follows(drawn, "uniform")
    normal = serving.serving_latents(3, 2000, model.latent_dim).numpy()
    assert_follows(normal, "normal")


def test_unknown_priors_fail_naming_the_valid_ones():
    with pytest.raises(ValueError, match="unknown latent_prior 'cauchy'; valid: normal, uniform, "
                                         "uniform_sqrt3"):
        tiny("gan", latent_prior="cauchy")
    with pytest.raises(ValueError, match="pix2pix has no latent vector"):
        tiny("pix2pix", latent_prior="uniform")
    assert "latent_prior" not in tiny("pix2pix").get_config()
