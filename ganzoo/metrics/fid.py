"""Fréchet distance between Gaussians fitted to features (Heusel et al. 2017, FID,
https://arxiv.org/abs/1706.08500).

    d^2 = |mu_a - mu_b|^2 + tr(S_a) + tr(S_b) - 2 tr((S_a S_b)^(1/2))

The trace term is computed as tr((S_a^(1/2) S_b S_a^(1/2))^(1/2)), the same number (the two
matrices are similar) but from symmetric positive semi-definite matrices, so through symmetric
eigendecompositions: no complex round-off and no failure on singular covariances, where
``scipy.linalg.sqrtm(S_a @ S_b)`` needs an added diagonal.
"""

import numpy as np


def _as_features(name, features):
    features = np.asarray(features, np.float64)
    if features.ndim != 2 or len(features) < 2:
        raise ValueError(f"{name} must be a [N, D] array with N >= 2, got shape {features.shape}")
    if not np.all(np.isfinite(features)):
        raise ValueError(f"{name} holds non-finite values")
    return features


def _psd_sqrt(matrix):
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def feature_statistics(features):
    """(mean [D], covariance [D, D]) of features [N, D], the covariance with N - 1."""
    features = _as_features("features", features)
    return features.mean(axis=0), np.cov(features, rowvar=False).reshape(features.shape[1], -1)


def frechet_distance_from_stats(mu_a, sigma_a, mu_b, sigma_b):
    """Squared Fréchet distance between N(mu_a, sigma_a) and N(mu_b, sigma_b) (a float >= 0)."""
    mu_a, mu_b = np.atleast_1d(np.asarray(mu_a, np.float64)), np.atleast_1d(np.asarray(mu_b, np.float64))
    sigma_a, sigma_b = np.atleast_2d(np.asarray(sigma_a, np.float64)), np.atleast_2d(np.asarray(sigma_b, np.float64))
    d = mu_a.shape[0]
    if mu_a.shape != (d,) or mu_b.shape != (d,) or sigma_a.shape != (d, d) or sigma_b.shape != (d, d):
        raise ValueError(f"need means [D] and covariances [D, D] of one D; got {mu_a.shape}, "
                         f"{sigma_a.shape}, {mu_b.shape}, {sigma_b.shape}")
    root_a = _psd_sqrt(sigma_a)
    middle = root_a @ sigma_b @ root_a
    trace_root = np.sum(np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)))
    diff = mu_a - mu_b
    value = diff @ diff + np.trace(sigma_a) + np.trace(sigma_b) - 2.0 * trace_root
    return float(max(value, 0.0))


def frechet_distance(features_a, features_b):
    """FID-style squared Fréchet distance between two feature sets [N, D] and [M, D]."""
    a = _as_features("features_a", features_a)
    b = _as_features("features_b", features_b)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"feature widths differ: {a.shape[1]} vs {b.shape[1]}")
    return frechet_distance_from_stats(*feature_statistics(a), *feature_statistics(b))
