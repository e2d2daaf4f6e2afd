"""Sample-quality metrics. They take NumPy arrays and return plain floats.

- ``frechet_distance``, ``frechet_distance_from_stats`` (``fid.py``): FID from features or stats.
- ``kernel_inception_distance`` (``kid.py``): unbiased polynomial MMD^2, (mean, std) over subsets.
- ``inception_score`` (``inception_score.py``): (mean, std) over splits from class probabilities.
- ``precision_recall``, ``density_coverage`` (``manifold.py``): k-NN manifold metrics.
- ``parzen_log_likelihood``, ``select_parzen_sigma`` (``parzen.py``): Goodfellow 2014's protocol.
- ``mode_coverage`` (``modes.py``): the 2-D mixture protocol of VEEGAN / PacGAN;
  ``stacked_mnist_modes``: their Stacked-MNIST mode count and KL.
- ``ms_ssim``, ``class_diversity`` (``diversity.py``): AC-GAN's intra-class MS-SSIM.
- ``class_consistency`` (``consistency.py``): how often a classifier agrees with the requested class.

Features and class probabilities come from ``ganzoo.metrics.features`` (an MNIST classifier
shipped with the package, or InceptionV3 when its weights are on the machine).
"""

from ganzoo.metrics.consistency import class_consistency
from ganzoo.metrics.fid import feature_statistics, frechet_distance, frechet_distance_from_stats
from ganzoo.metrics.inception_score import inception_score
from ganzoo.metrics.kid import kernel_inception_distance
from ganzoo.metrics.manifold import density_coverage, precision_recall
from ganzoo.metrics.diversity import class_diversity, ms_ssim
from ganzoo.metrics.modes import mode_coverage, stacked_mnist_modes
from ganzoo.metrics.parzen import parzen_log_likelihood, select_parzen_sigma

__all__ = [
    "class_consistency",
    "density_coverage",
    "feature_statistics",
    "frechet_distance",
    "frechet_distance_from_stats",
    "inception_score",
    "kernel_inception_distance",
    "mode_coverage",
    "ms_ssim",
    "class_diversity",
    "stacked_mnist_modes",
    "parzen_log_likelihood",
    "precision_recall",
    "select_parzen_sigma",
]
