"""Intra-class diversity by multi-scale SSIM (Wang et al. 2003), the measure of AC-GAN's paper
(Odena et al. 2016, https://arxiv.org/abs/1610.09585, Sec. 4.2, Figs. 8-9): the mean MS-SSIM
of random pairs of samples of one class. 1 means every pair is identical (collapse); lower is
more diverse; it is read against the same figure on real examples of the class.

``ms_ssim`` computes what ``tf.image.ssim_multiscale`` computes (Gaussian window, 'valid'
filtering, K1 = 0.01, K2 = 0.03, 2x2 average pooling between scales with symmetric padding of odd
sizes, contrast-structure terms at every scale but the last, full SSIM at the last, negative
terms clipped to 0, channels averaged); written in NumPy so that the test can hold it against
TensorFlow's. The paper scored 128x128 images with the 5 standard scales and an 11-pixel window;
28x28 digits allow 3 scales (28, 14, 7) with a 7-pixel window: ``MNIST_SETTINGS``, the first
three standard weights renormalised to sum to 1.
"""

import numpy as np

STANDARD_POWER_FACTORS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)
_FIRST3 = np.asarray(STANDARD_POWER_FACTORS[:3]) / np.sum(STANDARD_POWER_FACTORS[:3])
MNIST_SETTINGS = {"power_factors": tuple(float(w) for w in _FIRST3), "filter_size": 7,
                  "filter_sigma": 1.5}


def _gaussian_window(size, sigma):
    coords = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    g = np.exp(-(coords[:, None] ** 2 + coords[None, :] ** 2) / (2.0 * sigma**2))
    return g / g.sum()


def _filter_valid(x, window):
    """[N, H, W, C] -> [N, H-k+1, W-k+1, C]: each channel correlated with the window."""
    k = window.shape[0]
    patches = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(1, 2))
    return np.einsum("nhwcij,ij->nhwc", patches, window)


def _ssim_terms(x, y, max_val, window):
    """(SSIM, contrast-structure) per image and channel [N, C]."""
    c1 = (0.01 * max_val) ** 2
    c2 = (0.03 * max_val) ** 2
    mu_x, mu_y = _filter_valid(x, window), _filter_valid(y, window)
    sigma_xy = _filter_valid(x * y, window) - mu_x * mu_y
    sigma_xx = _filter_valid(x * x, window) - mu_x**2
    sigma_yy = _filter_valid(y * y, window) - mu_y**2
    luminance = (2 * mu_x * mu_y + c1) / (mu_x**2 + mu_y**2 + c1)
    cs = (2 * sigma_xy + c2) / (sigma_xx + sigma_yy + c2)
    return (luminance * cs).mean(axis=(1, 2)), cs.mean(axis=(1, 2))


def _downsample(x):
    """2x2 average pooling, odd sizes padded symmetrically (by one row/column at the end)."""
    pad_h, pad_w = x.shape[1] % 2, x.shape[2] % 2
    if pad_h or pad_w:
        x = np.pad(x, ((0, 0), (0, pad_h), (0, pad_w), (0, 0)), mode="symmetric")
    n, h, w, c = x.shape
    return x.reshape(n, h // 2, 2, w // 2, 2, c).mean(axis=(2, 4))


def ms_ssim(x, y, max_val=1.0, power_factors=STANDARD_POWER_FACTORS, filter_size=11,
            filter_sigma=1.5):
    """MS-SSIM [N] of image pairs ``x``, ``y`` [N, H, W, C] (or [H, W, C]) of intensities in
    [0, ``max_val``] (SSIM's luminance term is not shift-invariant: map ganzoo's [-1, 1] images
    to [0, 1] first, as ``class_diversity`` does). Raises ValueError when the smallest scale is
    smaller than the window."""
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    single = x.ndim == 3
    if single:
        x, y = x[None], y[None]
    if x.shape != y.shape or x.ndim != 4:
        raise ValueError(f"need two [N, H, W, C] arrays of one shape; got {x.shape} and {y.shape}")
    scales = len(power_factors)
    smallest = min(x.shape[1], x.shape[2]) / 2 ** (scales - 1)
    if smallest < filter_size:
        raise ValueError(f"{x.shape[1]}x{x.shape[2]} images are too small for {scales} scales "
                         f"with a {filter_size}-pixel window (the smallest scale is "
                         f"{smallest:g} pixels); use fewer scales or a smaller window, e.g. "
                         f"ganzoo.metrics.diversity.MNIST_SETTINGS for 28x28")
    window = _gaussian_window(filter_size, filter_sigma)
    terms = []
    for scale in range(scales):
        if scale:
            x, y = _downsample(x), _downsample(y)
        ssim, cs = _ssim_terms(x, y, max_val, window)
        terms.append(ssim if scale == scales - 1 else cs)
    stacked = np.maximum(np.stack(terms, axis=-1), 0.0)  # [N, C, scales]
    value = np.prod(stacked ** np.asarray(power_factors), axis=-1).mean(axis=-1)
    return value[0] if single else value


def class_diversity(images, labels, num_pairs=100, seed=0, **settings):
    """{class: (mean MS-SSIM, standard error)} over ``num_pairs`` random pairs of distinct
    images of each class present (AC-GAN's protocol: 100 pairs a class); images in [-1, 1]
    (scored on [0, 1])."""
    images = (np.asarray(images, np.float64) + 1.0) / 2.0
    labels = np.asarray(labels)
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    rng = np.random.default_rng(seed)
    out = {}
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        if len(members) < 2:
            raise ValueError(f"class {c} has {len(members)} image(s); need 2 for a pair")
        first = rng.integers(0, len(members), num_pairs)
        second = (first + rng.integers(1, len(members), num_pairs)) % len(members)  # never equal
        values = ms_ssim(images[members[first]], images[members[second]], 1.0, **settings)
        out[int(c)] = (float(values.mean()),
                       float(values.std(ddof=1) / np.sqrt(num_pairs)) if num_pairs > 1 else 0.0)
    return out
