"""Train the MNIST digit classifier behind the ``mnist`` feature extractor.

    python tools/train_mnist_classifier.py [--data ../shared/data/mnist --epochs 4]

Trains ``ganzoo.metrics.features.mnist_classifier_network`` on the MNIST training split (the
60,000 digits of an IDX directory; the embedded 20,000 with ``--data mnist``), with random shifts
of up to 2 pixels, reports accuracy on the official 10,000-digit test split, and writes the
weights (atomically) to ``ganzoo/metrics/weights/mnist_classifier.weights.h5`` only when that
accuracy reaches ``--min_accuracy`` (0.99). A sidecar ``mnist_classifier.json`` records the data,
epochs, seed and test accuracy.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import ganzoo  # noqa: E402,F401  (first: it imports TensorFlow with its start-up logs quietened)
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from ganzoo import data as data_lib  # noqa: E402
from ganzoo.evaluation import source_arrays  # noqa: E402
from ganzoo.images import atomic_write, atomic_write_text  # noqa: E402
from ganzoo.metrics import features  # noqa: E402

DEFAULT_DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..",
                            "shared", "data", "mnist")


def shift(images, labels, max_shift=2):
    padded = tf.pad(images, [[0, 0], [max_shift, max_shift], [max_shift, max_shift], [0, 0]],
                    constant_values=-1.0)
    size = tf.shape(images)
    crops = tf.image.random_crop(padded, size)
    return crops, labels


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=DEFAULT_DATA,
                        help="an IDX directory or 'mnist' (the embedded 20k digits)")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch_size", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min_accuracy", type=float, default=0.99)
    parser.add_argument("--out", default=features.MNIST_WEIGHTS)
    args = parser.parse_args()
    try:
        train_source = data_lib.load(args.data, "train")
        test_source = data_lib.load(args.data, "test")
    except ValueError as error:
        parser.error(str(error))
    if train_source.element_shape != (28, 28, 1) or train_source.num_classes != 10:
        parser.error(f"{args.data} is not MNIST-shaped (28x28x1, 10 classes)")
    keras.utils.set_random_seed(args.seed)
    x_train, y_train = source_arrays(train_source)
    x_test, y_test = source_arrays(test_source)
    print(f"train {len(x_train)} digits from {args.data}, test {len(x_test)}")
    train = (tf.data.Dataset.from_tensor_slices((x_train, y_train))
             .shuffle(len(x_train), seed=args.seed).batch(args.batch_size)
             .map(shift, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE))
    network = features.mnist_classifier_network()
    logits_only = keras.Model(network.input, network.outputs[1])
    steps = args.epochs * len(train)
    logits_only.compile(
        optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(2e-3, steps)),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"])
    logits_only.fit(train, epochs=args.epochs, verbose=2)
    _, accuracy = logits_only.evaluate(x_test, y_test, batch_size=1000, verbose=0)
    print(f"test accuracy {accuracy:.4f} on {len(x_test)} digits")
    if accuracy < args.min_accuracy:
        print(f"below --min_accuracy {args.min_accuracy}: weights not written", file=sys.stderr)
        sys.exit(1)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    atomic_write(args.out, network.save_weights, suffix=".weights.h5")
    meta = {"data": os.path.basename(os.path.normpath(args.data)), "train_examples": len(x_train),
            "epochs": args.epochs, "batch_size": args.batch_size, "seed": args.seed,
            "test_accuracy": round(float(accuracy), 4), "test_examples": len(x_test)}
    sidecar = os.path.splitext(os.path.splitext(args.out)[0])[0] + ".json"
    atomic_write_text(sidecar, json.dumps(meta, indent=1), ".json")
    print(f"wrote {args.out} ({os.path.getsize(args.out) / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
