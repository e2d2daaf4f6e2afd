"""Semi-supervised batches (Salimans et al. 2016, Sec. 5): a few labelled examples and every
example unlabelled.

``labelled_subset(labels, per_class, seed)`` picks ``per_class`` examples of each class (a
"label draw": the paper averages test errors over several); ``semi_supervised_pipeline`` yields
``(labelled images, their labels, unlabelled images)`` batches, each part ``batch_size`` rows:
the labelled ones cycle through the draw in a fresh order every pass, the unlabelled ones
through the whole training set (the labelled examples included, as in the paper's code).
"""

import numpy as np
import tensorflow as tf

from ganzoo.data.pipeline import pipeline
from ganzoo.data.sources import from_arrays


def labelled_subset(labels, per_class, seed=0):
    """Sorted indices of ``per_class`` examples of each class, drawn with ``seed``."""
    labels = np.asarray(labels)
    classes = np.unique(labels[labels >= 0])
    rng = np.random.default_rng([seed, 17])
    chosen = []
    for c in classes:
        members = np.flatnonzero(labels == c)
        if len(members) < per_class:
            raise ValueError(f"class {c} has {len(members)} examples; {per_class} asked for")
        chosen.append(rng.choice(members, per_class, replace=False))
    return np.sort(np.concatenate(chosen))


def source_examples(source):
    """(images as stored, labels) of every example of a DataSource, in order."""
    images, labels = [], []
    for x, y in source.dataset.batch(4096):
        images.append(x.numpy())
        labels.append(y.numpy())
    return np.concatenate(images), np.concatenate(labels)


def semi_supervised_pipeline(source, batch_size, num_labels, *, label_seed=0, seed=0,
                             start_batch=0):
    """``(x_labelled, y_labelled, x_unlabelled)`` batches (see the module docstring).
    ``num_labels``: labelled examples in all, split evenly over the source's classes; 0 keeps
    every label (each batch's unlabelled part is then also its labelled part's source)."""
    if not source.has_labels:
        raise ValueError(f"dataset {source.name} has no labels; semi-supervised training needs "
                         "a labelled dataset")
    images, labels = source_examples(source)
    if num_labels:
        k = source.num_classes
        if num_labels % k:
            raise ValueError(f"num_labels={num_labels} must be a multiple of the {k} classes "
                             f"(the same number for each class)")
        keep = labelled_subset(labels, num_labels // k, label_seed)
    else:
        keep = np.arange(len(labels))
    value_range = None if images.dtype == np.uint8 else (-1.0, 1.0)
    labelled = from_arrays(images[keep], labels[keep], value_range=value_range, name="labelled")
    labelled.num_classes = source.num_classes
    lab = pipeline(labelled, batch_size, labels=True, seed=seed + 1, start_batch=start_batch)
    unl = pipeline(source, batch_size, labels=False, seed=seed, start_batch=start_batch)
    both = tf.data.Dataset.zip((lab, unl)).map(lambda a, x: (a[0], a[1], x))
    return both.prefetch(tf.data.AUTOTUNE)
