"""Paired data for image-to-image translation (pix2pix, Isola et al. 2017): sources and pipeline.

A ``PairedSource`` holds an unbatched ``tf.data.Dataset`` of ``(source, target)`` uint8 image
pairs of one spatial size (their channel counts may differ). It is read from the formats people
already have:

- ``from_side_by_side(DIR)``: a folder of ``A|B`` images, each the two halves side by side (the
  format of the pix2pix authors' facades / maps / edges2shoes downloads); ``direction`` AtoB
  (source = left half) or BtoA; a ``split`` sub-folder (``train``, ``val``, ``test``) is used
  when the folder has one;
- ``from_parallel_folders(SOURCE_DIR, TARGET_DIR)``: two folders whose files pair by name;
- ``from_paired_npz(FILE)``: arrays ``sources`` and ``targets``.

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

from ganzoo.data.pipeline import check_batching, epoch_seed, ordered, scale_images, source_size
from ganzoo.data.sources import IMAGE_EXTENSIONS

DIRECTIONS = ("AtoB", "BtoA")
JITTER_SCALE = 286 / 256  # the paper's resize before the random crop


@dataclasses.dataclass
class PairedSource:
    name: str
    dataset: tf.data.Dataset  # unbatched (source, target) uint8 pairs
    source_shape: tuple  # (H, W, C_source)
    target_shape: tuple  # (H, W, C_target)
    size: Optional[int] = None


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


def from_paired_npz(path):
    """Pairs from a ``.npz`` file with uint8 arrays ``sources`` and ``targets``."""
    with np.load(path) as data:
        missing = {"sources", "targets"} - set(data.files)
        if missing:
            raise ValueError(f"{path} has no {', '.join(sorted(missing))} array (it has "
                             f"{', '.join(data.files) or 'none'})")
        return from_paired_arrays(data["sources"], data["targets"], name=f"npz:{path}")


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
                    drop_remainder=True, cache=True, shuffle_buffer=None, start_batch=0, d_steps=1):
    """A batched ``tf.data.Dataset`` of ``(source, target)`` float32 pairs in [-1, 1].

    ``jitter_pairs`` applies ``jitter`` (training batches; pass False for evaluation). The
    order, ``seed``, ``start_batch`` and ``d_steps`` work as in ``ganzoo.data.pipeline``.
    """
    batch = check_batching(batch_size, d_steps, start_batch, seed)
    dataset = source.dataset.map(lambda a, b: (scale_images(a), scale_images(b)),
                                 num_parallel_calls=tf.data.AUTOTUNE)
    if cache:
        dataset = dataset.cache()
    start = start_batch * batch
    size = source_size(source, dataset) if repeat else (source.size or 10_000)
    dataset = ordered(dataset, size, shuffle=shuffle, repeat=repeat, seed=seed, start=start,
                      shuffle_buffer=shuffle_buffer)
    if jitter_pairs:
        # key each example's jitter on its position in the stream: a resumed stream repeats it
        base = epoch_seed(seed, 0)
        dataset = tf.data.Dataset.zip(tf.data.Dataset.range(start, 2 ** 62), dataset).map(
            lambda index, pair: jitter(pair[0], pair[1], tf.stack([base, index])),
            num_parallel_calls=tf.data.AUTOTUNE)
    dataset = dataset.batch(batch, drop_remainder=drop_remainder)
    return dataset.prefetch(tf.data.AUTOTUNE)
