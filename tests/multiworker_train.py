"""One worker of the MultiWorkerMirroredStrategy equivalence test (tests/test_distribute.py).

Run with TF_CONFIG set: trains the case given on the command line for 3 steps of plain SGD on the
fixed batches of ``test_distribute.equivalence_batches`` and, on the chief, saves every weight to
the .npz path given. ``train_case`` is also what the test runs on one device.
"""

import json
import sys

import numpy as np
import tensorflow as tf


def train_case(strategy, name, build, d_steps, rate):
    import keras

    import ganzoo
    from test_distribute import equivalence_batches

    with strategy.scope():
        model = ganzoo.build(name, **build)
        model.compile(d_steps=d_steps, g_optimizer=keras.optimizers.SGD(rate),
                      d_optimizer=keras.optimizers.SGD(rate))
    batches = equivalence_batches(build["image_shape"], build.get("num_classes", 0), d_steps)
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
