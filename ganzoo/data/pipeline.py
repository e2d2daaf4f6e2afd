"""source -> decode, cache, shuffle, repeat, scale to [-1, 1], batch, prefetch.

The cache holds the decoded examples as the source gives them (uint8 images: a quarter of the
float32 batches' memory), in memory, when they fit: ``cache="auto"`` (the default) keeps them
when their size is at most a quarter of this machine's memory (``cache_budget``) and decodes
every epoch again otherwise (an ImageNet-size folder); ``"memory"`` and ``"none"`` force either.
The choice changes neither the examples nor their order.

The order of a repeated, shuffled pipeline is a pure function of ``seed``: epoch ``e`` is the
source shuffled with a seed made of ``(seed, e)``, and the epochs follow one another. So the
stream from any position is known without replaying it: ``start_batch=s`` starts at epoch
``s * batch // N`` and skips only the examples of that epoch already used. A run resumed at step
``s`` therefore sees exactly the batches the uninterrupted run saw from step ``s`` on.
"""

import os

import numpy as np
import tensorflow as tf

_EPOCH_BITS = 32
CACHE_MODES = ("auto", "memory", "none")
CACHE_ENV = "GANZOO_CACHE_BYTES"  # overrides cache_budget(), in bytes


def scale_images(images):
    """uint8 [0, 255] -> float32 [-1, 1]; float input is taken as already scaled."""
    if images.dtype == tf.uint8:
        return tf.cast(images, tf.float32) / 127.5 - 1.0
    return tf.cast(images, tf.float32)


def epoch_seed(seed, epoch):
    """The shuffle seed of one epoch: distinct for every (seed, epoch) with 0 <= seed < 2^31."""
    return tf.cast(seed, tf.int64) * 2 ** _EPOCH_BITS + tf.cast(epoch, tf.int64)


def check_batching(batch_size, d_steps, start_batch, seed):
    """Validates the batching arguments the pipelines share; returns the fit batch
    ``batch_size * d_steps``."""
    if batch_size <= 0:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
    if d_steps <= 0:
        raise ValueError(f"d_steps must be a positive integer, got {d_steps}")
    if start_batch < 0:
        raise ValueError(f"start_batch must be >= 0, got {start_batch}")
    if not 0 <= seed < 2 ** 31:
        raise ValueError(f"seed must be in [0, 2^31), got {seed}")
    return batch_size * d_steps


def source_size(source, dataset):
    """The number of examples of a source (its ``size``, else counted once from ``dataset``)."""
    if source.size:
        return int(source.size)
    size = int(dataset.cardinality())
    if size < 0:  # unknown: count once
        size = int(dataset.reduce(tf.constant(0, tf.int64), lambda n, _: n + 1))
    return size


def cache_budget():
    """Bytes ``cache="auto"`` may keep in memory: ``$GANZOO_CACHE_BYTES``, else a quarter of the
    machine's physical memory."""
    if os.environ.get(CACHE_ENV):
        text = os.environ[CACHE_ENV]
        if not text.isdigit():
            raise ValueError(f"{CACHE_ENV} must be a whole number of bytes, got {text!r}")
        return int(text)
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 4
    except (ValueError, OSError, AttributeError):  # no sysconf: keep the old behaviour
        return 2 ** 62


def example_bytes(dataset):
    """Bytes of one example of ``dataset`` (all its components), from its element spec when the
    shapes are static, else from its first example."""
    specs = tf.nest.flatten(dataset.element_spec)
    if all(spec.shape.is_fully_defined() for spec in specs):
        return sum(int(np.prod(spec.shape)) * spec.dtype.size for spec in specs)
    return sum(int(np.prod(t.shape)) * t.dtype.size
               for t in tf.nest.flatten(next(iter(dataset.take(1)))))


def cache_mode(cache):
    """``cache`` (a mode, or True/False for "memory"/"none") as one of CACHE_MODES."""
    if cache is True or cache is False:
        return "memory" if cache else "none"
    if cache not in CACHE_MODES:
        raise ValueError(f"unknown cache {cache!r}; valid: {', '.join(CACHE_MODES)}")
    return cache


def cached(dataset, size, cache, budget=None):
    """``dataset`` cached in memory, or as it is, as ``cache`` says (see the module docstring):
    "auto" caches when ``size`` (None: unknown) examples take at most ``budget`` bytes (default
    ``cache_budget()``); a dataset of unknown size is cached, as it always was."""
    cache = cache_mode(cache)
    if cache == "auto":
        limit = cache_budget() if budget is None else budget
        fits = size is None or size * example_bytes(dataset) <= limit
        cache = "memory" if fits else "none"
    return dataset.cache() if cache == "memory" else dataset


def ordered(dataset, size, *, shuffle=True, repeat=True, seed=0, start=0, shuffle_buffer=None):
    """The examples of ``dataset`` (``size`` of them) in the pipeline's order, from example
    ``start`` on: with ``repeat``, epoch after epoch, each shuffled with ``epoch_seed(seed, e)``
    (see the module docstring); without, one pass, shuffled with ``epoch_seed(seed, 0)``."""
    if size == 0:
        raise ValueError("the dataset is empty")
    buffer = shuffle_buffer or min(size, 60_000)
    skip = start
    if repeat:
        first_epoch, skip = divmod(start, size)
        one_pass = dataset

        def one_pass_fn(epoch):
            if not shuffle:
                return one_pass
            return one_pass.shuffle(buffer, seed=epoch_seed(seed, epoch),
                                    reshuffle_each_iteration=False)

        dataset = tf.data.Dataset.range(first_epoch, 2 ** _EPOCH_BITS).flat_map(one_pass_fn)
    elif shuffle:
        dataset = dataset.shuffle(buffer, seed=epoch_seed(seed, 0), reshuffle_each_iteration=False)
    return dataset.skip(skip) if skip else dataset


def pipeline(source, batch_size, *, d_steps=1, labels=None, shuffle=True, repeat=True, seed=0,
             drop_remainder=True, cache="auto", shuffle_buffer=None, start_batch=0):
    """A batched ``tf.data.Dataset`` of ``images`` or ``(images, labels)`` from a DataSource.

    batch_size: the examples of one network update (the global batch under a distribution
        strategy). A model with ``d_steps = k`` discriminator updates per training step takes
        ``k`` minibatches per step: pass ``d_steps=k`` (e.g. ``d_steps=model.d_steps``) and each
        batch holds ``batch_size * k`` examples.
    labels: True to yield (images, labels), False for images alone; None yields labels
        whenever the source has them.
    seed: the data order; with ``repeat`` the order of every epoch is fixed by it (see the
        module docstring), and ``start_batch`` starts the stream at that batch.
    Batches are all full unless ``drop_remainder=False``.
    cache: "auto", "memory" or "none" (True/False: memory/none); see the module docstring.
    """
    batch = check_batching(batch_size, d_steps, start_batch, seed)
    with_labels = source.has_labels if labels is None else labels
    if with_labels and not source.has_labels:
        raise ValueError(f"dataset {source.name} has no labels")
    dataset = cached(source.dataset, source.size, cache)
    size = source_size(source, dataset) if repeat else (source.size or 10_000)
    dataset = ordered(dataset, size, shuffle=shuffle, repeat=repeat, seed=seed,
                      start=start_batch * batch, shuffle_buffer=shuffle_buffer)
    if with_labels:
        dataset = dataset.map(lambda x, y: (scale_images(x), tf.cast(y, tf.int32)),
                              num_parallel_calls=tf.data.AUTOTUNE)
    else:
        dataset = dataset.map(lambda x, y: scale_images(x), num_parallel_calls=tf.data.AUTOTUNE)
    dataset = dataset.batch(batch, drop_remainder=drop_remainder)
    return dataset.prefetch(tf.data.AUTOTUNE)
