"""Image grids and other pictures written atomically (temporary file, then rename)."""

import math
import os
import tempfile

import numpy as np


def _fsync(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path, write_fn, suffix=""):
    """Calls ``write_fn(tmp_path)``, flushes the file to disk (fsync), then renames it onto
    ``path`` and flushes the directory: readers see the old file or the new one, never half of
    one, even after a crash of the machine. The temporary file keeps ``suffix`` (which some
    writers use to pick a format)."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=suffix)
    os.close(fd)
    try:
        write_fn(tmp)
        # mkstemp creates 0600; give the file the permissions a plain open() would have
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        _fsync(tmp)
        os.replace(tmp, path)
        _fsync(directory)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def atomic_write_text(path, text, suffix=""):
    """Writes a string to ``path`` atomically (UTF-8)."""

    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)

    atomic_write(path, write, suffix)


def atomic_savez(path, compressed=False, **arrays):
    """``np.savez`` (``np.savez_compressed`` with ``compressed``) of ``arrays`` to ``path``
    atomically."""

    def write(tmp):
        with open(tmp, "wb") as f:
            (np.savez_compressed if compressed else np.savez)(f, **arrays)

    atomic_write(path, write, ".npz")


def image_grid(images, nrow=None, padding=2, pad_value=1.0):
    """images float [N, H, W, C] in [-1, 1] -> uint8 [rows*(H+p)+p, cols*(W+p)+p, C] grid.

    ``nrow`` is the number of images per row (default: about sqrt(N))."""
    images = np.asarray(images, np.float32)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or len(images) == 0:
        raise ValueError(f"expected a non-empty [N, H, W, C] batch, got shape {images.shape}")
    n, h, w, c = images.shape
    cols = nrow or int(math.ceil(math.sqrt(n)))
    rows = int(math.ceil(n / cols))
    grid = np.full((rows * (h + padding) + padding, cols * (w + padding) + padding, c),
                   pad_value, np.float32)
    for i, image in enumerate(images):
        r, q = divmod(i, cols)
        y, x = padding + r * (h + padding), padding + q * (w + padding)
        grid[y:y + h, x:x + w] = image
    return np.round((np.clip(grid, -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)


def save_image_grid(images, path, nrow=None, padding=2):
    """Writes a PNG grid of images in [-1, 1] (``nrow`` images a row) and returns the grid."""
    from PIL import Image

    grid = image_grid(images, nrow=nrow, padding=padding)
    picture = Image.fromarray(grid[..., 0] if grid.shape[-1] == 1 else grid)
    atomic_write(path, lambda tmp: picture.save(tmp, format="PNG"), suffix=".png")
    return grid


def save_scatter(points, path, modes=None, title=None, mode_std=None):
    """Writes a PNG scatter plot of 2-D samples over the mixture's modes when given: each mode a
    red circle of the high-quality radius (3 ``mode_std``, ``metrics.mode_coverage``'s rule) or,
    without ``mode_std``, a red cross; the samples are drawn over the modes, so that a mode
    holding every sample shows them."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ganzoo.metrics.modes import HIGH_QUALITY_STDS

    points = np.asarray(points)
    fig, ax = plt.subplots(figsize=(5, 5), dpi=100)
    if modes is not None:
        modes = np.asarray(modes)
        if mode_std:
            radius = HIGH_QUALITY_STDS * mode_std
            for i, (x, y) in enumerate(modes):
                ax.add_patch(plt.Circle((x, y), radius, fill=False, color="red", lw=0.8, zorder=1,
                                        label=f"modes ({HIGH_QUALITY_STDS:g} std)" if i == 0
                                        else None))
        else:
            ax.scatter(modes[:, 0], modes[:, 1], s=40, marker="x", c="red", label="modes",
                       zorder=1)
    ax.scatter(points[:, 0], points[:, 1], s=2, alpha=0.4, c="tab:blue", label="samples",
               zorder=2)
    ax.set_xlim(-1.05, 1.05)
    ax.set_ylim(-1.05, 1.05)
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=8)
    if title:
        ax.set_title(title)
    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", bbox_inches="tight"), suffix=".png")
    plt.close(fig)
