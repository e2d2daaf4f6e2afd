"""pix2pix (Isola et al. 2017, https://arxiv.org/abs/1611.07004): paired image-to-image
translation with a conditional GAN and an L1 term."""

import keras
import numpy as np
import tensorflow as tf

from ganzoo import rng
from ganzoo.layers import Dropout
from ganzoo.models.base import as_float32, GANModel
from ganzoo.registry import register_model

NORMS = ("batch", "instance")
PATCH_LAYERS = {16: 1, 34: 2, 70: 3, 142: 4, 286: 5}  # receptive field -> stride-2 layers
PATCHES = ("1", "16", "34", "70", "142", "286", "image")
MAX_UNET_LEVELS = 8  # 256x256 -> 1x1, the paper's U-Net


def unet_levels(image_shape, max_levels=MAX_UNET_LEVELS):
    """Stride-2 levels of the U-Net for an image size: halve while both sides stay even, down
    to 1x1 at most and ``max_levels`` levels (8 at 256x256, 5 at 32x32, 2 at 28x28)."""
    if len(image_shape) != 3:
        raise ValueError(f"pix2pix needs image_shape (H, W, C), got {tuple(image_shape)}")
    height, width = image_shape[:2]
    levels = 0
    while levels < max_levels and height % 2 == 0 and width % 2 == 0:
        height, width, levels = height // 2, width // 2, levels + 1
    if levels == 0:
        raise ValueError(f"image size {image_shape[0]}x{image_shape[1]} must be even: the U-Net "
                         "halves it at least once (e.g. 28x28, 32x32, 256x256)")
    return levels


def receptive_field(kernels_strides):
    """Receptive field of a stack of convolutions ``[(kernel, stride), ...]``, input first."""
    field = 1
    for kernel, stride in reversed(list(kernels_strides)):
        field = (field - 1) * stride + kernel
    return field


def patch_layers(patch, image_shape):
    """The number of stride-2 layers of a PatchGAN with receptive field ``patch`` (16, 34, 70,
    142, 286; "image": the smallest whose field covers the whole image), or 0 for the 1x1
    PixelGAN."""
    patch = str(patch)
    if patch not in PATCHES:
        raise ValueError(f"unknown patch {patch!r}; valid patches: {', '.join(PATCHES)}")
    if patch == "1":
        return 0
    if patch == "image":
        side = max(image_shape[:2])
        return min(n for field, n in PATCH_LAYERS.items() if field >= side or n == 5)
    return PATCH_LAYERS[int(patch)]


@register_model("pix2pix")
@keras.saving.register_keras_serializable(package="ganzoo")
class Pix2Pix(GANModel):
    """Isola et al. 2017: a U-Net generator maps a source image to a target image; a
    conditional PatchGAN judges (source, target) pairs patch by patch.

    Generator (appendix 6.1.1): encoder C64-C128-C256-C512-C512-... (4x4 stride-2 convolutions,
    LeakyReLU 0.2, no normalisation on the first layer nor, as in the authors' code, on the
    innermost one), decoder of 4x4 stride-2 transposed convolutions with ReLU, dropout 0.5 on
    its first three blocks (the paper's CD512 x 3; the authors' code puts them one block
    deeper), a skip connection from the mirrored encoder level's activations into every block
    (``skips=False``: the paper's encoder-decoder), tanh output. The depth follows the image
    size (``unet_levels``: 8 at 256x256, 5 at 32x32). Weights N(0, 0.02).

    Discriminator: the PatchGAN on ``concat(source, target)``, C64-C128-C256-C512 with the 70x70
    receptive field by default; ``patch`` 1 (PixelGAN), 16, 34, 70, 142, 286 or "image" (a field
    covering the whole image: the paper's ImageGAN). Batch norm, or ``norm="instance"``
    (``GroupNormalization(groups=-1)``), in both networks.

    Objective: the conditional GAN loss of ``compile(loss=...)`` (non-saturating by default)
    times ``gan_weight``, plus ``l1_weight`` (lambda, 100) times the mean |target - G(source)|;
    the discriminator's loss is halved as in the authors' code. ``l1_weight=0`` is the paper's
    cGAN-only ablation, ``gan_weight=0`` its L1-only one (no discriminator is trained).
    Adam(2e-4, beta_1 0.5). A training step is the authors' (``train_step``): one translation,
    a D update on it, then a G update against the updated D through that same translation.

    Noise comes only from dropout, which stays on when sampling (``sample_dropout``), as in the
    paper; batch norm uses its moving statistics when sampling (the paper, at batch size 1,
    used the test image's own statistics: that is ``norm="instance"``).

    Example:
        >>> model = ganzoo.build("pix2pix", image_shape=(32, 32, 1), source_channels=1)
        >>> model.compile()
        >>> model.fit(ganzoo.data.paired_pipeline(ganzoo.data.load_paired("fashion_edges"), 64))
        >>> model.translate(edges)          # float32 [N, 32, 32, 1] in [-1, 1]
    """

    paired = True
    tiny_args = dict(image_shape=(16, 16, 1), source_channels=1, g_filters=4, d_filters=4)

    def __init__(self, image_shape=(256, 256, 3), source_channels=3, g_filters=64, d_filters=64,
                 norm="batch", patch="70", skips=True, l1_weight=100.0, gan_weight=1.0,
                 g_dropout=0.5, sample_dropout=True, **kwargs):
        kwargs["latent_dim"] = 0  # no latent vector: noise comes from dropout
        if kwargs.get("num_classes"):
            raise ValueError("pix2pix is conditioned on its source image: num_classes must be 0")
        if kwargs.get("vbn_reference"):
            raise ValueError("pix2pix does not take vbn_reference")
        if kwargs.get("latent_prior", "normal") != "normal":
            raise ValueError("pix2pix has no latent vector: latent_prior must be normal")
        if kwargs.get("minibatch", "none") not in ("none", None, ""):
            raise ValueError("pix2pix's PatchGAN takes no minibatch features: minibatch must be none")
        super().__init__(image_shape=image_shape, **kwargs)
        self.source_channels = int(source_channels)
        self.g_filters, self.d_filters = int(g_filters), int(d_filters)
        self.norm = str(norm)
        self.patch = str(patch)
        self.skips = bool(skips)
        self.l1_weight, self.gan_weight = float(l1_weight), float(gan_weight)
        self.g_dropout = float(g_dropout)
        self.sample_dropout = bool(sample_dropout)
        if self.norm not in NORMS:
            raise ValueError(f"unknown norm {norm!r}; valid norms: {', '.join(NORMS)}")
        if self.source_channels <= 0:
            raise ValueError(f"source_channels must be positive, got {source_channels}")
        if self.l1_weight < 0 or self.gan_weight < 0 or not (self.l1_weight or self.gan_weight):
            raise ValueError(f"l1_weight and gan_weight must be >= 0 and not both 0, got "
                             f"{l1_weight} and {gan_weight}")
        if not 0 <= self.g_dropout < 1:
            raise ValueError(f"g_dropout must be in [0, 1), got {g_dropout}")
        self.levels = unet_levels(self.image_shape)
        self.d_layers = patch_layers(self.patch, self.image_shape)
        self._build_networks()

    @property
    def source_shape(self):
        return self.image_shape[:2] + (self.source_channels,)

    # -- networks ------------------------------------------------------------------------------

    def _init(self):
        return keras.initializers.RandomNormal(0.0, 0.02)

    def _norm(self):
        if self.norm == "instance":
            return keras.layers.GroupNormalization(groups=-1, epsilon=1e-5)
        return keras.layers.BatchNormalization(
            momentum=0.9, epsilon=1e-5, synchronized=True,
            gamma_initializer=keras.initializers.RandomNormal(1.0, 0.02))

    def unet_widths(self):
        """Output widths of the encoder's layers: g_filters * (1, 2, 4, 8, 8, ...)."""
        return [self.g_filters * min(2 ** i, 8) for i in range(self.levels)]

    def build_generator(self):
        widths = self.unet_widths()
        source = keras.Input(self.source_shape, name="source")
        h, encoded = source, []
        for i, width in enumerate(widths):
            normalised = 0 < i < len(widths) - 1
            h = keras.layers.Conv2D(width, 4, strides=2, padding="same", use_bias=not normalised,
                                    kernel_initializer=self._init(), name=f"down_{i}")(h)
            if normalised:
                h = self._norm()(h)
            if i < len(widths) - 1:
                # the skips carry the activations, as the authors' in-place LeakyReLU makes
                # their code do
                h = keras.layers.LeakyReLU(0.2)(h)
                encoded.append(h)
        for j, width in enumerate(reversed(widths[:-1])):
            h = keras.layers.ReLU()(h)
            h = keras.layers.Conv2DTranspose(width, 4, strides=2, padding="same", use_bias=False,
                                             kernel_initializer=self._init(), name=f"up_{j}")(h)
            h = self._norm()(h)
            if j < 3 and self.g_dropout:
                h = Dropout(self.g_dropout)(h)
            if self.skips:
                h = keras.layers.Concatenate(name=f"skip_{j}")([h, encoded[len(widths) - 2 - j]])
        h = keras.layers.ReLU()(h)
        out = keras.layers.Conv2DTranspose(self.image_shape[-1], 4, strides=2, padding="same",
                                           activation="tanh", kernel_initializer=self._init(),
                                           name="output")(h)
        return keras.Model(source, out, name="generator")

    def build_discriminator(self):
        source = keras.Input(self.source_shape, name="source")
        target = keras.Input(self.image_shape, name="target")
        h = keras.layers.Concatenate()([source, target])
        f = self.d_filters
        if self.d_layers == 0:  # PixelGAN: 1x1 convolutions
            plan = [(f, 1, 1), (2 * f, 1, 1)]
            last_kernel = 1
        else:
            plan = [(f * min(2 ** i, 8), 4, 2) for i in range(self.d_layers)]
            plan.append((f * min(2 ** self.d_layers, 8), 4, 1))
            last_kernel = 4
        for i, (width, kernel, stride) in enumerate(plan):
            h = keras.layers.Conv2D(width, kernel, strides=stride, padding="same", use_bias=i == 0,
                                    kernel_initializer=self._init(), name=f"conv_{i}")(h)
            if i > 0:
                h = self._norm()(h)
            h = keras.layers.LeakyReLU(0.2)(h)
        logits = keras.layers.Conv2D(1, last_kernel, padding="same", kernel_initializer=self._init(),
                                     name="patch_logits")(h)
        return keras.Model([source, target], logits, name="discriminator")

    def discriminator_receptive_field(self):
        """The receptive field of one output patch, from the built network's convolutions."""
        convs = [layer for layer in self.discriminator.layers if isinstance(layer, keras.layers.Conv2D)]
        return receptive_field((layer.kernel_size[0], layer.strides[0]) for layer in convs)

    def get_config(self):
        config = super().get_config()
        for key in ("latent_dim", "num_classes", "vbn_reference", "minibatch", "latent_prior"):
            config.pop(key)
        return {
            **config,
            "source_channels": self.source_channels,
            "g_filters": self.g_filters,
            "d_filters": self.d_filters,
            "norm": self.norm,
            "patch": self.patch,
            "skips": self.skips,
            "l1_weight": self.l1_weight,
            "gan_weight": self.gan_weight,
            "g_dropout": self.g_dropout,
            "sample_dropout": self.sample_dropout,
        }

    # -- training ------------------------------------------------------------------------------

    def call(self, inputs, training=False):
        """The generator: source images -> translations."""
        return self.generator(inputs, training=training)

    def split_batch(self, data):
        """A ``(source, target)`` batch -> (target, source): the source is the condition."""
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise ValueError("pix2pix trains on (source, target) batches: build them with "
                             "ganzoo.data.paired_pipeline")
        return data[1], data[0]

    def _fake_batch(self, stream, local_n, real_labels):
        # G translates the batch's sources; D sees its fakes with the same sources
        return real_labels, real_labels

    def discriminate(self, images, sources, training):
        if not self.gan_weight:  # L1 only: no discriminator runs (its BN statistics stay put)
            return None
        return as_float32(self.discriminator([sources, images], training=training))

    def train_step(self, data):
        """The authors' step: G translates the batch once; D is updated on (source, target) and
        (source, G(source)) pairs; then G is updated against the updated D, through that same
        translation (the same dropout masks), with the L1 term. With ``d_steps`` > 1 or without
        an adversarial term, the shared step of ``GANModel``."""
        if self.d_steps > 1 or not self.gan_weight:
            return super().train_step(data)
        real, sources = self.split_batch(data)
        self._check_batch(real)
        local_n = tf.shape(real)[0]
        step = tf.convert_to_tensor(self.step)
        with rng.random_stream(self.seed, step, rng.G_NETWORK, 0):
            with tf.GradientTape() as tape:
                fake = self.generator(sources, training=True)
                with tape.stop_recording():
                    d_loss = self._d_update(real, sources, tf.stop_gradient(fake), sources, local_n)
                fake_out = self.discriminate(fake, sources, training=True)
                g_loss = self._reduce(self.generator_objective(fake_out, sources, fake, real), local_n)
        self._apply(self.g_optimizer, g_loss, tape, self.generator.trainable_variables)
        return self._end_step(d_loss, g_loss)

    def _d_step(self, real, real_labels, step, d_index, local_n):
        if not self.gan_weight:  # L1 only: there is no discriminator to train
            return tf.constant(0.0)
        return super()._d_step(real, real_labels, step, d_index, local_n)

    def discriminator_loss(self, real_out, fake_out, real_labels, fake_labels):
        """Half the GAN loss (the authors' code), so D learns at half G's rate."""
        return 0.5 * self.gan_loss.d_loss(real_out, fake_out, self.label_smoothing)

    def generator_objective(self, fake_out, fake_labels, fake, real):
        """gan_weight * the GAN loss + l1_weight * mean |target - G(source)|, per example."""
        loss = 0.0
        if self.gan_weight:
            loss = self.gan_weight * self.gan_loss.g_loss(fake_out)
        if self.l1_weight:
            difference = tf.abs(tf.cast(real, tf.float32) - tf.cast(fake, tf.float32))
            loss += self.l1_weight * tf.reduce_mean(
                tf.reshape(difference, [tf.shape(difference)[0], -1]), axis=1)
        return loss

    # -- sampling ------------------------------------------------------------------------------

    def _not_latent(self, name):
        raise ValueError(f"pix2pix translates images and has no latent space: "
                         f"{name} does not apply; call model.translate(source_images) with "
                         f"[N, {', '.join(map(str, self.source_shape))}] images")

    def sample_latents(self, n, seed=None):
        self._not_latent("sample_latents")

    def generate_from_latents(self, z, labels=None, batch_size=256, use_ema=True):
        self._not_latent("generate_from_latents")

    def generate(self, n, seed=None, labels=None, batch_size=256, use_ema=True):
        self._not_latent("generate")

    def check_sources(self, sources):
        """Source images as float32 ``[N, H, W, C_source]`` in [-1, 1] (uint8 are scaled from
        [0, 255]; one image ``[H, W, C]`` becomes a batch of one)."""
        sources = np.asarray(sources)
        if sources.ndim == len(self.source_shape):
            sources = sources[None]
        if tuple(sources.shape[1:]) != self.source_shape:
            raise ValueError(f"pix2pix translates [N, {', '.join(map(str, self.source_shape))}] "
                             f"source images, got shape {sources.shape}")
        if sources.dtype == np.uint8:
            return sources.astype(np.float32) / 127.5 - 1.0
        sources = sources.astype(np.float32)
        if sources.size and (sources.min() < -1.0 - 1e-3 or sources.max() > 1.0 + 1e-3):
            raise ValueError("float source images must lie in [-1, 1] (pass uint8 for [0, 255])")
        return sources

    def translate(self, sources, seed=None, batch_size=64, dropout=None, use_ema=True):
        """Translations of ``sources`` (uint8 or float32 in [-1, 1]), float32 in [-1, 1].

        Dropout stays on (``dropout``, default ``sample_dropout``), its masks drawn from
        ``seed`` (default: the model's seed): the same seed and batch size give the same
        images. Batch norm uses its moving statistics.
        """
        sources = self.check_sources(sources)
        dropout = self.sample_dropout if dropout is None else bool(dropout)
        seed = self.seed if seed is None else int(seed)
        generator = self.sampling_generator(use_ema)
        out = []
        for index, start in enumerate(range(0, len(sources), batch_size)):
            with rng.random_stream(seed, index, rng.G_NETWORK, 0, dropout_at_inference=dropout):
                out.append(np.asarray(generator(sources[start:start + batch_size], training=False)))
        if not out:
            return np.zeros((0,) + self.image_shape, np.float32)
        return np.concatenate(out, 0).astype(np.float32)
