"""source -> decode, scale to [-1, 1], cache, shuffle, repeat, batch, prefetch."""

import tensorflow as tf


def scale_images(images):
    """uint8 [0, 255] -> float32 [-1, 1]; float input is taken as already scaled."""
    if images.dtype == tf.uint8:
        return tf.cast(images, tf.float32) / 127.5 - 1.0
    return tf.cast(images, tf.float32)


def pipeline(source, batch_size, *, labels=None, shuffle=True, repeat=True, seed=0,
             drop_remainder=True, cache=True, shuffle_buffer=None):
    """A batched ``tf.data.Dataset`` of ``images`` or ``(images, labels)`` from a DataSource.

    labels: True to yield (images, labels), False for images alone; None yields labels
    whenever the source has them. Batches are of exactly ``batch_size`` (the global batch under
    a distribution strategy) unless ``drop_remainder=False``.
    """
    if batch_size <= 0:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
    with_labels = source.has_labels if labels is None else labels
    if with_labels and not source.has_labels:
        raise ValueError(f"dataset {source.name} has no labels")
    dataset = source.dataset.map(
        lambda x, y: (scale_images(x), tf.cast(y, tf.int32)), num_parallel_calls=tf.data.AUTOTUNE
    )
    if cache:
        dataset = dataset.cache()
    if shuffle:
        buffer = shuffle_buffer or min(source.size or 10_000, 60_000)
        dataset = dataset.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        dataset = dataset.repeat()
    if not with_labels:
        dataset = dataset.map(lambda x, y: x)
    dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    return dataset.prefetch(tf.data.AUTOTUNE)
