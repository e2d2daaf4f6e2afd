"""Parzen-window log-likelihood (Breuleux et al. 2011), the protocol of Goodfellow et al. 2014
(https://arxiv.org/abs/1406.2661, Table 1): fit an isotropic Gaussian kernel density to generated
samples, choose its width sigma by the mean log-likelihood of a validation split, report the
mean log-likelihood of the test split with its standard error.

    log p(x) = logsumexp_i(-|x - s_i|^2 / (2 sigma^2)) - log N - (D / 2) log(2 pi sigma^2)

It is a weak estimate in high dimension (Theis et al. 2016): report it for comparison with the
papers that used it, next to the other metrics. Values depend on the data scale; ganzoo's image
pipelines use [-1, 1] where the papers used [0, 1] (a shift of D log 2 nats for the same model).
"""

import numpy as np
from scipy.special import logsumexp

from ganzoo.metrics.fid import _as_features

DEFAULT_SIGMAS = tuple(np.logspace(-1.0, 0.0, 10))


def parzen_log_likelihoods(samples, test, sigma, batch_size=256):
    """Per-point log-likelihoods [M] of ``test`` [M, D] under the Parzen window on ``samples``."""
    if not sigma > 0:
        raise ValueError(f"sigma must be > 0, got {sigma}")
    return _log_likelihoods(samples, test, [sigma], batch_size)[0]


def _log_likelihoods(samples, test, sigmas, batch_size):
    """[len(sigmas), M]: the squared distances of a batch computed once for every width."""
    samples = _as_features("samples", samples)
    test = _as_features("test", test)
    if samples.shape[1] != test.shape[1]:
        raise ValueError(f"widths differ: samples {samples.shape[1]}, test {test.shape[1]}")
    sigmas = np.asarray(sigmas, np.float64)
    if not np.all(sigmas > 0):
        raise ValueError(f"sigmas must be > 0, got {sigmas.tolist()}")
    n, d = samples.shape
    norms = np.log(n) + 0.5 * d * np.log(2 * np.pi * sigmas**2)
    squared_norms = (samples * samples).sum(1)
    out = np.empty((len(sigmas), len(test)))
    for start in range(0, len(test), batch_size):
        x = test[start : start + batch_size]
        sq = np.maximum((x * x).sum(1)[:, None] + squared_norms[None, :] - 2.0 * x @ samples.T, 0.0)
        for i, sigma in enumerate(sigmas):
            out[i, start : start + batch_size] = logsumexp(-sq / (2 * sigma**2), axis=1) - norms[i]
    return out


def parzen_log_likelihoods_by_sigma(samples, test, sigmas, batch_size=256):
    """[len(sigmas), M]: per-point log-likelihoods of ``test`` for every width (the distances
    are computed once)."""
    return _log_likelihoods(samples, test, list(sigmas), batch_size)


def parzen_log_likelihood(samples, test, sigma, batch_size=256):
    """(mean, standard error) of the Parzen-window log-likelihood of ``test`` rows."""
    values = parzen_log_likelihoods(samples, test, sigma, batch_size)
    return float(values.mean()), float(values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0)


def select_parzen_sigma(samples, validation, sigmas=DEFAULT_SIGMAS, batch_size=256):
    """(best sigma, {sigma: mean validation log-likelihood}) over the candidate widths (the
    paper's code: 10 widths log-spaced from 0.1 to 1, on [0, 1] pixels)."""
    values = _log_likelihoods(samples, validation, list(sigmas), batch_size).mean(axis=1)
    scores = {float(s): float(v) for s, v in zip(sigmas, values)}
    return max(scores, key=scores.get), scores
