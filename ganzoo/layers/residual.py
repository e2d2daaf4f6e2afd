"""Residual up- and down-sampling blocks of SN-GAN and SAGAN (Miyato et al. 2018, appendix B;
the layout follows Gulrajani et al. 2017's ResNet GAN)."""

import keras
from keras import ops

from ganzoo.layers.conditional import ConditionalBatchNorm
from ganzoo.layers.spectral_norm import spectral_norm


def _conv(filters, kernel_size, use_spectral_norm, name):
    return spectral_norm(keras.layers.Conv2D(filters, kernel_size, padding="same", name=name,
                                             kernel_initializer="glorot_uniform"),
                         use_spectral_norm)


@keras.saving.register_keras_serializable(package="ganzoo")
class ResBlockUp(keras.layers.Layer):
    """Generator block: ``shortcut(x) + residual(x)``, doubling height and width.

    residual: norm, ReLU, 2x nearest upsampling, 3x3 conv, norm, ReLU, 3x3 conv;
    shortcut: 2x nearest upsampling, 1x1 conv. The norms are batch norm, or class-conditional
    batch norm when ``num_classes`` > 0 (then the block is called on ``[x, labels]``).
    """

    def __init__(self, filters, num_classes=0, use_spectral_norm=False, synchronized=True,
                 **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.num_classes = int(num_classes)
        self.use_spectral_norm = bool(use_spectral_norm)
        self.synchronized = bool(synchronized)
        self.norm1, self.norm2 = (self._norm("norm1"), self._norm("norm2"))
        self.up = keras.layers.UpSampling2D(2)
        self.conv1 = _conv(self.filters, 3, self.use_spectral_norm, "conv1")
        self.conv2 = _conv(self.filters, 3, self.use_spectral_norm, "conv2")
        self.shortcut = _conv(self.filters, 1, self.use_spectral_norm, "shortcut")

    def _norm(self, name):
        if self.num_classes:
            return ConditionalBatchNorm(self.num_classes, synchronized=self.synchronized, name=name)
        return keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5,
                                               synchronized=self.synchronized, name=name)

    def _apply_norm(self, norm, x, labels, training):
        return norm([x, labels] if self.num_classes else x, training=training)

    def build(self, input_shape):
        x_shape = tuple(input_shape[0] if self.num_classes else input_shape)
        up_shape = (x_shape[0], None if x_shape[1] is None else 2 * x_shape[1],
                    None if x_shape[2] is None else 2 * x_shape[2], x_shape[3])
        out_shape = up_shape[:3] + (self.filters,)
        label_shape = (x_shape[0],)
        if self.num_classes:
            self.norm1.build([x_shape, label_shape])
            self.norm2.build([out_shape, label_shape])
        else:
            self.norm1.build(x_shape)
            self.norm2.build(out_shape)
        self.conv1.build(up_shape)
        self.conv2.build(out_shape)
        self.shortcut.build(up_shape)

    def call(self, inputs, training=False):
        x, labels = inputs if self.num_classes else (inputs, None)
        h = ops.relu(self._apply_norm(self.norm1, x, labels, training))
        h = self.conv1(self.up(h), training=training)
        h = ops.relu(self._apply_norm(self.norm2, h, labels, training))
        h = self.conv2(h, training=training)
        return h + self.shortcut(self.up(x), training=training)

    def compute_output_shape(self, input_shape):
        x_shape = tuple(input_shape[0] if self.num_classes else input_shape)
        double = [None if d is None else 2 * d for d in x_shape[1:3]]
        return (x_shape[0], *double, self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "num_classes": self.num_classes,
                "use_spectral_norm": self.use_spectral_norm, "synchronized": self.synchronized}


@keras.saving.register_keras_serializable(package="ganzoo")
class ResBlockDown(keras.layers.Layer):
    """Discriminator block: ``shortcut(x) + residual(x)``, optionally halving height and width.

    residual: ReLU, 3x3 conv, ReLU, 3x3 conv, 2x2 average pooling (if ``downsample``);
    shortcut: 1x1 conv then pooling, or the identity when neither size nor channels change.
    The first block of a discriminator (``first=True``, the paper's "optimized" block) skips the
    leading ReLU and pools before its 1x1 shortcut conv. Convolutions are spectrally normalised
    when ``use_spectral_norm``.
    """

    def __init__(self, filters, downsample=True, first=False, use_spectral_norm=True, **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.downsample = bool(downsample)
        self.first = bool(first)
        self.use_spectral_norm = bool(use_spectral_norm)
        self.conv1 = _conv(self.filters, 3, self.use_spectral_norm, "conv1")
        self.conv2 = _conv(self.filters, 3, self.use_spectral_norm, "conv2")
        self.pool = keras.layers.AveragePooling2D(2)
        self.shortcut = None

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        inner = input_shape[:3] + (self.filters,)
        self.conv1.build(input_shape)
        self.conv2.build(inner)
        if self.first or self.downsample or int(input_shape[-1]) != self.filters:
            self.shortcut = _conv(self.filters, 1, self.use_spectral_norm, "shortcut")
            self.shortcut.build(input_shape)

    def _pool(self, x):
        return self.pool(x) if self.downsample else x

    def call(self, x, training=False):
        h = x if self.first else ops.relu(x)
        h = self.conv2(ops.relu(self.conv1(h, training=training)), training=training)
        h = self._pool(h)
        if self.shortcut is None:
            return h + x
        if self.first:
            return h + self.shortcut(self._pool(x), training=training)
        return h + self._pool(self.shortcut(x, training=training))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if not self.downsample:
            return input_shape[:3] + (self.filters,)
        half = [None if d is None else d // 2 for d in input_shape[1:3]]
        return (input_shape[0], *half, self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "downsample": self.downsample,
                "first": self.first, "use_spectral_norm": self.use_spectral_norm}


@keras.saving.register_keras_serializable(package="ganzoo")
class GlobalSumPooling2D(keras.layers.Layer):
    """Sum over height and width: ``[B, H, W, C] -> [B, C]`` (SN-GAN's discriminators)."""

    def call(self, x):
        return ops.sum(x, axis=(1, 2))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1])
