"""Datasets for the zoo: every source becomes the same ``tf.data`` pipeline.

``load(name)`` resolves a dataset name to a ``DataSource``:

- ``mnist``: the embedded default, real MNIST digits shipped with the package (offline);
- ``stacked_mnist``: three embedded digits as the channels of one image, 1,000 modes;
- ``ring8``, ``grid25``: the 2-D Gaussian mixtures of the mode-collapse literature;
- ``idx:DIR`` or a directory holding IDX files (the MNIST format), e.g. ``../shared/data/mnist``;
- ``folder:DIR`` or any other directory: a folder of images, optionally one sub-folder a class;
- ``npz:FILE`` or a path ending in ``.npz``: NumPy arrays ``images`` and optional ``labels``;
- ``tfds:NAME`` or any other name: a TensorFlow Datasets name such as ``cifar10``.

``pipeline(source, batch_size)`` caches the decoded examples in memory where they fit
(``cache="auto"|"memory"|"none"``), shuffles, repeats, scales to [-1, 1], batches and
prefetches; it yields ``images`` or ``(images, labels)``.

Paired data for image-to-image translation (``paired.py``): ``from_side_by_side`` (folders of
``A|B`` images), ``from_parallel_folders``, ``from_paired_npz`` / ``from_paired_arrays`` give a
``PairedSource``; ``paired_pipeline`` yields ``(source, target)`` batches with the pix2pix
jitter on training batches.
"""

import os

from ganzoo.data.paired import (
    EDGES_NOTE,
    fashion_edges,
    load_paired,
    check_paired_name,
    DIRECTIONS,
    PairedSource,
    from_paired_arrays,
    from_paired_npz,
    from_parallel_folders,
    from_side_by_side,
    paired_pipeline,
)
from ganzoo.data.pipeline import CACHE_MODES, pipeline
from ganzoo.data.semi import labelled_subset, semi_supervised_pipeline
from ganzoo.data.sources import (
    DataSource,
    embedded_mnist,
    from_arrays,
    from_folder,
    from_idx,
    from_npz,
    from_tfds,
    stacked_mnist,
    toy_mixture,
)
from ganzoo.data.toy import TOY_DATASETS, mixture, sample_mixture

BUILTIN_DATASETS = ("mnist", "stacked_mnist") + TOY_DATASETS
VALID_CHOICES = (
    "mnist (embedded), stacked_mnist, ring8, grid25, any TFDS name (e.g. cifar10), "
    "or a path to an IDX directory, an image folder or a .npz file"
)
SPLITS = ("train", "test")


def resolve(name):
    """(kind, argument) for a dataset name; kind in builtin, toy, idx, folder, npz, tfds.

    Raises ValueError for a path that does not exist."""
    from ganzoo.data import idx as idx_module
    from ganzoo.data.paired import EMBEDDED_PAIRED

    if name in EMBEDDED_PAIRED:
        raise ValueError(f"{name} is a paired dataset of (source, target) images, for paired "
                         f"models (pix2pix); valid here: {VALID_CHOICES}")
    if name in ("mnist", "stacked_mnist"):
        return "builtin", name
    if name in TOY_DATASETS:
        return "toy", name
    for prefix in ("idx", "folder", "npz", "tfds"):
        if name.startswith(prefix + ":"):
            arg = name[len(prefix) + 1 :]
            if prefix != "tfds" and not os.path.exists(arg):
                raise ValueError(f"dataset path {arg!r} does not exist; valid: {VALID_CHOICES}")
            return prefix, arg
    if name.endswith(".npz") or os.sep in name or os.path.exists(name):
        if not os.path.exists(name):
            raise ValueError(f"dataset path {name!r} does not exist; valid: {VALID_CHOICES}")
        if os.path.isfile(name):
            if not name.endswith(".npz"):
                raise ValueError(f"dataset file {name!r} is not a .npz file; valid: {VALID_CHOICES}")
            return "npz", name
        return ("idx" if idx_module.has_idx_files(name) else "folder"), name
    return "tfds", name


def check_name(name):
    """Raises ValueError naming the valid choices when ``name`` is no dataset (cheap: no data read)."""
    kind, arg = resolve(name)
    if kind == "tfds":
        from ganzoo.data.sources import tfds_builder

        tfds_builder(arg)


def load(name, split="train", *, tfds_dir=None, image_size=None, toy_size=100_000, seed=0):
    """The ``DataSource`` for a dataset name (see the module docstring)."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; valid splits: {', '.join(SPLITS)}")
    kind, arg = resolve(name)
    if kind == "builtin":
        return embedded_mnist(split) if arg == "mnist" else stacked_mnist(split)
    if kind == "toy":
        # the test split is an independent draw
        return toy_mixture(arg, toy_size, seed=seed + (0 if split == "train" else 1))
    if kind == "idx":
        return from_idx(arg, split)
    if kind == "folder":
        return from_folder(arg, image_size=image_size)
    if kind == "npz":
        return from_npz(arg)
    return from_tfds(arg, split, data_dir=tfds_dir, image_size=image_size)


__all__ = [
    "BUILTIN_DATASETS",
    "EDGES_NOTE",
    "check_paired_name",
    "fashion_edges",
    "load_paired",
    "DIRECTIONS",
    "PairedSource",
    "from_paired_arrays",
    "from_paired_npz",
    "from_parallel_folders",
    "from_side_by_side",
    "paired_pipeline",
    "DataSource",
    "check_name",
    "embedded_mnist",
    "from_arrays",
    "from_folder",
    "from_idx",
    "from_npz",
    "from_tfds",
    "load",
    "mixture",
    "pipeline",
    "CACHE_MODES",
    "resolve",
    "labelled_subset",
    "sample_mixture",
    "semi_supervised_pipeline",
    "stacked_mnist",
    "toy_mixture",
]
