"""The original GAN (Goodfellow et al. 2014, https://arxiv.org/abs/1406.2661)."""

import math

import keras

from ganzoo.layers import DropReference, Dropout, Maxout, PrependReference, VirtualBatchNorm
from ganzoo.models.base import GANModel
from ganzoo.registry import register_model


@register_model("gan")
@keras.saving.register_keras_serializable(package="ganzoo")
class GAN(GANModel):
    """Goodfellow et al. 2014: an MLP generator against a maxout discriminator with dropout.

    The MNIST setup of the paper's code (pylearn2 ``mnist.yaml``): G has two ReLU layers of 1200
    units, D two maxout layers of 240 units with 5 pieces, dropout keeping 80% of D's inputs and
    50% of its hidden units; weights uniform in +-0.05 (G) and +-0.005 (D). ``d_max_norm`` caps
    the norm of each D unit's incoming weights (default 1.9365, the ``max_col_norm`` of the
    paper's TFD setup; its MNIST file has none: ``d_max_norm=0``). Optimizer: see
    ``default_compile_args`` below. G's output is a tanh and D reads images on [-1, 1], the
    zoo's scale; ``unit_pixels=True`` gives the paper's scale instead: G's last layer a sigmoid on
    [0, 1] (handed over as 2s - 1) and D reading (x + 1) / 2.
    Works on flat data too: ``image_shape=(2,)`` for 2-D points. ``g_batch_norm=True`` puts batch
    norm (synchronized across replicas) before each of G's ReLUs, as PacGAN's 2-D generators had.
    ``linear_scale=s`` (s > 0) gives the networks of PacGAN's 2-D experiments on the papers'
    coordinates while the data stay in the zoo's [-1, 1]: G's last layer is linear and its output
    is divided by s, D multiplies what it reads by s (for ``ring8`` s = 2.5, ``grid25`` s = 5,
    the factors ``ganzoo.data.toy`` scaled them by). The same functions in other units, but not
    the same training: Adam's steps and the initial weights are not scale-free, and in [-1, 1]
    units D needs s times larger first-layer weights to tell apart modes s times closer.

    ``compile(loss=...)`` picks the generator cost: ``minimax`` (log(1 - D(G(z)))),
    ``non_saturating`` (-log D(G(z)), the default, as the paper recommends in practice) or
    ``maximum_likelihood``; ``d_steps`` is the k of Algorithm 1.

    Example:
        >>> model = ganzoo.build("gan", image_shape=(2,), g_units=(128, 128), d_units=(128, 128))
        >>> model.compile(loss="minimax", d_steps=2)
    """

    # The paper trained with momentum SGD (lr 0.1, momentum 0.5); with tanh outputs on [-1, 1]
    # that recipe diverged here within 500 steps (losses in the thousands); with the paper's
    # pixel scale, D's rate halved (its objective there is half the zoo's) and no max-norm it
    # trains, but D stays ahead and 5,000 steps give a Parzen figure of 15 against Adam's 100
    # (goodfellow_parzen's paper_sgd row); so the default is Adam(2e-4, beta_1=0.5); SGD stays
    # one compile argument (or config field) away.
    default_compile_args = dict(GANModel.default_compile_args)
    supports_vbn = True

    # a small instance for smoke tests and quick checks
    tiny_args = dict(image_shape=(8, 8, 1), latent_dim=4, g_units=(16,), d_units=(8,), d_pieces=2)

    def __init__(self, g_units=(1200, 1200), d_units=(240, 240), d_pieces=5,
                 d_input_dropout=0.2, d_dropout=0.5, g_init_range=0.05, d_init_range=0.005,
                 d_max_norm=1.9365, g_batch_norm=False, unit_pixels=False, linear_scale=0.0,
                 **kwargs):
        super().__init__(**kwargs)
        self.g_batch_norm = bool(g_batch_norm)
        self.unit_pixels = bool(unit_pixels)
        self.linear_scale = float(linear_scale)
        if not self.linear_scale >= 0:
            raise ValueError(f"linear_scale must be >= 0 (0: G ends in tanh), got {linear_scale}")
        if self.linear_scale and self.unit_pixels:
            raise ValueError("linear_scale and unit_pixels both set G's output: pick one")
        if self.g_batch_norm and self.vbn_reference:
            raise ValueError("g_batch_norm and vbn_reference both normalise G's layers: pick one")
        self.g_units = tuple(int(u) for u in g_units)
        self.d_units = tuple(int(u) for u in d_units)
        self.d_pieces = int(d_pieces)
        self.d_input_dropout = float(d_input_dropout)
        self.d_dropout = float(d_dropout)
        self.g_init_range = float(g_init_range)
        self.d_init_range = float(d_init_range)
        self.d_max_norm = float(d_max_norm)
        self._build_networks()

    def build_generator(self):
        init = keras.initializers.RandomUniform(-self.g_init_range, self.g_init_range)
        z = keras.Input((self.latent_dim,), name="z")
        h = PrependReference(self.vbn_reference, self.latent_prior)(z) if self.vbn_reference else z
        for units in self.g_units:
            if self.vbn_reference:  # the paper's MLP has no norm; VBN goes before each ReLU
                h = keras.layers.Dense(units, kernel_initializer=init)(h)
                h = keras.layers.ReLU()(VirtualBatchNorm(self.vbn_reference)(h))
            elif self.g_batch_norm:
                h = keras.layers.Dense(units, kernel_initializer=init)(h)
                h = keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, synchronized=True)(h)
                h = keras.layers.ReLU()(h)
            else:
                h = keras.layers.Dense(units, activation="relu", kernel_initializer=init)(h)
        output = "linear" if self.linear_scale else "sigmoid" if self.unit_pixels else "tanh"
        h = keras.layers.Dense(math.prod(self.image_shape), activation=output,
                               kernel_initializer=init)(h)
        if self.unit_pixels:  # the paper's sigmoid on [0, 1], handed over on [-1, 1]
            h = keras.layers.Rescaling(2.0, offset=-1.0)(h)
        if self.linear_scale:  # from the papers' units to the data's
            h = keras.layers.Rescaling(1.0 / self.linear_scale)(h)
        if self.vbn_reference:
            h = DropReference(self.vbn_reference)(h)
        return keras.Model(z, keras.layers.Reshape(self.image_shape)(h), name="generator")

    def build_discriminator(self):
        init = keras.initializers.RandomUniform(-self.d_init_range, self.d_init_range)
        # the paper's code caps the L2 norm of each unit's incoming weights (max_col_norm)
        constraint = keras.constraints.MaxNorm(self.d_max_norm, axis=0) if self.d_max_norm else None
        x = keras.Input(self.d_input_shape, name="x")
        h = keras.layers.Flatten()(x)
        if self.unit_pixels:  # D reads the paper's [0, 1] pixels
            h = keras.layers.Rescaling(0.5, offset=0.5)(h)
        if self.linear_scale:  # D reads the papers' units
            h = keras.layers.Rescaling(self.linear_scale)(h)
        h = Dropout(self.d_input_dropout)(h)
        for units in self.d_units:
            h = keras.layers.Dense(units * self.d_pieces, kernel_initializer=init,
                                   kernel_constraint=constraint)(h)
            h = Maxout(self.d_pieces)(h)
            h = Dropout(self.d_dropout)(h)
        h = self.apply_minibatch_features(h)
        logit = keras.layers.Dense(1, kernel_initializer=init, kernel_constraint=constraint)(h)
        return keras.Model(x, logit, name="discriminator")

    def get_config(self):
        return {
            **super().get_config(),
            "g_units": list(self.g_units),
            "d_units": list(self.d_units),
            "d_pieces": self.d_pieces,
            "d_input_dropout": self.d_input_dropout,
            "d_dropout": self.d_dropout,
            "g_init_range": self.g_init_range,
            "d_init_range": self.d_init_range,
            "d_max_norm": self.d_max_norm,
            "g_batch_norm": self.g_batch_norm,
            "unit_pixels": self.unit_pixels,
            "linear_scale": self.linear_scale,
        }
