"""IDX files, the format of MNIST (http://yann.lecun.com/exdb/mnist/), plain or gzipped."""

import gzip
import os

import numpy as np

_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}

# split name -> file prefix, as in the MNIST distribution
SPLIT_PREFIXES = {"train": "train", "test": "t10k"}


def read_idx(path):
    """Reads one IDX file (``.gz`` or not) into a NumPy array of its stored shape."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _DTYPES:
        raise ValueError(f"{path} is not an IDX file (bad magic number)")
    ndim = data[3]
    header = 4 + 4 * ndim
    shape = tuple(int(d) for d in np.frombuffer(data[4:header], ">u4"))
    array = np.frombuffer(data[header:], dtype=_DTYPES[data[2]])
    if array.size != int(np.prod(shape)):
        raise ValueError(f"{path}: header says shape {shape} but holds {array.size} values")
    return array.reshape(shape).astype(array.dtype.newbyteorder("="))


def _find(directory, stem):
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            return path
    return None


def has_idx_files(directory):
    return os.path.isdir(directory) and _find(directory, "train-images-idx3-ubyte") is not None


def load_idx_split(directory, split="train"):
    """(images uint8 [N, H, W, 1], labels int64 [N] or None) from an MNIST-style directory."""
    if split not in SPLIT_PREFIXES:
        raise ValueError(f"unknown split {split!r} for IDX files; valid splits: train, test")
    prefix = SPLIT_PREFIXES[split]
    images_path = _find(directory, f"{prefix}-images-idx3-ubyte")
    if images_path is None:
        raise ValueError(
            f"no {prefix}-images-idx3-ubyte[.gz] in {directory}; an IDX directory holds "
            "train-images-idx3-ubyte.gz (and t10k-... for the test split)"
        )
    images = read_idx(images_path)
    if images.ndim == 3:
        images = images[..., None]
    labels_path = _find(directory, f"{prefix}-labels-idx1-ubyte")
    labels = read_idx(labels_path).astype(np.int64) if labels_path else None
    if labels is not None and len(labels) != len(images):
        raise ValueError(f"{labels_path} has {len(labels)} labels for {len(images)} images")
    return images, labels
