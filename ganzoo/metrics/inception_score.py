"""Inception Score (Salimans et al. 2016, https://arxiv.org/abs/1606.03498).

    IS = exp(E_x KL(p(y|x) || p(y)))

computed on each of ``splits`` consecutive parts of the samples, p(y) being the part's mean
prediction; the result is the mean and standard deviation over parts. It lies in [1, K]: K when
every sample is confidently one class and the classes are used evenly, 1 when every sample gets
the same prediction.
"""

import numpy as np
from scipy.special import rel_entr


def inception_score(probs, splits=10):
    """(mean, std) over ``splits`` parts of exp(mean KL(p(y|x) || p(y))) for probs [N, K]."""
    probs = np.asarray(probs, np.float64)
    if probs.ndim != 2 or len(probs) == 0:
        raise ValueError(f"probs must be a non-empty [N, K] array, got shape {probs.shape}")
    if np.any(probs < 0) or not np.allclose(probs.sum(axis=1), 1.0, atol=1e-3):
        raise ValueError("probs rows must be probability vectors (non-negative, summing to 1)")
    if not 1 <= splits <= len(probs):
        raise ValueError(f"splits must be in [1, N={len(probs)}], got {splits}")
    scores = []
    for part in np.array_split(probs, splits):
        marginal = part.mean(axis=0)
        # sum p log(p / q), with 0 log 0 = 0 (q > 0 wherever p > 0)
        kl = np.sum(rel_entr(part, marginal[None, :]), axis=1)
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores)), float(np.std(scores))
