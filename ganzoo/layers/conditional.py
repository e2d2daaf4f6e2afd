"""Class conditioning: conditional batch norm and the projection discriminator head."""

import keras
from keras import ops

from ganzoo.layers.spectral_norm import spectral_norm


@keras.saving.register_keras_serializable(package="ganzoo")
class ConditionalBatchNorm(keras.layers.Layer):
    """Batch norm whose gain and bias are chosen by the class label (de Vries et al. 2017,
    Miyato & Koyama 2018): ``y = gamma[c] * (x - mean) / sqrt(var + eps) + beta[c]``.

    Called on ``[x, labels]`` with integer labels of shape ``[B]``. The statistics are those of
    plain batch norm (the batch in training, moving averages in inference), synchronised across
    replicas when ``synchronized``. Gains start at 1 and biases at 0.
    """

    def __init__(self, num_classes, momentum=0.9, epsilon=1e-5, synchronized=True, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = int(num_classes)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.synchronized = bool(synchronized)
        self.norm = keras.layers.BatchNormalization(
            momentum=self.momentum, epsilon=self.epsilon, center=False, scale=False,
            synchronized=self.synchronized, name="norm")

    def build(self, input_shape):
        x_shape = input_shape[0]
        channels = int(x_shape[-1])
        self.norm.build(x_shape)
        self.gamma = self.add_weight(shape=(self.num_classes, channels), initializer="ones",
                                     name="gamma")
        self.beta = self.add_weight(shape=(self.num_classes, channels), initializer="zeros",
                                    name="beta")

    def call(self, inputs, training=False):
        x, labels = inputs
        normed = self.norm(x, training=training)
        labels = ops.reshape(ops.cast(labels, "int32"), (-1,))
        shape = (-1,) + (1,) * (len(x.shape) - 2) + (x.shape[-1],)
        gamma = ops.reshape(ops.take(self.gamma, labels, axis=0), shape)
        beta = ops.reshape(ops.take(self.beta, labels, axis=0), shape)
        return ops.cast(gamma, normed.dtype) * normed + ops.cast(beta, normed.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "momentum": self.momentum, "epsilon": self.epsilon,
                "synchronized": self.synchronized}


@keras.saving.register_keras_serializable(package="ganzoo")
class ProjectionHead(keras.layers.Layer):
    """The projection discriminator's output (Miyato & Koyama 2018,
    https://arxiv.org/abs/1802.05637): ``psi(h) + <embed(y), h>``.

    Called on ``[h, labels]`` with features ``h`` of shape ``[B, F]``; ``psi`` is a linear layer
    to one logit and ``embed`` a class embedding of size F, both spectrally normalised when
    ``use_spectral_norm``. Returns logits ``[B, 1]``. With ``num_classes=0`` it is ``psi(h)``.
    """

    def __init__(self, num_classes, use_spectral_norm=True, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = int(num_classes)
        self.use_spectral_norm = bool(use_spectral_norm)

    def build(self, input_shape):
        h_shape = input_shape[0] if self.num_classes else input_shape
        features = int(h_shape[-1])
        self.linear = spectral_norm(keras.layers.Dense(1, kernel_initializer="glorot_uniform",
                                                       name="psi"), self.use_spectral_norm)
        self.linear.build(h_shape)
        self.embed = None
        if self.num_classes:
            self.embed = spectral_norm(
                keras.layers.Embedding(self.num_classes, features, name="embed",
                                       embeddings_initializer="glorot_uniform"),
                self.use_spectral_norm)
            self.embed.build((None,))

    def call(self, inputs, training=False):
        if not self.num_classes:
            return self.linear(inputs, training=training)
        h, labels = inputs
        labels = ops.reshape(ops.cast(labels, "int32"), (-1,))
        embedded = ops.cast(self.embed(labels, training=training), h.dtype)
        return self.linear(h, training=training) + ops.sum(embedded * h, axis=-1, keepdims=True)

    def compute_output_shape(self, input_shape):
        h_shape = input_shape[0] if self.num_classes else input_shape
        return tuple(h_shape[:-1]) + (1,)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "use_spectral_norm": self.use_spectral_norm}
