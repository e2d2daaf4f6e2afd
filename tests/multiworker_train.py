"""One worker of the MultiWorkerMirroredStrategy equivalence test (tests/test_distribute.py).

Run with TF_CONFIG set: trains the case given on the command line for 3 steps of plain SGD on the
fixed batches of ``equivalence_batches`` and, on the chief, saves every weight to the .npz path
given. ``train_case`` is also what the test runs on one device. (It imports nothing from the
tests' conftest, which reconfigures devices.)
"""

import json
import sys

import numpy as np
import tensorflow as tf


def equivalence_batches(image_shape, num_classes, d_steps, steps=3, batch=8, seed=0,
                        source_channels=0):
    """``steps`` fit batches of ``batch * d_steps`` examples (and labels if conditional; as
    (sources, targets) pairs with ``source_channels`` for a paired model)."""
    rng = np.random.default_rng(seed)
    images = rng.uniform(-1, 1, size=(steps, batch * d_steps) + tuple(image_shape)).astype(np.float32)
    if source_channels:
        shape = (steps, batch * d_steps) + tuple(image_shape[:2]) + (source_channels,)
        return rng.uniform(-1, 1, size=shape).astype(np.float32), images
    if not num_classes:
        return images
    return images, rng.integers(0, num_classes, size=(steps, batch * d_steps)).astype(np.int32)


def train_case(strategy, name, build, d_steps, rate):
    import keras

    import ganzoo

    with strategy.scope():
        model = ganzoo.build(name, **build)
        model.compile(d_steps=d_steps, g_optimizer=keras.optimizers.SGD(rate),
                      d_optimizer=keras.optimizers.SGD(rate))
    batches = equivalence_batches(build["image_shape"], build.get("num_classes", 0), d_steps,
                                  source_channels=build.get("source_channels", 0))
    model.fit(tf.data.Dataset.from_tensor_slices(batches), epochs=1, verbose=0)
    return model


def main():
    case = json.loads(sys.argv[1])
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    model = train_case(strategy, case["name"], case["build"], case["d_steps"], case["rate"])
    if strategy.cluster_resolver.task_id == 0:
        np.savez(sys.argv[2], *[np.asarray(w) for w in model.weights])
    print("replicas", strategy.num_replicas_in_sync, "step", int(np.asarray(model.step)))


if __name__ == "__main__":
    main()
