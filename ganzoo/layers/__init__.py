"""The shared layer library of the zoo; every layer is Keras-serializable.

- ``SpectralNorm`` (``spectral_norm.py``): Miyato et al. 2018, extending Keras' wrapper.
- ``SelfAttention`` (``attention.py``): the SAGAN block.
- ``ConditionalBatchNorm``, ``ProjectionHead`` (``conditional.py``): class conditioning.
- ``ResBlockUp``, ``ResBlockDown``, ``GlobalSumPooling2D`` (``residual.py``): SN-GAN / SAGAN.
- ``MinibatchDiscrimination``, ``MinibatchStdDev`` (``minibatch.py``): batch-level features.
- ``VirtualBatchNorm``, ``PrependReference``, ``DropReference`` (``vbn.py``): Salimans 2016.
- ``Maxout`` (``maxout.py``): Goodfellow et al. 2013.
- ``Dropout`` (``dropout.py``): Keras' dropout, replica-equivalent inside a training step.
- ``GaussianNoise`` (``noise.py``): Keras' additive noise, replica-equivalent likewise.
- ``WeightNormDense`` (``weight_norm.py``): Salimans & Kingma 2016.
"""

from ganzoo.layers.attention import SelfAttention
from ganzoo.layers.conditional import ConditionalBatchNorm, ProjectionHead
from ganzoo.layers.dropout import Dropout
from ganzoo.layers.maxout import Maxout
from ganzoo.layers.noise import GaussianNoise
from ganzoo.layers.weight_norm import WeightNormDense
from ganzoo.layers.minibatch import (MINIBATCH_FEATURES, MinibatchDiscrimination,
                                     MinibatchStdDev, minibatch_features)
from ganzoo.layers.residual import GlobalSumPooling2D, ResBlockDown, ResBlockUp
from ganzoo.layers.spectral_norm import SpectralNorm, power_iteration, spectral_norm
from ganzoo.layers.vbn import DropReference, PrependReference, VirtualBatchNorm

__all__ = [
    "ConditionalBatchNorm", "DropReference", "Dropout", "GaussianNoise", "GlobalSumPooling2D", "MINIBATCH_FEATURES", "Maxout",
    "MinibatchDiscrimination", "MinibatchStdDev", "PrependReference", "ProjectionHead",
    "ResBlockDown", "ResBlockUp", "SelfAttention", "SpectralNorm", "VirtualBatchNorm",
    "WeightNormDense", "minibatch_features", "power_iteration", "spectral_norm",
]
