"""Mixed precision (``--config.train.mixed_precision``) and XLA (``--config.train.jit_compile``)
for every zoo entry: finite training under each policy, float32 variables and losses, and a
mixed run that stays near the float32 run from the same weights on the same data."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from conftest import draw, tiny_args
from test_models import batches

MODELS = ganzoo.list_models()
POLICIES = ("mixed_bfloat16", "mixed_float16")
# the entries and the layers they exercise: plain, batch norm + minibatch features, spectral
# norm, self-attention + conditional batch norm, weight norm, the paired U-Net
# conditional SAGAN (spectral norm, attention, conditional batch norm) runs in the default
# suite; the whole matrix is marked slow
VARIANTS = [pytest.param(name, {}, id=name, marks=pytest.mark.slow) for name in MODELS] + [
    pytest.param("sagan", {"num_classes": 3}, id="sagan-cond")]


def _build(name, policy, extra, jit_compile=False):
    keras.mixed_precision.set_global_policy(policy)
    try:
        model = ganzoo.build(name, **tiny_args(name, **extra))

        def optimizer():
            adam = keras.optimizers.Adam(2e-3, beta_1=0.5)
            return keras.optimizers.LossScaleOptimizer(adam) if policy == "mixed_float16" else adam

        model.compile(g_optimizer=optimizer(), d_optimizer=optimizer(), jit_compile=jit_compile)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    return model


def _fit(model, steps=3):
    history = model.fit(batches(model, steps=steps), epochs=1, verbose=0)
    return {k: v[-1] for k, v in history.history.items()}


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("name,extra", VARIANTS)
def test_every_entry_trains_under_mixed_precision(name, extra, policy):
    model = _build(name, policy, extra)
    compute = policy.split("_")[1]
    assert model.generator.layers[-1].compute_dtype == compute or any(
        layer.compute_dtype == compute for layer in model.generator.layers)
    # the discriminator's outputs reach the losses in float32 (a conditional projection D
    # returned its policy's dtype once)
    first, second = next(iter(batches(model, steps=1)))
    images, other = (second, first) if model.paired else (first, second)
    outputs = tf.nest.flatten(model.discriminate(images, other, False))
    assert outputs and {t.dtype for t in outputs} == {tf.float32}
    before = [np.array(w) for w in model.generator.trainable_weights]
    # float16's loss scale starts at 2^15 and halves on each overflowing step (skipped): the
    # first few steps of a network may apply nothing
    logs = _fit(model, steps=6)
    assert all(np.isfinite(v) for v in logs.values()), logs
    # variables stay float32 and move; samples come back as finite float32
    assert {w.dtype for w in model.trainable_weights} == {"float32"}
    assert any(not np.array_equal(a, np.array(w))
               for a, w in zip(before, model.generator.trainable_weights))
    out = draw(model, 4)
    assert out.dtype == np.float32 and np.all(np.isfinite(out))


@pytest.mark.parametrize("policy,tolerance", [("mixed_bfloat16", 0.1), ("mixed_float16", 0.02)])
def test_a_mixed_run_stays_near_the_float32_run(policy, tolerance):
    """dcgan from the same weights on the same batches (the same latents: they are drawn from
    the step's seed): after 3 steps the mixed generator's samples differ from the float32
    one's by less than ``tolerance`` x how far training moved the float32 samples (bfloat16
    keeps 8 bits of mantissa, float16 11), and the losses by less than 5%."""
    reference = _build("dcgan", "float32", {})
    mixed = _build("dcgan", policy, {})
    mixed.set_weights(reference.get_weights())
    untrained = draw(reference, 32, use_ema=False)
    logs32, logs_mixed = _fit(reference), _fit(mixed)
    for key in ("d_loss", "g_loss"):
        assert logs_mixed[key] == pytest.approx(logs32[key], rel=0.05)
    trained = draw(reference, 32, use_ema=False)
    moved = np.abs(trained - untrained).mean()
    gap = np.abs(trained - draw(mixed, 32, use_ema=False)).mean()
    print(f"{policy}: moved {moved:.4g}, gap {gap:.4g} ({gap / moved:.3f} of it)")
    assert gap < tolerance * moved


@pytest.mark.parametrize("name,extra", VARIANTS)
def test_every_entry_trains_with_xla(name, extra):
    model = _build(name, "float32", extra, jit_compile=True)
    logs = _fit(model, steps=2)
    assert all(np.isfinite(v) for v in logs.values()), logs
