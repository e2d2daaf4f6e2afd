"""Maxout (Goodfellow et al. 2013, https://arxiv.org/abs/1302.4389)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="ganzoo")
class Maxout(keras.layers.Layer):
    """The maximum over ``pieces`` consecutive features: ``[..., units * pieces] -> [..., units]``.

    Put it after a ``Dense(units * pieces)`` to get maxout units, as in the discriminator of
    Goodfellow et al. 2014.

    Example:
        >>> h = Maxout(pieces=5)(keras.layers.Dense(240 * 5)(x))   # 240 maxout units
    """

    def __init__(self, pieces, **kwargs):
        super().__init__(**kwargs)
        if int(pieces) < 1:
            raise ValueError(f"pieces must be >= 1, got {pieces}")
        self.pieces = int(pieces)

    def compute_output_shape(self, input_shape):
        features = input_shape[-1]
        if features is not None and features % self.pieces:
            raise ValueError(f"Maxout: {features} features do not split into {self.pieces} pieces")
        return tuple(input_shape[:-1]) + (None if features is None else features // self.pieces,)

    def call(self, inputs):
        features = inputs.shape[-1]
        shape = ops.shape(inputs)[:-1] + (features // self.pieces, self.pieces)
        return ops.max(ops.reshape(inputs, shape), axis=-1)

    def get_config(self):
        return {**super().get_config(), "pieces": self.pieces}
