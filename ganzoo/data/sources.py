"""Data sources: one function a source, each returning a ``DataSource``.

A ``DataSource`` holds an unbatched ``tf.data.Dataset`` of ``(image, label)`` pairs (label -1
where the source has none) with images either ``uint8`` in [0, 255] or float32 already in
[-1, 1], plus what a model needs to know about it (shape, classes, size). ``pipeline.py`` turns
any of them into the batched, scaled, shuffled stream that ``fit`` consumes.
"""

import contextlib
import dataclasses
import os
import socket
import threading
from typing import Optional

import numpy as np
import tensorflow as tf

from ganzoo.data import idx, toy

EMBEDDED_DIR = os.path.join(os.path.dirname(__file__), "embedded")
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


@dataclasses.dataclass
class DataSource:
    name: str
    dataset: tf.data.Dataset  # unbatched (image, label) pairs
    element_shape: tuple  # (H, W, C) for images, (D,) for points
    num_classes: int = 0  # 0 when unlabelled
    size: Optional[int] = None
    scaled: bool = False  # True when images are already float32 in [-1, 1]
    modes: Optional[np.ndarray] = None  # toy mixtures only
    mode_std: Optional[float] = None

    @property
    def has_labels(self):
        return self.num_classes > 0


def from_arrays(images, labels=None, *, value_range=None, name="arrays"):
    """A source from NumPy arrays: images [N, H, W, C] (or [N, H, W], or [N, D] points).

    ``uint8`` images are taken as [0, 255]. Float images need ``value_range=(lo, hi)`` unless
    they already lie in [-1, 1]. Labels are integer class ids in [0, num_classes).
    """
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim not in (2, 4) or len(images) == 0:
        raise ValueError(
            f"images must be a non-empty [N, H, W, C], [N, H, W] or [N, D] array, got shape {images.shape}"
        )
    scaled = False
    if images.dtype != np.uint8:
        images = images.astype(np.float32)
        lo, hi = value_range if value_range is not None else (-1.0, 1.0)
        if value_range is None and (images.min() < -1.0 or images.max() > 1.0):
            raise ValueError(
                "float images outside [-1, 1]: pass value_range=(lo, hi), e.g. (0, 1) or (0, 255)"
            )
        images = (2.0 * (images - lo) / (hi - lo) - 1.0).astype(np.float32)
        scaled = True
    if labels is None:
        num_classes = 0
        labels = np.full(len(images), -1, np.int64)
    else:
        labels = np.asarray(labels).astype(np.int64).reshape(-1)
        if len(labels) != len(images):
            raise ValueError(f"{len(labels)} labels for {len(images)} images")
        if labels.min() < 0:
            raise ValueError("labels must be class ids >= 0")
        num_classes = int(labels.max()) + 1
    dataset = tf.data.Dataset.from_tensor_slices((images, labels))
    return DataSource(name, dataset, tuple(images.shape[1:]), num_classes, len(images), scaled)


def from_npz(path):
    """A source from a ``.npz`` file with ``images`` (or ``x``) and optional ``labels`` (or ``y``)."""
    with np.load(path) as data:
        keys = set(data.files)
        image_key = next((k for k in ("images", "x", "x_train") if k in keys), None)
        if image_key is None:
            raise ValueError(f"{path} has arrays {sorted(keys)}; expected 'images' (or 'x')")
        label_key = next((k for k in ("labels", "y", "y_train") if k in keys), None)
        labels = data[label_key] if label_key else None
        return from_arrays(data[image_key], labels, name=f"npz:{path}")


def embedded_mnist(split="train"):
    """Real MNIST digits shipped inside the package (no download, no extra dependency).

    train: the first 20,000 digits of the official training split; test: the full official
    10,000-digit test split. See ganzoo/data/embedded/README.md for provenance and checksums.
    """
    images, labels = idx.load_idx_split(EMBEDDED_DIR, split)
    source = from_arrays(images, labels, name="mnist")
    source.num_classes = 10
    return source


STACKED_SIZES = {"train": 60_000, "test": 10_000}


def stacked_mnist(split="train", size=None, seed=0):
    """Stacked MNIST (Metz et al. 2017; Srivastava et al. 2017, VEEGAN; Lin et al. 2018,
    PacGAN): three digits of the embedded split drawn independently at random as the R, G and B
    channels of one 28x28x3 image; 1,000 modes, labelled 100 * d_R + 10 * d_G + d_B.

    ``size`` images (60,000 train, 10,000 test; PacGAN drew 128,000 from all 60,000 training
    digits), drawn with a fixed seed: the same images on every machine."""
    images, labels = idx.load_idx_split(EMBEDDED_DIR, split)
    size = int(size or STACKED_SIZES[split])
    rng = np.random.default_rng([seed, 0 if split == "train" else 1])
    ids = rng.integers(0, len(images), size=(size, 3))
    stacked = np.concatenate([images[ids[:, k]] for k in range(3)], axis=-1)
    modes = labels[ids[:, 0]] * 100 + labels[ids[:, 1]] * 10 + labels[ids[:, 2]]
    source = from_arrays(stacked, modes.astype(np.int64), name="stacked_mnist")
    source.num_classes = 1000
    return source


def from_idx(directory, split="train"):
    """A source from a directory of IDX files (the MNIST format), e.g. ../shared/data/mnist."""
    images, labels = idx.load_idx_split(directory, split)
    return from_arrays(images, labels, name=f"idx:{directory}")


def toy_mixture(name, n=100_000, seed=0):
    """A source of ``n`` points from the ring8 or grid25 mixture, labelled by mode."""
    points, labels = toy.sample_mixture(name, n, seed)
    source = from_arrays(points, labels, name=name)
    source.modes, source.mode_std = toy.mixture(name)
    return source


def from_folder(directory, image_size=None, channels=None):
    """A source from a folder of images, or of one sub-folder per class (labels by sorted name).

    All images must share one size unless ``image_size=(H, W)`` resizes them. ``channels``
    (1 or 3) defaults to the first image's.
    """
    if not os.path.isdir(directory):
        raise ValueError(f"image folder {directory} does not exist")
    subdirs = sorted(d for d in os.listdir(directory) if os.path.isdir(os.path.join(directory, d)))
    classes = subdirs if subdirs else [None]
    paths, labels = [], []
    for label, sub in enumerate(classes):
        folder = os.path.join(directory, sub) if sub else directory
        for fname in sorted(os.listdir(folder)):
            if fname.lower().endswith(IMAGE_EXTENSIONS):
                paths.append(os.path.join(folder, fname))
                labels.append(label if sub else -1)
    if not paths:
        raise ValueError(f"no images ({', '.join(IMAGE_EXTENSIONS)}) in {directory}")
    first = tf.io.decode_image(tf.io.read_file(paths[0]), expand_animations=False)
    channels = int(channels or first.shape[-1])
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3, got {channels}")
    size = tuple(image_size) if image_size else tuple(int(d) for d in first.shape[:2])

    def decode(path, label):
        image = tf.io.decode_image(tf.io.read_file(path), channels=channels, expand_animations=False)
        if image_size:
            image = tf.cast(tf.image.resize(image, size, antialias=True), tf.uint8)
        return tf.ensure_shape(image, size + (channels,)), label

    dataset = tf.data.Dataset.from_tensor_slices((paths, np.array(labels, np.int64)))
    dataset = dataset.map(decode, num_parallel_calls=tf.data.AUTOTUNE)
    num_classes = len(subdirs)
    return DataSource(f"folder:{directory}", dataset, size + (channels,), num_classes, len(paths))


# --- TensorFlow Datasets -------------------------------------------------------------------

TFDS_HOST = ("storage.googleapis.com", 443)


def _reachable(host_port, timeout=3.0):
    """True when a TCP connection opens within ``timeout`` s (DNS included: it runs in a thread)."""
    result = []

    def probe():
        try:
            socket.create_connection(host_port, timeout=timeout).close()
            result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout + 0.5)
    return bool(result and result[0])


@contextlib.contextmanager
def quiet_absl_warnings():
    """TFDS logs absl warnings while it looks for a dataset (e.g. "Variant folder ... has no
    dataset_info.json") that say nothing a user can act on: ganzoo's own message follows."""
    from absl import logging

    level = logging.get_verbosity()
    logging.set_verbosity(logging.ERROR)
    try:
        yield
    finally:
        logging.set_verbosity(level)


def tfds_builder(name, data_dir=None):
    """The TFDS builder for ``name``; ValueError for a name TFDS does not know."""
    import tensorflow_datasets as tfds

    try:
        with quiet_absl_warnings():
            return tfds.builder(name, data_dir=data_dir)
    except tfds.core.registered.DatasetNotFoundError:
        raise ValueError(
            f"unknown dataset {name!r}; valid: mnist (embedded), ring8, grid25, any TFDS name "
            "(e.g. cifar10), or a path to an IDX directory, an image folder or a .npz file"
        ) from None


def from_tfds(name, split="train", data_dir=None, image_size=None):
    """A source from TensorFlow Datasets. A dataset not prepared under ``data_dir`` is
    downloaded if the TFDS servers answer within seconds; otherwise a ValueError says how to
    provide it."""
    builder = tfds_builder(name, data_dir)
    with quiet_absl_warnings():
        prepared = builder.is_prepared()
    if not prepared:
        where = data_dir or "~/tensorflow_datasets"
        if not _reachable(TFDS_HOST):
            raise ValueError(
                f"TFDS dataset {name!r} is not prepared in {where} and cannot be downloaded "
                f"(no network): run `tfds build {name}` on a machine with network and copy its "
                f"{name}/ folder into {where} (or pass --config.data.tfds_dir=DIR)"
            )
        builder.download_and_prepare()
    features = builder.info.features
    image_key = next((k for k in ("image", "img") if k in features), None)
    if image_key is None:
        raise ValueError(f"TFDS dataset {name!r} has no 'image' feature (has {list(features)})")
    label_key = "label" if "label" in features else None
    num_classes = int(features[label_key].num_classes) if label_key else 0
    shape = features[image_key].shape
    if image_size:
        shape = tuple(image_size) + (shape[-1],)
    elif None in shape:
        raise ValueError(
            f"TFDS dataset {name!r} has images of varying size {shape}: set "
            "--config.data.image_size=H,W"
        )

    def to_pair(example):
        image = example[image_key]
        if image_size:
            image = tf.cast(tf.image.resize(image, shape[:2], antialias=True), tf.uint8)
        label = tf.cast(example[label_key], tf.int64) if label_key else tf.constant(-1, tf.int64)
        return tf.ensure_shape(image, shape), label

    dataset = builder.as_dataset(split=split, shuffle_files=False)
    dataset = dataset.map(to_pair, num_parallel_calls=tf.data.AUTOTUNE)
    size = builder.info.splits[split].num_examples if split in builder.info.splits else None
    return DataSource(name, dataset, tuple(shape), num_classes, size)
