"""Train the MNIST digit classifier behind the ``mnist`` feature extractor (or, with ``--task
fashion``, the object classifier behind ``fashion``, pix2pix's default task).

    python tools/train_mnist_classifier.py [--data ../shared/data/mnist --epochs 4]
    python tools/train_mnist_classifier.py --task fashion --epochs 6

Trains ``ganzoo.metrics.features.mnist_classifier_network`` on the MNIST training split (the
60,000 digits of an IDX directory; the embedded 20,000 with ``--data mnist``), with random shifts
of up to 2 pixels, reports accuracy on the official 10,000-digit test split, and writes the
weights (atomically) to ``ganzoo/metrics/weights/mnist_classifier.weights.h5`` only when that
accuracy reaches ``--min_accuracy`` (0.99). A sidecar ``mnist_classifier.json`` records the data,
epochs, seed and test accuracy.

``--task fashion``: the same network on the 32x32 targets of ``fashion_edges`` (the embedded
8,000 training objects, 4 classes), tested on its 4,000 test objects, written to
``fashion_classifier.weights.h5`` when the test accuracy reaches 0.95.
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
from ganzoo.evaluation import paired_arrays, source_arrays  # noqa: E402
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


def mnist_arrays(parser, data):
    try:
        train_source = data_lib.load(data, "train")
        test_source = data_lib.load(data, "test")
    except ValueError as error:
        parser.error(str(error))
    if train_source.element_shape != (28, 28, 1) or train_source.num_classes != 10:
        parser.error(f"{data} is not MNIST-shaped (28x28x1, 10 classes)")
    return source_arrays(train_source), source_arrays(test_source)


def fashion_arrays():
    """(targets in [-1, 1], classes) of fashion_edges' train and test splits."""
    out = []
    for split in ("train", "test"):
        source = data_lib.fashion_edges(split)
        out.append((paired_arrays(source)[1], source.labels))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--task", default="mnist", choices=("mnist", "fashion"))
    parser.add_argument("--data", default=DEFAULT_DATA,
                        help="mnist task: an IDX directory or 'mnist' (the embedded 20k digits)")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch_size", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min_accuracy", type=float, default=None,
                        help="write the weights only above this test accuracy (mnist 0.99, fashion 0.95)")
    parser.add_argument("--out", default=None, help="default: the extractor's shipped weights")
    args = parser.parse_args()
    fashion = args.task == "fashion"
    min_accuracy = args.min_accuracy or (0.95 if fashion else 0.99)
    out = args.out or (features.FASHION_WEIGHTS if fashion else features.MNIST_WEIGHTS)
    keras.utils.set_random_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = (fashion_arrays() if fashion
                                            else mnist_arrays(parser, args.data))
    data_name = "fashion_edges targets" if fashion else args.data
    print(f"train {len(x_train)} images from {data_name}, test {len(x_test)}")
    train = (tf.data.Dataset.from_tensor_slices((x_train, y_train))
             .shuffle(len(x_train), seed=args.seed).batch(args.batch_size)
             .map(shift, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE))
    network = (features.fashion_classifier_network() if fashion
               else features.mnist_classifier_network())
    logits_only = keras.Model(network.input, network.outputs[1])
    steps = args.epochs * len(train)
    logits_only.compile(
        optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(2e-3, steps)),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"])
    logits_only.fit(train, epochs=args.epochs, verbose=2)
    _, accuracy = logits_only.evaluate(x_test, y_test, batch_size=1000, verbose=0)
    print(f"test accuracy {accuracy:.4f} on {len(x_test)} images")
    if accuracy < min_accuracy:
        print(f"below --min_accuracy {min_accuracy}: weights not written", file=sys.stderr)
        sys.exit(1)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    atomic_write(out, network.save_weights, suffix=".weights.h5")
    data_label = "fashion_edges" if fashion else os.path.basename(os.path.normpath(args.data))
    meta = {"data": data_label, "train_examples": len(x_train),
            "epochs": args.epochs, "batch_size": args.batch_size, "seed": args.seed,
            "test_accuracy": round(float(accuracy), 4), "test_examples": len(x_test)}
    sidecar = os.path.splitext(os.path.splitext(out)[0])[0] + ".json"
    atomic_write_text(sidecar, json.dumps(meta, indent=1), ".json")
    print(f"wrote {out} ({os.path.getsize(out) / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
