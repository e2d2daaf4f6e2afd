"""Paired data for image-to-image translation (pix2pix, Isola et al. 2017): sources and pipeline.

A ``PairedSource`` holds an unbatched ``tf.data.Dataset`` of ``(source, target)`` uint8 image
pairs of one spatial size (their channel counts may differ). It is read from the formats people
already have:

- ``from_side_by_side(DIR)``: a folder of ``A|B`` images, each the two halves side by side (the
  format of the pix2pix authors' facades / maps / edges2shoes downloads); ``direction`` AtoB
  (source = left half) or BtoA; a ``split`` sub-folder (``train``, ``val``, ``test``) is used
  when the folder has one;
- ``from_parallel_folders(SOURCE_DIR, TARGET_DIR)``: two folders whose files pair by name;
- ``from_paired_npz(FILE)``: arrays ``sources`` and ``targets``;
- ``fashion_edges(split)``: the embedded default task, edges -> objects on Fashion-MNIST's
  sandals, sneakers, bags and ankle boots (shipped inside the package; see ``EDGES_NOTE``).

``load_paired(name, split, direction)`` resolves a ``--dataset`` name for a paired model: the
embedded task, a side-by-side folder, ``pairs:SOURCE_DIR,TARGET_DIR`` or a ``.npz``; the authors'
datasets (facades, maps, edges2shoes, ...) are downloads, named with their URL when missing.

``paired_pipeline`` scales both to [-1, 1], orders the examples like ``pipeline`` (a pure
function of the seed and the epoch, resumable at any batch) and, for training, applies the
paper's jitter: both images resized up by 286/256, one random crop back to the original size
and one random mirror, the *same* for source and target. The jitter of each example is a
stateless draw keyed on the seed and the example's position in the stream, so it too resumes
exactly.
"""

import dataclasses
import os
from typing import Optional

import numpy as np
import tensorflow as tf

from ganzoo.data.pipeline import (cached, check_batching, epoch_seed, ordered, scale_images,
                                   source_size)
from ganzoo.data.sources import EMBEDDED_DIR, IMAGE_EXTENSIONS

DIRECTIONS = ("AtoB", "BtoA")
JITTER_SCALE = 286 / 256  # the paper's resize before the random crop


@dataclasses.dataclass
class PairedSource:
    name: str
    dataset: tf.data.Dataset  # unbatched (source, target) uint8 pairs
    source_shape: tuple  # (H, W, C_source)
    target_shape: tuple  # (H, W, C_target)
    size: Optional[int] = None
    labels: Optional[np.ndarray] = None  # a class per pair, in order, where the task has classes
    class_names: tuple = ()

    @property
    def num_classes(self):
        return len(self.class_names)


def _check_direction(direction):
    if direction not in DIRECTIONS:
        raise ValueError(f"unknown direction {direction!r}; valid directions: {', '.join(DIRECTIONS)}")


def _image_files(directory):
    if not os.path.isdir(directory):
        raise ValueError(f"image folder {directory} does not exist")
    files = sorted(f for f in os.listdir(directory) if f.lower().endswith(IMAGE_EXTENSIONS))
    if not files:
        raise ValueError(f"no images ({', '.join(IMAGE_EXTENSIONS)}) in {directory}")
    return files


def _decode(path, channels=0):
    return tf.io.decode_image(tf.io.read_file(path), channels=channels, expand_animations=False)


def _first_shape(path):
    return tuple(int(d) for d in _decode(path).shape)


def from_side_by_side(directory, direction="AtoB", split=None):
    """Pairs from a folder of side-by-side ``A|B`` images (see the module docstring)."""
    _check_direction(direction)
    if split and os.path.isdir(os.path.join(directory, split)):
        directory = os.path.join(directory, split)
    paths = [os.path.join(directory, f) for f in _image_files(directory)]
    height, width, channels = _first_shape(paths[0])
    if width % 2:
        raise ValueError(f"{paths[0]} is {width} pixels wide: side-by-side A|B images have an "
                         "even width")
    half = width // 2

    def load(path):
        image = tf.ensure_shape(_decode(path, channels), (height, width, channels))
        a, b = image[:, :half], image[:, half:]
        return (a, b) if direction == "AtoB" else (b, a)

    dataset = tf.data.Dataset.from_tensor_slices(paths).map(load, num_parallel_calls=tf.data.AUTOTUNE)
    shape = (height, half, channels)
    return PairedSource(f"side_by_side:{directory}:{direction}", dataset, shape, shape, len(paths))


def from_parallel_folders(source_dir, target_dir):
    """Pairs of same-named images (by file name without extension) from two folders."""
    sources = {os.path.splitext(f)[0]: f for f in _image_files(source_dir)}
    targets = {os.path.splitext(f)[0]: f for f in _image_files(target_dir)}
    unmatched = sorted(set(sources) ^ set(targets))
    if unmatched:
        raise ValueError(f"{len(unmatched)} file(s) have no partner of the same name in the "
                         f"other folder, e.g. {unmatched[0]!r}: {source_dir} and {target_dir} "
                         "must hold the same names")
    names = sorted(sources)
    source_paths = [os.path.join(source_dir, sources[n]) for n in names]
    target_paths = [os.path.join(target_dir, targets[n]) for n in names]
    source_shape, target_shape = _first_shape(source_paths[0]), _first_shape(target_paths[0])
    if source_shape[:2] != target_shape[:2]:
        raise ValueError(f"sources are {source_shape[0]}x{source_shape[1]} and targets "
                         f"{target_shape[0]}x{target_shape[1]}: pairs must share one size")

    def load(source_path, target_path):
        return (tf.ensure_shape(_decode(source_path, source_shape[-1]), source_shape),
                tf.ensure_shape(_decode(target_path, target_shape[-1]), target_shape))

    dataset = tf.data.Dataset.from_tensor_slices((source_paths, target_paths))
    dataset = dataset.map(load, num_parallel_calls=tf.data.AUTOTUNE)
    return PairedSource(f"parallel:{source_dir}|{target_dir}", dataset, source_shape,
                        target_shape, len(names))


def from_paired_arrays(sources, targets, name="paired_arrays"):
    """Pairs from uint8 arrays ``[N, H, W, C]`` (or ``[N, H, W]``) of one spatial size."""
    sources, targets = np.asarray(sources), np.asarray(targets)
    sources = sources[..., None] if sources.ndim == 3 else sources
    targets = targets[..., None] if targets.ndim == 3 else targets
    if sources.ndim != 4 or targets.ndim != 4 or not len(sources):
        raise ValueError(f"sources and targets must be non-empty [N, H, W, C] arrays, got "
                         f"{sources.shape} and {targets.shape}")
    if len(sources) != len(targets) or sources.shape[1:3] != targets.shape[1:3]:
        raise ValueError(f"sources {sources.shape} and targets {targets.shape} must have the same "
                         "number of images of the same height and width")
    if sources.dtype != np.uint8 or targets.dtype != np.uint8:
        raise ValueError("paired arrays must be uint8 images in [0, 255]")
    dataset = tf.data.Dataset.from_tensor_slices((sources, targets))
    return PairedSource(name, dataset, tuple(sources.shape[1:]), tuple(targets.shape[1:]),
                        len(sources))


def from_paired_npz(path, direction="AtoB"):
    """Pairs from a ``.npz`` file with uint8 arrays ``sources`` and ``targets`` (BtoA swaps
    them)."""
    _check_direction(direction)
    with np.load(path) as data:
        missing = {"sources", "targets"} - set(data.files)
        if missing:
            raise ValueError(f"{path} has no {', '.join(sorted(missing))} array (it has "
                             f"{', '.join(data.files) or 'none'})")
        pair = (data["sources"], data["targets"])
    if direction == "BtoA":
        pair = pair[::-1]
    return from_paired_arrays(*pair, name=f"npz:{path}")


def jitter(source, target, seed):
    """The paper's random jitter of one pair (float images ``[H, W, C]``): both resized up by
    286/256, one random crop back to ``H x W`` and one random left-right mirror, the same for
    both. ``seed`` is an int64 ``[2]`` stateless seed."""
    height, width = source.shape[0], source.shape[1]
    big = (int(round(height * JITTER_SCALE)), int(round(width * JITTER_SCALE)))
    channels = source.shape[-1]
    both = tf.concat([source, target], axis=-1)  # one crop and one flip for the two
    both = tf.image.resize(both, big, method="bilinear")
    both = tf.image.stateless_random_crop(both, (height, width, both.shape[-1]), seed=seed)
    flip_seed = tf.random.experimental.stateless_fold_in(seed, 1)
    both = tf.image.stateless_random_flip_left_right(both, seed=flip_seed)
    return both[..., :channels], both[..., channels:]


def paired_pipeline(source, batch_size, *, jitter_pairs=True, shuffle=True, repeat=True, seed=0,
                    drop_remainder=True, cache="auto", shuffle_buffer=None, start_batch=0, d_steps=1):
    """A batched ``tf.data.Dataset`` of ``(source, target)`` float32 pairs in [-1, 1].

    ``jitter_pairs`` applies ``jitter`` (training batches; pass False for evaluation). The
    order, ``seed``, ``start_batch`` and ``d_steps`` work as in ``ganzoo.data.pipeline``.
    """
    batch = check_batching(batch_size, d_steps, start_batch, seed)
    dataset = cached(source.dataset, source.size, cache)
    start = start_batch * batch
    size = source_size(source, dataset) if repeat else (source.size or 10_000)
    dataset = ordered(dataset, size, shuffle=shuffle, repeat=repeat, seed=seed, start=start,
                      shuffle_buffer=shuffle_buffer)
    dataset = dataset.map(lambda a, b: (scale_images(a), scale_images(b)),
                          num_parallel_calls=tf.data.AUTOTUNE)
    if jitter_pairs:
        # key each example's jitter on its position in the stream: a resumed stream repeats it
        base = epoch_seed(seed, 0)
        dataset = tf.data.Dataset.zip(tf.data.Dataset.range(start, 2 ** 62), dataset).map(
            lambda index, pair: jitter(pair[0], pair[1], tf.stack([base, index])),
            num_parallel_calls=tf.data.AUTOTUNE)
    dataset = dataset.batch(batch, drop_remainder=drop_remainder)
    return dataset.prefetch(tf.data.AUTOTUNE)


# -- the embedded default task: edges -> objects ---------------------------------------------

FASHION_DIR = os.path.join(EMBEDDED_DIR, "fashion")
FASHION_CLASSES = ("sandal", "sneaker", "bag", "ankle boot")
EDGE_SIGMA = 0.5  # Gaussian smoothing before the Sobel gradient, in pixels
EDGE_THRESHOLD = 0.8  # on the gradient magnitude of [0, 1] images
EDGES_NOTE = (
    "fashion_edges: Fashion-MNIST's sandals, sneakers, bags and ankle boots (8,000 train, 4,000 "
    "test, shipped in ganzoo/data/embedded/fashion), zero-padded to 32x32; the source is their "
    "edge map (black lines on white, as in the authors' edges2shoes), the target the object")


def edge_map(images):
    """Edge maps of uint8 grey images ``[N, H, W, 1]``: Sobel gradient magnitude of the
    Gaussian-smoothed image above ``EDGE_THRESHOLD``, drawn as black lines (0) on white (255)."""
    from scipy import ndimage

    out = np.empty_like(images)
    for i, image in enumerate(np.asarray(images, np.float32)[..., 0] / 255.0):
        smooth = ndimage.gaussian_filter(image, EDGE_SIGMA)
        magnitude = np.hypot(ndimage.sobel(smooth, 1), ndimage.sobel(smooth, 0))
        out[i, ..., 0] = np.where(magnitude > EDGE_THRESHOLD, 0, 255)
    return out


def fashion_edges(split="train", direction="AtoB"):
    """The embedded default paired task (``EDGES_NOTE``): AtoB is edges -> object."""
    from ganzoo.data import idx

    _check_direction(direction)
    images, labels = idx.load_idx_split(FASHION_DIR, split)
    objects = np.pad(images, ((0, 0), (2, 2), (2, 2), (0, 0)))  # 28x28 -> 32x32, black border
    edges = edge_map(objects)
    sources, targets = (edges, objects) if direction == "AtoB" else (objects, edges)
    source = from_paired_arrays(sources, targets, name="fashion_edges")
    source.labels, source.class_names = labels, FASHION_CLASSES
    return source


# -- names a paired model's --dataset takes ---------------------------------------------------

EMBEDDED_PAIRED = ("fashion_edges",)
AUTHORS_URL = "http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/{}.tar.gz"
# the pix2pix authors' side-by-side downloads (datasets/download_pix2pix_dataset.sh)
DOWNLOADS = ("facades", "cityscapes", "maps", "edges2shoes", "edges2handbags", "night2day")
PAIRED_CHOICES = ("fashion_edges (embedded), a folder of side-by-side A|B images (the authors' "
                  f"{', '.join(DOWNLOADS)}), pairs:SOURCE_DIR,TARGET_DIR, or a .npz with "
                  "sources and targets")


def check_paired_name(name):
    """ValueError naming the valid choices, or the download, when ``name`` is no paired dataset
    available here (cheap: nothing is read)."""
    if name in EMBEDDED_PAIRED:
        return
    if name in DOWNLOADS and not os.path.exists(name):
        url = AUTHORS_URL.format(name)
        raise ValueError(f"paired dataset {name} is a download, not on this machine: fetch and "
                         f"unpack it (wget {url} && tar xzf {name}.tar.gz), then pass "
                         f"--dataset {name} as the unpacked folder's path (./{name})")
    if name.startswith("pairs:"):
        dirs = name[len("pairs:"):].split(",")
        if len(dirs) != 2:
            raise ValueError(f"pairs: takes two folders, pairs:SOURCE_DIR,TARGET_DIR, got {name!r}")
        for d in dirs:
            if not os.path.isdir(d):
                raise ValueError(f"paired folder {d!r} does not exist")
        return
    path = name[len("npz:"):] if name.startswith("npz:") else name
    if not os.path.exists(path):
        raise ValueError(f"paired dataset {name!r} not found; valid: {PAIRED_CHOICES}")
    if os.path.isfile(path) and not path.endswith(".npz"):
        raise ValueError(f"paired dataset file {path!r} is not a .npz; valid: {PAIRED_CHOICES}")


def load_paired(name, split="train", direction="AtoB"):
    """The ``PairedSource`` a paired model's ``--dataset`` names (see the module docstring).
    ``split`` picks a side-by-side folder's sub-folder (the authors' ``train``/``val``/``test``;
    ``test`` falls back to ``val`` where there is no ``test``)."""
    check_paired_name(name)
    _check_direction(direction)
    if name == "fashion_edges":
        return fashion_edges(split, direction)
    if name.startswith("pairs:"):
        source_dir, target_dir = name[len("pairs:"):].split(",")
        if direction == "BtoA":
            source_dir, target_dir = target_dir, source_dir
        return from_parallel_folders(source_dir, target_dir)
    path = name[len("npz:"):] if name.startswith("npz:") else name
    if os.path.isfile(path):
        return from_paired_npz(path, direction)
    if split == "test" and not os.path.isdir(os.path.join(path, "test")):
        split = "val"
    return from_side_by_side(path, direction, split)

