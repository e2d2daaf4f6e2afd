"""Weight normalization (Salimans & Kingma 2016, https://arxiv.org/abs/1602.07868)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="ganzoo")
class WeightNormDense(keras.layers.Layer):
    """A dense layer whose kernel is reparametrised as ``w = g * v / ||v||``, a direction ``v``
    and a length ``g`` for each output unit, as in the networks of Salimans et al. 2016.

    Args:
        units: output width.
        activation: a Keras activation name or callable.
        use_bias: add a bias after the normalised product.
        init_scale: initial value of every length ``g`` (each unit's weight norm).
        train_scale: whether ``g`` is trained; Salimans et al.'s semi-supervised discriminator
            fixes the hidden layers' lengths after their data-dependent initialisation.
    """

    def __init__(self, units, activation=None, use_bias=True, init_scale=1.0, train_scale=True,
                 kernel_initializer="glorot_normal", **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.activation = keras.activations.get(activation)
        self.use_bias = bool(use_bias)
        self.init_scale = float(init_scale)
        self.train_scale = bool(train_scale)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, input_shape):
        fan_in = int(input_shape[-1])
        self.v = self.add_weight(shape=(fan_in, self.units), initializer=self.kernel_initializer,
                                 name="v")
        self.g = self.add_weight(shape=(self.units,),
                                 initializer=keras.initializers.Constant(self.init_scale), name="g",
                                 trainable=self.train_scale)
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias") \
            if self.use_bias else None

    def _direction(self):
        """v with each column scaled to length 1."""
        return self.v / ops.sqrt(ops.sum(ops.square(self.v), axis=0, keepdims=True) + 1e-12)

    def kernel(self):
        """The effective kernel: each column of v scaled to length g."""
        return self._direction() * self.g

    def initialize_from(self, inputs):
        """Data-dependent initialisation (the paper's Sec. 3): sets g and the bias so that the
        pre-activations of this batch of inputs have mean 0 and standard deviation
        ``init_scale`` for every unit. Returns the layer's output on them afterwards."""
        t = ops.matmul(ops.convert_to_tensor(inputs, self.v.dtype), self._direction())
        mean = ops.mean(t, axis=0)
        std = ops.sqrt(ops.var(t, axis=0) + 1e-10)
        self.g.assign(self.init_scale / std)
        if self.use_bias:
            self.bias.assign(-mean * self.init_scale / std)
        return self(inputs)

    def call(self, inputs):
        out = ops.matmul(inputs, self.kernel())
        if self.use_bias:
            out = out + self.bias
        return self.activation(out)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": keras.activations.serialize(self.activation),
                "use_bias": self.use_bias, "init_scale": self.init_scale,
                "train_scale": self.train_scale,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer)}
