"""source -> decode, scale to [-1, 1], cache, shuffle, repeat, batch, prefetch.

The order of a repeated, shuffled pipeline is a pure function of ``seed``: epoch ``e`` is the
source shuffled with a seed made of ``(seed, e)``, and the epochs follow one another. So the
stream from any position is known without replaying it: ``start_batch=s`` starts at epoch
``s * batch // N`` and skips only the examples of that epoch already used. A run resumed at step
``s`` therefore sees exactly the batches the uninterrupted run saw from step ``s`` on.
"""

import tensorflow as tf

_EPOCH_BITS = 32


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
             drop_remainder=True, cache=True, shuffle_buffer=None, start_batch=0):
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
    """
    batch = check_batching(batch_size, d_steps, start_batch, seed)
    with_labels = source.has_labels if labels is None else labels
    if with_labels and not source.has_labels:
        raise ValueError(f"dataset {source.name} has no labels")
    dataset = source.dataset.map(
        lambda x, y: (scale_images(x), tf.cast(y, tf.int32)), num_parallel_calls=tf.data.AUTOTUNE
    )
    if cache:
        dataset = dataset.cache()
    size = source_size(source, dataset) if repeat else (source.size or 10_000)
    dataset = ordered(dataset, size, shuffle=shuffle, repeat=repeat, seed=seed,
                      start=start_batch * batch, shuffle_buffer=shuffle_buffer)
    if not with_labels:
        dataset = dataset.map(lambda x, y: x)
    dataset = dataset.batch(batch, drop_remainder=drop_remainder)
    return dataset.prefetch(tf.data.AUTOTUNE)
