"""Latent-space tools (Radford et al. 2015, Sections 6.1 and 6.3): walks between latents and
vector arithmetic on averaged latents, rendered as image grids.

    z = model.sample_latents(16, seed=0)
    path = ganzoo.latent.interpolate(z[0], z[1], steps=8, method="slerp")
    images = model.generate_from_latents(path)

Spherical interpolation (White 2016, https://arxiv.org/abs/1609.04468) keeps the walk at the
norm typical of Gaussian latents; linear interpolation passes near the origin, where samples
are atypical.
"""

import numpy as np

METHODS = ("linear", "slerp")


def slerp(z0, z1, t):
    """Spherical interpolation between two vectors at fractions ``t`` (scalar or [T])."""
    z0, z1 = np.asarray(z0, np.float64), np.asarray(z1, np.float64)
    t = np.atleast_1d(np.asarray(t, np.float64))[:, None]
    cos = np.dot(z0, z1) / max(np.linalg.norm(z0) * np.linalg.norm(z1), 1e-12)
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if omega < 1e-6:  # (anti-)parallel to float precision: the straight line
        return (1 - t) * z0 + t * z1
    return (np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)


def interpolate(z0, z1, steps=8, method="linear"):
    """``steps`` latents from ``z0`` to ``z1`` (both included), float32 [steps, latent_dim]."""
    if method not in METHODS:
        raise ValueError(f"unknown interpolation {method!r}; valid: {', '.join(METHODS)}")
    if steps < 2:
        raise ValueError(f"steps must be >= 2, got {steps}")
    t = np.linspace(0.0, 1.0, steps)
    if method == "slerp":
        return slerp(z0, z1, t).astype(np.float32)
    z0, z1 = np.asarray(z0, np.float64), np.asarray(z1, np.float64)
    return ((1 - t)[:, None] * z0 + t[:, None] * z1).astype(np.float32)


def arithmetic(a, b, c):
    """``mean(a) - mean(b) + mean(c)`` over groups of latents ([n_i, latent_dim] each), as in
    Radford et al.'s "smiling woman - neutral woman + neutral man" (averaging three exemplars a
    concept made the results stable)."""
    groups = [np.atleast_2d(np.asarray(g, np.float64)) for g in (a, b, c)]
    if any(len(g) == 0 for g in groups):
        raise ValueError("each of a, b, c needs at least one latent")
    return (groups[0].mean(0) - groups[1].mean(0) + groups[2].mean(0)).astype(np.float32)


def interpolation_grid(model, rows=4, steps=8, seed=0, method="slerp", labels=None):
    """Images [rows * steps, ...]: each row walks between two random latents of ``seed``.
    Conditional models take one label a row (default: classes in turn)."""
    z = model.sample_latents(2 * rows, seed)
    path = np.concatenate([interpolate(z[2 * r], z[2 * r + 1], steps, method) for r in range(rows)])
    row_labels = None
    if model.conditional:
        row_labels = np.arange(rows) % model.num_classes if labels is None else np.asarray(labels)
        row_labels = np.repeat(row_labels, steps)
    return model.generate_from_latents(path, row_labels)


def arithmetic_grid(model, a, b, c, seed=0, pool=64, variations=4, noise=0.25, label=None):
    """Radford et al.'s Fig. 7 layout for indices ``a``, ``b``, ``c`` into the ``pool`` latents of
    ``seed``: rows are the samples of a, of b, of c (padded with blanks), then
    ``a - b + c`` and ``variations - 1`` copies with Gaussian noise of scale ``noise`` added.
    Returns (images [4 * width, ...], width)."""
    z = model.sample_latents(pool, seed)
    for name, idx in (("a", a), ("b", b), ("c", c)):
        if not len(idx) or min(idx) < 0 or max(idx) >= pool:
            raise ValueError(f"indices of {name} must be in [0, {pool}), got {list(idx)}")
    result = arithmetic(z[list(a)], z[list(b)], z[list(c)])
    rng = np.random.default_rng(seed + 1)
    results = [result] + [result + noise * rng.standard_normal(result.shape).astype(np.float32)
                          for _ in range(variations - 1)]
    width = max(len(a), len(b), len(c), variations)
    labels = None if not model.conditional else [label if label is not None else 0]
    rows = []
    for latents in (z[list(a)], z[list(b)], z[list(c)], np.stack(results)):
        images = model.generate_from_latents(latents, None if labels is None else labels * len(latents))
        blank = np.ones((width - len(images),) + images.shape[1:], np.float32)
        rows.append(np.concatenate([images, blank]))
    return np.concatenate(rows), width
