"""Additive Gaussian noise whose draws, inside a GAN training step, are the replica's slice of
the draws one device would make for the global batch (as ``ganzoo.layers.Dropout``)."""

import keras
import tensorflow as tf

from ganzoo import rng


@keras.saving.register_keras_serializable(package="ganzoo")
class GaussianNoise(keras.layers.GaussianNoise):
    """``keras.layers.GaussianNoise`` (x + N(0, stddev^2) while training, x at inference),
    replica-equivalent under ``tf.distribute`` inside a ``ganzoo.rng.random_stream``; outside
    any stream it is Keras' layer. Salimans et al. 2016 put it on every layer of the
    semi-supervised discriminator."""

    def call(self, inputs, training=False):
        stream = rng.current_stream()
        if not training or self.stddev <= 0 or stream is None:
            return super().call(inputs, training=training)
        shape = tf.shape(inputs)
        noise = rng.global_slice(lambda s, seed: tf.random.stateless_normal(s, seed=seed),
                                 shape[0], shape[1:], stream.next_seed())
        return inputs + tf.cast(self.stddev, inputs.dtype) * tf.cast(noise, inputs.dtype)
