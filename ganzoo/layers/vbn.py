"""Virtual batch normalization (Salimans et al. 2016, https://arxiv.org/abs/1606.03498, 3.4).

Each example is normalised with the statistics of a fixed reference batch together with itself,
so an output depends on its own input and the reference, never on the rest of its minibatch.
The reference travels through the network with the batch: ``PrependReference`` puts the fixed
reference inputs in front of every batch, each ``VirtualBatchNorm`` takes its statistics from
those leading rows, and ``DropReference`` removes them at the output.
"""

import keras
from keras import ops

from ganzoo.rng import latent_bound


@keras.saving.register_keras_serializable(package="ganzoo")
class PrependReference(keras.layers.Layer):
    """``[reference; x]``: a fixed reference batch of ``reference_size`` rows drawn once from
    ``prior`` (a latent prior of ``ganzoo.rng.LATENT_PRIORS``, the generator's: N(0, 1) by
    default; a non-trainable weight, saved with the model) in front of the inputs ``x``."""

    def __init__(self, reference_size=64, prior="normal", **kwargs):
        super().__init__(**kwargs)
        self.reference_size = int(reference_size)
        self.prior = str(prior)
        latent_bound(self.prior)  # ValueError naming the valid priors

    def build(self, input_shape):
        bound = latent_bound(self.prior)
        initializer = (keras.initializers.RandomNormal(stddev=1.0) if bound is None
                       else keras.initializers.RandomUniform(-bound, bound))
        self.reference = self.add_weight(
            shape=(self.reference_size,) + tuple(input_shape[1:]), trainable=False,
            initializer=initializer, name="reference")

    def call(self, x):
        return ops.concatenate([ops.cast(self.reference, x.dtype), x], axis=0)

    def compute_output_shape(self, input_shape):
        return (None,) + tuple(input_shape[1:])

    def get_config(self):
        return {**super().get_config(), "reference_size": self.reference_size, "prior": self.prior}


@keras.saving.register_keras_serializable(package="ganzoo")
class DropReference(keras.layers.Layer):
    """Removes the ``reference_size`` leading rows that ``PrependReference`` added."""

    def __init__(self, reference_size=64, **kwargs):
        super().__init__(**kwargs)
        self.reference_size = int(reference_size)

    def call(self, x):
        return x[self.reference_size:]

    def compute_output_shape(self, input_shape):
        return (None,) + tuple(input_shape[1:])

    def get_config(self):
        return {**super().get_config(), "reference_size": self.reference_size}


@keras.saving.register_keras_serializable(package="ganzoo")
class VirtualBatchNorm(keras.layers.Layer):
    """Normalises each example with the statistics of the reference rows plus itself.

    The first ``reference_size`` rows of the input are the reference batch R (mean ``mu_R`` and
    mean square ``s_R`` per channel, over rows and positions). The reference rows are normalised
    with (mu_R, s_R); every other example x with ``mu = a x_mean + (1 - a) mu_R``,
    ``s = a x_meansq + (1 - a) s_R``, ``a = 1 / (reference_size + 1)``, where x_mean and x_meansq
    are the example's own per-channel means over its positions. Then ``gamma * (x - mu) /
    sqrt(s - mu^2 + epsilon) + beta``. The same in training and inference.
    """

    def __init__(self, reference_size=64, epsilon=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.reference_size = int(reference_size)
        self.epsilon = float(epsilon)

    def build(self, input_shape):
        channels = int(input_shape[-1])
        self.gamma = self.add_weight(shape=(channels,), initializer="ones", name="gamma")
        self.beta = self.add_weight(shape=(channels,), initializer="zeros", name="beta")

    def call(self, x):
        spatial = tuple(range(1, len(x.shape) - 1))
        ref, rest = x[:self.reference_size], x[self.reference_size:]
        ref_mean = ops.mean(ref, axis=(0,) + spatial, keepdims=True)
        ref_sq = ops.mean(ops.square(ref), axis=(0,) + spatial, keepdims=True)
        a = 1.0 / (self.reference_size + 1.0)
        own_mean = ops.mean(rest, axis=spatial, keepdims=True) if spatial else rest
        own_sq = ops.mean(ops.square(rest), axis=spatial, keepdims=True) if spatial else ops.square(rest)
        mean = a * own_mean + (1.0 - a) * ref_mean
        sq = a * own_sq + (1.0 - a) * ref_sq
        gamma, beta = ops.cast(self.gamma, x.dtype), ops.cast(self.beta, x.dtype)

        def norm(v, m, s):
            return gamma * (v - m) / ops.sqrt(ops.maximum(s - ops.square(m), 0.0) + self.epsilon) + beta

        return ops.concatenate([norm(ref, ref_mean, ref_sq), norm(rest, mean, sq)], axis=0)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "reference_size": self.reference_size,
                "epsilon": self.epsilon}
