"""Spectral normalization (Miyato et al. 2018, https://arxiv.org/abs/1802.05957).

``SpectralNorm`` extends ``keras.layers.SpectralNormalization`` (same constructor, same ``u``
vector and power iteration, same reshaping of the kernel to ``[-1, out]``) where that layer does
not fit a GAN:

- Keras divides the kernel variable by sigma *in place* on every training call. The paper
  reparametrises instead: the trainable weight ``W`` is left as it is and every forward pass uses
  ``W / sigma(W)``, with the gradient flowing through ``sigma``. ``SpectralNorm`` does that.
- Keras runs the power iteration on every training call; a GAN calls its discriminator two or
  three times a step (real, fake, and in the generator step). ``SpectralNorm`` updates ``u`` only
  where ``power_iteration(True)`` is in force (GANModel enables it for the first discriminator
  call of each D step and for the generator call of each G step, so each network's ``u``
  moves once per update of that network); outside any such context it updates on every
  training call, as Keras does.
- ``u`` is a replica-synchronised variable (every replica computes the same update from the
  same mirrored ``W``), so the update works inside a ``MirroredStrategy`` replica context.
- Under mixed precision ``u``, ``sigma`` and the normalised kernel stay float32 (the variable's
  dtype); only the layer's operation runs in the compute dtype.

Wraps ``Dense``, ``Conv2D``, ``Conv2DTranspose`` and ``Embedding``.
"""

import contextlib
import threading

import keras
from keras import ops

_POLICY = threading.local()


@contextlib.contextmanager
def power_iteration(enabled):
    """Within this context, training calls of every ``SpectralNorm`` update ``u`` iff ``enabled``.

    Read when a layer is called (at tracing time inside ``tf.function``); thread-local, so each
    replica thread of a ``MirroredStrategy`` sees its own setting.
    """
    previous = getattr(_POLICY, "enabled", None)
    _POLICY.enabled = bool(enabled)
    try:
        yield
    finally:
        _POLICY.enabled = previous


def _l2_normalize(x):
    return x / ops.maximum(ops.sqrt(ops.sum(ops.square(x))), 1e-12)


_SUPPORTED = (keras.layers.Dense, keras.layers.Conv2DTranspose, keras.layers.Conv2D,
              keras.layers.Embedding)


@keras.saving.register_keras_serializable(package="ganzoo")
class SpectralNorm(keras.layers.SpectralNormalization):
    """``layer`` with its kernel divided by the kernel's largest singular value.

    Args:
        layer: a ``Dense``, ``Conv2D``, ``Conv2DTranspose`` or ``Embedding`` layer.
        power_iterations: power-iteration steps per update of ``u`` (the paper uses 1).

    Example:
        >>> conv = SpectralNorm(keras.layers.Conv2D(64, 3, padding="same"))
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        if not isinstance(layer, _SUPPORTED):
            raise ValueError(
                f"SpectralNorm wraps Dense, Conv2D, Conv2DTranspose or Embedding, got "
                f"{type(layer).__name__}")
        if isinstance(layer, keras.layers.Conv2D) and getattr(layer, "groups", 1) != 1:
            raise ValueError("SpectralNorm does not support grouped convolutions")
        super().__init__(layer, power_iterations=power_iterations, **kwargs)

    def build(self, input_shape):
        # the wrapped layer's weights first, then u (as Keras does), but u synchronised
        # across replicas
        keras.layers.Wrapper.build(self, input_shape)
        self.kernel = getattr(self.layer, "kernel", None)
        if self.kernel is None:
            self.kernel = self.layer.embeddings
        self.kernel_shape = tuple(self.kernel.shape)
        self.vector_u = self.add_weight(
            shape=(1, self.kernel_shape[-1]),
            initializer=keras.initializers.TruncatedNormal(stddev=0.02),
            trainable=False, name="vector_u", dtype=self.kernel.dtype,
            aggregation="only_first_replica")

    def _matrix(self):
        return ops.reshape(ops.convert_to_tensor(self.kernel), (-1, self.kernel_shape[-1]))

    def _power_iteration(self, matrix, u):
        v = None
        for _ in range(self.power_iterations):
            v = _l2_normalize(ops.matmul(u, ops.transpose(matrix)))
            u = _l2_normalize(ops.matmul(v, matrix))
        return ops.stop_gradient(u), ops.stop_gradient(v)

    def sigma(self, update=False):
        """The kernel's largest singular value as the power iteration estimates it:
        ``v W u^T`` (differentiable in W; u, v held constant). ``update`` moves ``u`` first."""
        matrix = self._matrix()
        # u is a unit vector after its first update; its initial draw is not, and an estimate
        # from it would be off by its length (W / sigma 10x too large in float16's range)
        u = _l2_normalize(ops.convert_to_tensor(self.vector_u))
        if update:
            u, _ = self._power_iteration(matrix, u)
            self.vector_u.assign(u)
        v = ops.stop_gradient(_l2_normalize(ops.matmul(u, ops.transpose(matrix))))
        return ops.reshape(ops.matmul(ops.matmul(v, matrix), ops.transpose(u)), ())

    def normalized_kernel(self, update=False):
        """``W / sigma(W)`` in the kernel's own (float32) dtype."""
        return ops.convert_to_tensor(self.kernel) / self.sigma(update)

    def call(self, inputs, training=False):
        enabled = getattr(_POLICY, "enabled", None)
        update = bool(training) and (enabled is None or enabled)
        kernel = self.normalized_kernel(update)
        layer = self.layer
        if isinstance(layer, keras.layers.Embedding):
            return ops.take(ops.cast(kernel, layer.compute_dtype), ops.cast(inputs, "int32"), axis=0)
        x = ops.cast(inputs, layer.compute_dtype)
        kernel = ops.cast(kernel, layer.compute_dtype)
        if isinstance(layer, keras.layers.Dense):
            y = ops.matmul(x, kernel)
        elif isinstance(layer, keras.layers.Conv2DTranspose):
            y = ops.conv_transpose(x, kernel, strides=layer.strides, padding=layer.padding,
                                   output_padding=layer.output_padding,
                                   data_format=layer.data_format, dilation_rate=layer.dilation_rate)
        else:
            y = ops.conv(x, kernel, strides=layer.strides, padding=layer.padding,
                         data_format=layer.data_format, dilation_rate=layer.dilation_rate)
        if getattr(layer, "use_bias", False):
            bias = ops.cast(layer.bias, layer.compute_dtype)
            if not isinstance(layer, keras.layers.Dense) and layer.data_format == "channels_first":
                bias = ops.reshape(bias, (1, -1) + (1,) * (len(y.shape) - 2))
            y = y + bias
        if getattr(layer, "activation", None) is not None:
            y = layer.activation(y)
        return y

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)


def spectral_norm(layer, enabled=True):
    """``SpectralNorm(layer)`` if ``enabled``, else ``layer`` (for configurable architectures)."""
    return SpectralNorm(layer) if enabled else layer
