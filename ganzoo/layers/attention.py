"""Self-attention block of SAGAN (Zhang et al. 2018, https://arxiv.org/abs/1805.08318)."""

import keras
from keras import ops

from ganzoo.layers.spectral_norm import spectral_norm


@keras.saving.register_keras_serializable(package="ganzoo")
class SelfAttention(keras.layers.Layer):
    """``y = x + gamma * o``: every position attends to every other one (Section 3 of the paper).

    With ``x`` of shape ``[B, H, W, C]`` flattened to ``N = H * W`` positions, 1x1 convolutions
    give queries ``f(x)`` and keys ``g(x)`` with ``C // key_ratio`` channels and values ``h(x)``
    with ``C // value_ratio`` channels; ``beta = softmax_j(f(x_i) . g(x_j))`` and
    ``o_i = v(sum_j beta_ij h(x_j))`` with a last 1x1 convolution ``v`` back to ``C`` channels.
    ``gamma`` is a learned scalar that starts at 0, so the block starts as the identity. The
    paper's code uses key_ratio 8 and value_ratio 2; every convolution is spectrally normalised
    when ``use_spectral_norm``.

    As in the authors' implementation (``sn_non_local_block_sim``), keys and values are
    max-pooled ``pool_size`` x ``pool_size`` (stride ``pool_size``, "same" padding for odd
    maps) before attention, so the map is ``[B, N, N / pool_size^2]``: a quarter of the memory
    at the default 2 (at 64x64: 16 MiB an example instead of 64). ``pool_size=1`` attends to
    every position.
    """

    def __init__(self, key_ratio=8, value_ratio=2, use_spectral_norm=True, pool_size=2, **kwargs):
        super().__init__(**kwargs)
        self.key_ratio = int(key_ratio)
        self.value_ratio = int(value_ratio)
        self.use_spectral_norm = bool(use_spectral_norm)
        self.pool_size = int(pool_size)
        if self.pool_size < 1:
            raise ValueError(f"pool_size must be >= 1, got {pool_size}")

    def build(self, input_shape):
        channels = int(input_shape[-1])
        keys = max(channels // self.key_ratio, 1)
        values = max(channels // self.value_ratio, 1)

        def conv(filters, name):
            layer = keras.layers.Conv2D(filters, 1, use_bias=False, name=name,
                                        kernel_initializer="glorot_uniform")
            return spectral_norm(layer, self.use_spectral_norm)

        self.query = conv(keys, "query")
        self.key = conv(keys, "key")
        self.value = conv(values, "value")
        self.out = conv(channels, "out")
        self.query.build(input_shape)
        self.key.build(input_shape)
        self.value.build(input_shape)
        self.out.build(tuple(input_shape[:-1]) + (values,))
        self.gamma = self.add_weight(shape=(), initializer="zeros", name="gamma")

    def _pool(self, x):
        if self.pool_size == 1:
            return x
        return ops.max_pool(x, self.pool_size, strides=self.pool_size, padding="same")

    def _flat(self, x):
        return ops.reshape(x, (ops.shape(x)[0], -1, x.shape[-1]))

    def attention_map(self, x, training=False):
        """``beta``: ``[B, N, M]`` weights of each of the N positions (row) over the M pooled
        positions (M = N without pooling)."""
        q = self._flat(self.query(x, training=training))
        k = self._flat(self._pool(self.key(x, training=training)))
        return ops.softmax(ops.matmul(q, ops.transpose(k, (0, 2, 1))), axis=-1)

    def call(self, x, training=False):
        beta = self.attention_map(x, training)
        v = self._flat(self._pool(self.value(x, training=training)))
        shape = ops.shape(x)
        attended = ops.reshape(ops.matmul(beta, v), (shape[0], shape[1], shape[2], v.shape[-1]))
        return x + ops.cast(self.gamma, x.dtype) * self.out(attended, training=training)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "key_ratio": self.key_ratio,
                "value_ratio": self.value_ratio, "use_spectral_norm": self.use_spectral_norm,
                "pool_size": self.pool_size}
