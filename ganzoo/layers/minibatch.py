"""Features that let a discriminator look at the whole minibatch, against mode collapse:
minibatch discrimination (Salimans et al. 2016, https://arxiv.org/abs/1606.03498, Section 3.2)
and minibatch standard deviation (Karras et al. 2018, https://arxiv.org/abs/1710.10196, 3).

Both see the batch of one replica: under a distribution strategy each replica's features
come from its own slice of the global batch.
"""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="ganzoo")
class MinibatchDiscrimination(keras.layers.Layer):
    """Appends, to each example's features ``f`` (``[B, A]``), ``num_kernels`` closeness scores.

    ``M_i = f_i T`` reshaped to ``[num_kernels, kernel_dim]``; for kernel b,
    ``c_b(i, j) = exp(-||M_i,b - M_j,b||_1)`` and ``o_b(i) = sum_{j != i} c_b(i, j)``. Output
    ``[f, o]``: ``[B, A + num_kernels]`` (the paper sums over all j, which adds the constant 1).
    """

    def __init__(self, num_kernels=50, kernel_dim=5, **kwargs):
        super().__init__(**kwargs)
        self.num_kernels = int(num_kernels)
        self.kernel_dim = int(kernel_dim)

    def build(self, input_shape):
        self.tensor = self.add_weight(
            shape=(int(input_shape[-1]), self.num_kernels * self.kernel_dim),
            initializer=keras.initializers.RandomNormal(stddev=0.05), name="tensor")

    def call(self, features):
        m = ops.reshape(ops.matmul(features, ops.cast(self.tensor, features.dtype)),
                        (-1, self.num_kernels, self.kernel_dim))
        distances = ops.sum(ops.abs(m[:, None] - m[None, :]), axis=-1)  # [B, B, kernels]
        closeness = ops.sum(ops.exp(-distances), axis=1) - 1.0  # leave out j == i
        return ops.concatenate([features, closeness], axis=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (int(input_shape[-1]) + self.num_kernels,)

    def get_config(self):
        return {**super().get_config(), "num_kernels": self.num_kernels,
                "kernel_dim": self.kernel_dim}


@keras.saving.register_keras_serializable(package="ganzoo")
class MinibatchStdDev(keras.layers.Layer):
    """Appends one feature: the standard deviation of each feature over a group of examples,
    averaged over features (and positions), the same value for every member of the group.

    The batch is split into groups of ``group_size`` consecutive examples (the whole batch when
    it is smaller or does not divide). Works on flat ``[B, F]`` features and ``[B, H, W, C]``
    maps (then the extra channel is constant over positions).
    """

    def __init__(self, group_size=4, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.group_size = int(group_size)
        self.epsilon = float(epsilon)

    def call(self, x):
        batch = ops.shape(x)[0]
        group = ops.where(ops.logical_and(batch >= self.group_size,
                                          ops.equal(batch % self.group_size, 0)),
                          self.group_size, batch)
        feature_shape = tuple(x.shape[1:])
        grouped = ops.reshape(x, (-1, group) + feature_shape)  # [G, group, ...]
        std = ops.sqrt(ops.var(grouped, axis=1) + self.epsilon)  # [G, ...]
        stat = ops.mean(ops.reshape(std, (ops.shape(std)[0], -1)), axis=1)  # [G]
        stat = ops.reshape(ops.repeat(stat, group, axis=0), (-1,) + (1,) * len(feature_shape))
        extra = ops.ones_like(x[..., :1]) * ops.cast(stat, x.dtype)
        return ops.concatenate([x, extra], axis=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (int(input_shape[-1]) + 1,)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size, "epsilon": self.epsilon}


MINIBATCH_FEATURES = ("none", "discrimination", "stddev")


def minibatch_features(kind, name=None):
    """The layer a discriminator config names: ``none`` (None), ``discrimination``, ``stddev``."""
    if kind in (None, "", "none"):
        return None
    if kind == "discrimination":
        return MinibatchDiscrimination(name=name)
    if kind == "stddev":
        return MinibatchStdDev(name=name)
    raise ValueError(f"unknown minibatch features {kind!r}; valid: {', '.join(MINIBATCH_FEATURES)}")
