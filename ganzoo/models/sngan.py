"""SN-GAN (Miyato et al. 2018, https://arxiv.org/abs/1802.05957), with the projection
discriminator of Miyato & Koyama 2018 (https://arxiv.org/abs/1802.05637) when conditional."""

import keras

from ganzoo.layers import (GlobalSumPooling2D, ProjectionHead, ResBlockDown, ResBlockUp,
                           SelfAttention, spectral_norm)
from ganzoo.models.base import GANModel, as_float32
from ganzoo.models.dcgan import upsampling_plan
from ganzoo.registry import register_model


def default_downsampling(image_shape):
    """Halve the discriminator's maps while they are even and larger than 8 (32 -> 8, 28 -> 7)."""
    size, flags = min(image_shape[:2]), []
    while size > 8 and size % 2 == 0:
        flags.append(True)
        size //= 2
    return tuple(flags) + (False, False)


def paper_architecture(image_shape, width=64):
    """(g_channels, d_channels, d_downsample) of the papers for an image size.

    Below 64x64, SN-GAN's CIFAR-10 ResNet (Miyato et al. 2018, Table 4): 256 channels in every
    generator block; discriminator blocks of 128 that halve the maps down to 8x8, then two
    that keep them. From 64x64 up, the ImageNet ResNet of Miyato & Koyama 2018 (Section 5.2,
    ``ch = width = 64``; SAGAN's networks too): G starts at 4x4 with 16 ch and halves the
    width in every block (128x128: 1024, 512, 256, 128, 64); D starts at ch and doubles it in
    every block, halving the maps down to 4x4, then one block at 16 ch that keeps them
    (128x128: 64, 128, 256, 512, 1024 then 1024)."""
    _, _, stages = upsampling_plan(image_shape)
    if min(image_shape[:2]) < 64:
        flags = default_downsampling(image_shape)
        return (256,) * stages, (128,) * len(flags), flags
    g_channels = tuple(max(width * 16 // 2 ** i, width // 2) for i in range(stages))
    d_channels = tuple(min(width * 2 ** i, width * 16) for i in range(stages))
    return g_channels, d_channels + d_channels[-1:], (True,) * stages + (False,)


@register_model("sngan")
@keras.saving.register_keras_serializable(package="ganzoo")
class SNGAN(GANModel):
    """ResNet generator and spectrally normalised ResNet discriminator (appendix B, Table 4).

    G: z -> dense to the starting map (4x4 for 32x32 and 128x128, 7x7 for 28x28), one
    ``ResBlockUp`` per doubling (``g_channels`` gives their widths), batch norm, ReLU, 3x3 conv,
    tanh. D: ``ResBlockDown`` blocks (``d_channels`` widths, ``d_downsample`` flags; the first is
    the "optimized" block), ReLU, global sum pooling, a linear layer; every D weight spectrally
    normalised. Training (``compile`` defaults): hinge loss, ``n_dis = 5`` D steps per G step,
    Adam(2e-4, beta_1=0, beta_2=0.9).

    Conditional when built with ``num_classes >= 2``: conditional batch norm in G's blocks and a
    projection head in D. ``attention_resolution`` > 0 adds a ``SelfAttention`` block where the
    maps first have that height, in G and D, its keys and values max-pooled ``attention_pool`` x
    ``attention_pool`` as in the SAGAN authors' code (1: no pooling); ``g_spectral_norm``
    normalises G's weights too (both are what SAGAN adds). ``None`` widths are the papers' for the image size
    (``paper_architecture``): SN-GAN's CIFAR-10 ResNet below 64x64, the 128x128 ImageNet ResNet
    of the projection discriminator (and SAGAN) from 64x64 up. ``latent_dim`` is 128.

    Example:
        >>> model = ganzoo.build("sngan", image_shape=(32, 32, 3), num_classes=10)
        >>> model.compile()   # hinge, n_dis=5, Adam(2e-4, 0, 0.9)
    """

    conditioning = "optional"
    default_compile_args = dict(
        g_optimizer=dict(class_name="adam", config=dict(learning_rate=2e-4, beta_1=0.0, beta_2=0.9)),
        d_optimizer=dict(class_name="adam", config=dict(learning_rate=2e-4, beta_1=0.0, beta_2=0.9)),
        loss="hinge",
        d_steps=5,
        label_smoothing=0.0,
    )
    tiny_args = dict(image_shape=(16, 16, 1), latent_dim=4, g_channels=(8, 8),
                     d_channels=(8, 8), d_downsample=(True, False))

    def __init__(self, g_channels=None, d_channels=None, d_downsample=None,
                 g_spectral_norm=False, attention_resolution=0, attention_pool=2, latent_dim=128,
                 **kwargs):
        super().__init__(latent_dim=latent_dim, **kwargs)
        h0, _, stages = upsampling_plan(self.image_shape)
        paper_g, paper_d, paper_down = paper_architecture(self.image_shape)
        if d_channels is None and d_downsample is not None:
            paper_d = (paper_d[0],) * len(d_downsample)  # the given layout, the paper's width
        self.g_channels = tuple(int(c) for c in (g_channels or paper_g))
        if len(self.g_channels) != stages:
            raise ValueError(
                f"{type(self).__name__} at {self.image_shape[0]}x{self.image_shape[1]} needs "
                f"{stages} generator blocks ({h0} -> {self.image_shape[0]}), got g_channels="
                f"{self.g_channels}")
        self.d_downsample = tuple(bool(d) for d in (d_downsample or paper_down))
        self.d_channels = tuple(int(c) for c in (d_channels or paper_d))
        if len(self.d_channels) != len(self.d_downsample):
            raise ValueError(f"d_channels {self.d_channels} and d_downsample {self.d_downsample} "
                             "must have the same length")
        self.g_spectral_norm = bool(g_spectral_norm)
        self.attention_resolution = int(attention_resolution or 0)
        self.attention_pool = int(attention_pool)
        self._build_networks()
        if self.attention_resolution:
            for net in (self.generator, self.discriminator):
                if not any(isinstance(layer, SelfAttention) for layer in net.layers):
                    raise ValueError(
                        f"attention_resolution={self.attention_resolution}: the {net.name} has no "
                        "feature map of that height")

    def discriminate(self, images, labels, training):
        if self.conditional:
            return as_float32(self.discriminator([images, labels], training=training))
        return super().discriminate(images, labels, training)

    def _attention(self, h, used, spectral):
        if self.attention_resolution and not used and h.shape[1] == self.attention_resolution:
            return SelfAttention(use_spectral_norm=spectral, pool_size=self.attention_pool)(h), True
        return h, used

    def build_generator(self):
        h0, w0, _ = upsampling_plan(self.image_shape)
        sn = self.g_spectral_norm
        z = keras.Input((self.latent_dim,), name="z")
        labels = keras.Input((), dtype="int32", name="labels") if self.conditional else None
        h = spectral_norm(keras.layers.Dense(h0 * w0 * self.g_channels[0],
                                             kernel_initializer="glorot_uniform"), sn)(z)
        h = keras.layers.Reshape((h0, w0, self.g_channels[0]))(h)
        h, used = self._attention(h, False, sn)
        for channels in self.g_channels:
            block = ResBlockUp(channels, num_classes=self.num_classes, use_spectral_norm=sn)
            h = block([h, labels] if self.conditional else h)
            h, used = self._attention(h, used, sn)
        h = keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, synchronized=True)(h)
        h = keras.layers.ReLU()(h)
        out = spectral_norm(keras.layers.Conv2D(self.image_shape[-1], 3, padding="same",
                                                activation="tanh",
                                                kernel_initializer="glorot_uniform"), sn)(h)
        return keras.Model([z, labels] if self.conditional else z, out, name="generator")

    def build_discriminator(self):
        x = keras.Input(self.d_input_shape, name="x")
        labels = keras.Input((), dtype="int32", name="labels") if self.conditional else None
        h, used = x, False
        for i, (channels, down) in enumerate(zip(self.d_channels, self.d_downsample)):
            h = ResBlockDown(channels, downsample=down, first=i == 0, use_spectral_norm=True)(h)
            h, used = self._attention(h, used, True)
        h = GlobalSumPooling2D()(keras.layers.ReLU()(h))
        h = self.apply_minibatch_features(h)
        head = ProjectionHead(self.num_classes, use_spectral_norm=True, name="projection")
        logit = head([h, labels] if self.conditional else h)
        return keras.Model([x, labels] if self.conditional else x, logit, name="discriminator")

    def get_config(self):
        return {
            **super().get_config(),
            "g_channels": list(self.g_channels),
            "d_channels": list(self.d_channels),
            "d_downsample": list(self.d_downsample),
            "g_spectral_norm": self.g_spectral_norm,
            "attention_resolution": self.attention_resolution,
            "attention_pool": self.attention_pool,
        }
