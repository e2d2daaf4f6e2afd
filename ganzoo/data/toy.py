"""The 2-D Gaussian mixtures of the mode-collapse literature (VEEGAN, PacGAN, Unrolled GAN).

``ring8``: 8 Gaussians evenly spaced on a circle of radius 2, standard deviation 0.02.
``grid25``: 25 Gaussians at {-4, -2, 0, 2, 4}^2, standard deviation 0.05.

Both are scaled by one factor so that every mode lies inside [-1, 1] (the range of a tanh
generator and of every other ganzoo pipeline); the ratio of spacing to standard deviation, which
is what makes them hard, is unchanged. ``mixture(name)`` gives the scaled modes and std, which
sample plots and the mode-coverage metric use.
"""

import numpy as np

# name -> (modes in the paper's units, std in the paper's units, scale into [-1, 1])
_SPECS = {
    "ring8": (
        2.0 * np.stack([np.cos(2 * np.pi * np.arange(8) / 8), np.sin(2 * np.pi * np.arange(8) / 8)], 1),
        0.02,
        1.0 / 2.5,
    ),
    "grid25": (
        np.array([(x, y) for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4)], dtype=np.float64),
        0.05,
        1.0 / 5.0,
    ),
}

TOY_DATASETS = tuple(sorted(_SPECS))


def mixture(name):
    """(modes float32 [K, 2], std) of a toy mixture, in the [-1, 1] units of the pipelines."""
    if name not in _SPECS:
        raise ValueError(f"unknown toy dataset {name!r}; valid: {', '.join(TOY_DATASETS)}")
    modes, std, scale = _SPECS[name]
    return (modes * scale).astype(np.float32), float(std * scale)


def paper_units(name):
    """How many of the papers' units one unit of the scaled mixture is (ring8 2.5, grid25 5): the
    ``linear_scale`` that gives a GAN the papers' coordinates."""
    mixture(name)  # the error for an unknown name
    return 1.0 / _SPECS[name][2]


def sample_mixture(name, n, seed=0):
    """(points float32 [n, 2], mode index int64 [n]): an equal-weight draw from the mixture."""
    modes, std = mixture(name)
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(modes), size=n)
    points = modes[labels] + std * rng.standard_normal((n, 2))
    return points.astype(np.float32), labels.astype(np.int64)
