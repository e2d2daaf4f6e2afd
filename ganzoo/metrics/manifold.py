"""k-nearest-neighbour manifold metrics of fidelity and diversity.

- Improved precision and recall (Kynkäänniemi et al. 2019, https://arxiv.org/abs/1904.06991):
  each set's manifold is the union of balls around its points, each reaching to that point's
  k-th nearest neighbour in the same set. Precision: the fraction of fake samples inside the real
  manifold; recall: the fraction of real samples inside the fake manifold.
- Density and coverage (Naeem et al. 2020, https://arxiv.org/abs/2002.09797): density counts,
  per fake sample, the real balls containing it, divided by k and averaged (about 1 when the two
  distributions agree, unbounded above); coverage is the fraction of real balls that contain at
  least one fake sample.

Distances are Euclidean and computed in row blocks, so 10,000 x 10,000 comparisons need
no N x M matrix in memory.
"""

import numpy as np

from ganzoo.metrics.fid import _as_features

_BLOCK = 1024


def _blocks(n):
    return range(0, n, _BLOCK)


def _squared_distances(a, b):
    d = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    return np.maximum(d, 0.0)


def knn_radii(points, k):
    """Distance from each point to its k-th nearest other point of the same set."""
    if not 1 <= k < len(points):
        raise ValueError(f"k must be in [1, N-1={len(points) - 1}], got {k}")
    radii = np.empty(len(points))
    for start in _blocks(len(points)):
        d = _squared_distances(points[start : start + _BLOCK], points)
        # column k counts the point itself (distance 0) as its 0-th neighbour
        radii[start : start + _BLOCK] = np.sqrt(np.partition(d, k, axis=1)[:, k])
    return radii


def _ball_counts(centres, radii, queries):
    """For each query, how many balls (centre, radius) contain it (distance <= radius)."""
    counts = np.zeros(len(queries), np.int64)
    squared = radii**2
    for start in _blocks(len(queries)):
        d = _squared_distances(queries[start : start + _BLOCK], centres)
        counts[start : start + _BLOCK] = (d <= squared[None, :]).sum(axis=1)
    return counts


def _check_pair(real_features, fake_features):
    real = _as_features("real_features", real_features)
    fake = _as_features("fake_features", fake_features)
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"feature widths differ: {real.shape[1]} vs {fake.shape[1]}")
    return real, fake


def precision_recall(real_features, fake_features, k=3):
    """{"precision", "recall"}: improved precision and recall with k-NN balls."""
    real, fake = _check_pair(real_features, fake_features)
    precision = np.mean(_ball_counts(real, knn_radii(real, k), fake) > 0)
    recall = np.mean(_ball_counts(fake, knn_radii(fake, k), real) > 0)
    return {"precision": float(precision), "recall": float(recall)}


def density_coverage(real_features, fake_features, k=5):
    """{"density", "coverage"} of fake samples against the real k-NN balls."""
    real, fake = _check_pair(real_features, fake_features)
    radii = knn_radii(real, k)
    squared = radii**2
    inside = 0  # (fake sample, real ball) pairs with the sample in the ball
    nearest_fake = np.full(len(real), np.inf)  # squared distance of each real point's nearest fake
    for start in _blocks(len(fake)):  # one pass over the fake x real distances serves both
        d = _squared_distances(fake[start : start + _BLOCK], real)
        inside += int((d <= squared[None, :]).sum())
        nearest_fake = np.minimum(nearest_fake, d.min(axis=0))
    density = inside / (k * len(fake))
    # coverage: real balls whose nearest fake sample lies inside them
    coverage = np.mean(np.sqrt(nearest_fake) <= radii)
    return {"density": float(density), "coverage": float(coverage)}
