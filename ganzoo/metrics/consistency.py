"""Class consistency of conditional samples: of the samples generated for class c, the fraction a
classifier assigns to c (the measure AC-GAN's paper reports as Inception accuracy)."""

import numpy as np


def class_consistency(probs, labels):
    """{"accuracy": overall fraction, "per_class": [fraction for each class 0..K-1]} where a
    sample counts when argmax(probs) equals its requested label; classes never requested get
    NaN."""
    probs = np.asarray(probs)
    labels = np.asarray(labels)
    if probs.ndim != 2 or labels.shape != (len(probs),) or len(probs) == 0:
        raise ValueError(f"need probs [N, K] and labels [N]; got {probs.shape} and {labels.shape}")
    k = probs.shape[1]
    if labels.min() < 0 or labels.max() >= k:
        raise ValueError(f"labels must lie in [0, {k}); got range [{labels.min()}, {labels.max()}]")
    correct = probs.argmax(axis=1) == labels
    per_class = [float(correct[labels == c].mean()) if np.any(labels == c) else float("nan")
                 for c in range(k)]
    return {"accuracy": float(correct.mean()), "per_class": per_class}
