"""DCGAN (Radford et al. 2015, https://arxiv.org/abs/1511.06434)."""

import keras

from ganzoo.layers import DropReference, Dropout, PrependReference, VirtualBatchNorm
from ganzoo.models.base import GANModel
from ganzoo.registry import register_model


def upsampling_plan(image_shape, min_size=4):
    """(start H, start W, number of 2x stages) so that start * 2^stages = (H, W), start >= 4."""
    if len(image_shape) != 3:
        raise ValueError(f"a convolutional GAN needs image_shape (H, W, C), got {tuple(image_shape)}")
    height, width = image_shape[:2]
    stages = 0
    while (height % 2 ** (stages + 1) == 0 and width % 2 ** (stages + 1) == 0
           and min(height, width) // 2 ** (stages + 1) >= min_size):
        stages += 1
    if stages == 0:
        raise ValueError(
            f"image size {height}x{width} must be divisible by 2 at least once with sides >= "
            f"{2 * min_size} (e.g. 28x28, 32x32, 64x64)"
        )
    return height // 2 ** stages, width // 2 ** stages, stages


@register_model("dcgan")
@keras.saving.register_keras_serializable(package="ganzoo")
class DCGAN(GANModel):
    """Radford et al. 2015: all-convolutional generator and discriminator with batch norm.

    G projects z to a small feature map, then doubles its size with stride-2 transposed
    convolutions (batch norm, ReLU), ending in tanh. D mirrors it with stride-2 convolutions,
    LeakyReLU(0.2) and batch norm on every layer but the first. Weights ~ N(0, 0.02), Adam(2e-4,
    beta_1=0.5). The number of stages follows the image size (28x28: 7 -> 14 -> 28; 64x64: 4 ->
    ... -> 64). Batch norm is synchronized across replicas under a distribution strategy.
    Options beyond the paper: dropout in D (``d_dropout``), minibatch features in D and virtual
    batch norm in G (``minibatch``, ``vbn_reference``: see ``GANModel``).

    Example:
        >>> model = ganzoo.build("dcgan", image_shape=(28, 28, 1))
        >>> model.compile(); model.fit(ganzoo.data.pipeline(ganzoo.data.load("mnist"), 64))
    """

    supports_vbn = True

    # a small instance for smoke tests and quick checks
    tiny_args = dict(image_shape=(16, 16, 1), latent_dim=4, g_filters=8, d_filters=8, kernel_size=3)

    def __init__(self, g_filters=64, d_filters=64, kernel_size=5, d_dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        self.d_dropout = float(d_dropout)
        self.g_filters = int(g_filters)
        self.d_filters = int(d_filters)
        self.kernel_size = int(kernel_size)
        upsampling_plan(self.image_shape)
        self._build_networks()

    def _init(self):
        return keras.initializers.RandomNormal(0.0, 0.02)

    def _batch_norm(self):
        return keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, synchronized=True)

    def _generator_norm(self):
        if self.vbn_reference:
            return VirtualBatchNorm(self.vbn_reference)
        return self._batch_norm()

    def generator_input(self):
        """(model inputs, the vector the first dense layer projects). AC-GAN adds the class."""
        z = keras.Input((self.latent_dim,), name="z")
        return z, z

    def discriminator_output(self, features):
        """D's outputs from its flattened features: one real/fake logit (AC-GAN adds classes)."""
        return keras.layers.Dense(1, kernel_initializer=self._init(), name="logit")(features)

    def build_generator(self):
        h0, w0, stages = upsampling_plan(self.image_shape)
        filters = self.g_filters * 2 ** (stages - 1)
        inputs, h = self.generator_input()
        if self.vbn_reference:
            h = PrependReference(self.vbn_reference, self.latent_prior)(h)
        h = keras.layers.Dense(h0 * w0 * filters, use_bias=False, kernel_initializer=self._init())(h)
        h = keras.layers.Reshape((h0, w0, filters))(h)
        h = keras.layers.ReLU()(self._generator_norm()(h))
        for stage in range(stages - 1):
            filters //= 2
            h = keras.layers.Conv2DTranspose(filters, self.kernel_size, strides=2, padding="same",
                                             use_bias=False, kernel_initializer=self._init())(h)
            h = keras.layers.ReLU()(self._generator_norm()(h))
        out = keras.layers.Conv2DTranspose(self.image_shape[-1], self.kernel_size, strides=2,
                                           padding="same", activation="tanh",
                                           kernel_initializer=self._init())(h)
        if self.vbn_reference:
            out = DropReference(self.vbn_reference)(out)
        return keras.Model(inputs, out, name="generator")

    def build_discriminator(self):
        _, _, stages = upsampling_plan(self.image_shape)
        x = keras.Input(self.d_input_shape, name="x")
        h = x
        for stage in range(stages):
            h = keras.layers.Conv2D(self.d_filters * 2 ** stage, self.kernel_size, strides=2,
                                    padding="same", use_bias=stage == 0,
                                    kernel_initializer=self._init())(h)
            if stage > 0:
                h = self._batch_norm()(h)
            h = keras.layers.LeakyReLU(0.2)(h)
            if self.d_dropout:
                h = Dropout(self.d_dropout)(h)
        features = self.apply_minibatch_features(keras.layers.Flatten()(h))
        return keras.Model(x, self.discriminator_output(features), name="discriminator")

    def get_config(self):
        return {
            **super().get_config(),
            "g_filters": self.g_filters,
            "d_filters": self.d_filters,
            "kernel_size": self.kernel_size,
            "d_dropout": self.d_dropout,
        }
