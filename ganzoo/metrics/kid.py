"""Kernel Inception Distance (Bińkowski et al. 2018, https://arxiv.org/abs/1801.01401).

The unbiased estimate of MMD^2 with the cubic polynomial kernel k(x, y) = (x.y / D + 1)^3,
averaged over random equal-size subsets of the two feature sets; the spread over subsets is its
standard deviation. Unlike FID it is unbiased, so small sample counts compare fairly.
"""

import numpy as np

from ganzoo.metrics.fid import _as_features


def polynomial_mmd2(x, y):
    """Unbiased MMD^2 between samples x [m, D] and y [n, D] under (x.y / D + 1)^3."""
    m, n, d = len(x), len(y), x.shape[1]

    def kernel(u, v):
        k = u @ v.T / d + 1.0
        return k * k * k  # (a float power calls pow(), several times slower)

    k_xx, k_yy, k_xy = kernel(x, x), kernel(y, y), kernel(x, y)
    return float((k_xx.sum() - np.trace(k_xx)) / (m * (m - 1))
                 + (k_yy.sum() - np.trace(k_yy)) / (n * (n - 1)) - 2.0 * k_xy.mean())


def kernel_inception_distance(features_a, features_b, num_subsets=100, subset_size=1000, seed=0):
    """(mean, std) of the unbiased polynomial-kernel MMD^2 over ``num_subsets`` random subsets of
    ``min(subset_size, N, M)`` rows of each feature set (drawn without replacement)."""
    a = _as_features("features_a", features_a)
    b = _as_features("features_b", features_b)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"feature widths differ: {a.shape[1]} vs {b.shape[1]}")
    if num_subsets < 1 or subset_size < 2:
        raise ValueError(f"need num_subsets >= 1 and subset_size >= 2, got {num_subsets}, {subset_size}")
    size = min(subset_size, len(a), len(b))
    rng = np.random.default_rng(seed)
    values = [polynomial_mmd2(a[rng.choice(len(a), size, replace=False)],
                              b[rng.choice(len(b), size, replace=False)])
              for _ in range(num_subsets)]
    return float(np.mean(values)), float(np.std(values))
