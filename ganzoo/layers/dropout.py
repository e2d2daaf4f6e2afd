"""Dropout whose masks, inside a GAN training step, are the replica's slice of the masks one
device would draw for the global batch."""

import keras
import tensorflow as tf

from ganzoo import rng


@keras.saving.register_keras_serializable(package="ganzoo")
class Dropout(keras.layers.Dropout):
    """``keras.layers.Dropout`` that is replica-equivalent under ``tf.distribute``.

    Keras' dropout draws from a per-layer ``SeedGenerator``, so under ``MirroredStrategy`` every
    replica draws the same mask for its own examples, and N replicas do not make the update one
    device makes on the global batch. Inside a ``ganzoo.rng.random_stream`` (which
    ``GANModel.train_step`` opens around every network call) this layer instead draws a
    stateless mask for the global batch, keyed on the seed, the training step, the network, the
    D step and the call's index, and keeps this replica's rows. Outside any stream (a user's
    own call with ``training=True``) it is Keras' dropout. A stream opened with
    ``dropout_at_inference`` makes inference calls drop units too, from the stream's keys.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        if noise_shape is not None:
            raise ValueError("ganzoo.layers.Dropout does not take noise_shape")
        super().__init__(rate, seed=seed, **kwargs)

    def call(self, inputs, training=False):
        stream = rng.current_stream()
        if stream is not None and stream.dropout_at_inference:
            training = True
        if not training or self.rate <= 0 or stream is None:
            return super().call(inputs, training=training)
        shape = tf.shape(inputs)
        keep = rng.global_slice(
            lambda s, seed: tf.random.stateless_uniform(s, seed=seed), shape[0], shape[1:],
            stream.next_seed()) >= self.rate
        scale = tf.cast(1.0 / (1.0 - self.rate), inputs.dtype)
        return tf.where(keep, inputs * scale, tf.zeros_like(inputs))
