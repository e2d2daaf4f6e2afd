"""Feature extractors for the sample-quality metrics.

``mnist``: a small convolutional classifier of 28x28 digits trained on the MNIST training split
by ``tools/train_mnist_classifier.py``; its weights ship with the package
(``ganzoo/metrics/weights/mnist_classifier.weights.h5``). Features are its 128-wide global
average pool, probabilities its 10-way softmax. It gives MNIST FID/KID/IS/precision-recall and
the class consistency of conditional samples. Its numbers compare only with numbers from the
same classifier, not with any paper's.

``fashion``: the same network for 32x32 objects of pix2pix's default task (``fashion_edges``:
sandal, sneaker, bag, ankle boot), trained on that task's training targets by
``tools/train_mnist_classifier.py --task fashion``; its features give the task's FID/KID and its
predictions the classifier score (the role of the paper's FCN-score).

``inception``: Keras' InceptionV3 with ImageNet weights: 2048-wide pool features and 1000-way
probabilities, for natural images (resized to 299x299, grey images repeated to three channels).
Keras' ImageNet weights are not the TF-Inception graph (``pool_3`` of the 2015 graph) behind
published FIDs and Inception Scores, so these numbers do not compare with papers. The weights
must be on this machine: ganzoo never downloads at run time.

Both take images as float arrays in [-1, 1] (what ``GANModel.generate`` returns and what the
data pipelines yield), NHWC.
"""

import os

import numpy as np

WEIGHTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "weights")
MNIST_WEIGHTS = os.path.join(WEIGHTS_DIR, "mnist_classifier.weights.h5")
FASHION_WEIGHTS = os.path.join(WEIGHTS_DIR, "fashion_classifier.weights.h5")
INCEPTION_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels.h5"
INCEPTION_ENV = "GANZOO_INCEPTION_WEIGHTS"
EXTRACTORS = ("mnist", "fashion", "inception", "fid_inception")


class WeightsUnavailable(RuntimeError):
    """A feature extractor's weights are not on this machine (ganzoo does not download them)."""


def mnist_classifier_network():
    """The digit classifier (untrained): 28x28x1 in [-1, 1] -> (features [128], logits [10])."""
    return classifier_network((28, 28, 1), 10, "mnist_classifier")


def fashion_classifier_network():
    """The classifier of pix2pix's default task (untrained): 32x32x1 objects in [-1, 1] (sandal,
    sneaker, bag, ankle boot) -> (features [128], logits [4])."""
    return classifier_network((32, 32, 1), 4, "fashion_classifier", bn_momentum=0.9)


def classifier_network(image_shape, num_classes, name, bn_momentum=0.99):
    """A small convolutional classifier: images in [-1, 1] -> (features [128], logits).
    (``bn_momentum`` only matters in training: 0.9 lets the moving statistics settle within
    the few hundred steps of the 8,000-image fashion set.)"""
    import keras
    from keras import layers

    inputs = keras.Input(image_shape, name="images")
    h = inputs
    for i, (channels, pool) in enumerate([(32, False), (32, True), (64, False), (64, True),
                                          (128, False)]):
        h = layers.Conv2D(channels, 3, padding="same", use_bias=False, name=f"conv{i}")(h)
        h = layers.BatchNormalization(momentum=bn_momentum, name=f"bn{i}")(h)
        h = layers.ReLU(name=f"relu{i}")(h)
        if pool:
            h = layers.MaxPooling2D(name=f"pool{i}")(h)
    features = layers.GlobalAveragePooling2D(name="features")(h)
    logits = layers.Dense(num_classes, name="logits")(layers.Dropout(0.3, name="dropout")(features))
    return keras.Model(inputs, [features, logits], name=name)


class FeatureExtractor:
    """Maps images in [-1, 1] to (features [N, D], class probabilities [N, K]) in batches."""

    name = ""
    num_classes = 0
    image_shape = None  # the shape it expects, None when it resizes anything

    def __init__(self, network):
        import tensorflow as tf

        self.network = network
        self._predict = tf.function(lambda x: network(x, training=False), reduce_retracing=True)

    def preprocess(self, images):
        return images

    def weights_digest(self, length=10):
        """A short digest of the weights (it keys cached reference statistics: retrained
        weights never meet stale ones)."""
        from ganzoo.presets import file_digest

        return file_digest(self.weights_path, "sha1")[:length]

    def check_images(self, images):
        images = np.asarray(images)
        if images.ndim != 4:
            raise ValueError(f"the {self.name} extractor takes images [N, H, W, C]; got shape "
                             f"{images.shape}")
        if self.image_shape is not None and tuple(images.shape[1:]) != self.image_shape:
            raise ValueError(f"the {self.name} extractor takes images of shape {self.image_shape}; "
                             f"got {tuple(images.shape[1:])}")
        if images.shape[-1] not in (1, 3):
            raise ValueError(f"images need 1 or 3 channels, got {images.shape[-1]}")
        return images.astype(np.float32, copy=False)

    def __call__(self, images, batch_size=500, logits=False):
        """(features float64 [N, D], probabilities float64 [N, K]); the pre-softmax logits in
        place of the probabilities with ``logits=True``; None in their place for an extractor
        without classes (``fid_inception``)."""
        import tensorflow as tf

        images = self.check_images(images)
        features, outputs = [], []
        for start in range(0, len(images), batch_size):
            batch = self.preprocess(tf.constant(images[start : start + batch_size]))
            result = self._predict(batch)
            f, z = result if self.num_classes else (result, None)
            features.append(f.numpy().astype(np.float64))
            if z is not None:
                z = tf.cast(z, tf.float64)
                outputs.append((z if logits else tf.nn.softmax(z)).numpy())
        return np.concatenate(features), (np.concatenate(outputs) if outputs else None)


class MnistExtractor(FeatureExtractor):
    name = "mnist"
    num_classes = 10
    image_shape = (28, 28, 1)
    default_weights = MNIST_WEIGHTS
    build_command = "python tools/train_mnist_classifier.py"

    def __init__(self, weights=None):
        weights = weights or self.default_weights
        if not os.path.exists(weights):
            raise WeightsUnavailable(
                f"{self.name} classifier weights {weights} are missing; rebuild them with "
                f"`{self.build_command}`")
        network = classifier_network(self.image_shape, self.num_classes, f"{self.name}_classifier")
        network.load_weights(weights)
        self.weights_path = weights
        super().__init__(network)


class FashionExtractor(MnistExtractor):
    """The classifier of pix2pix's default task (``fashion_edges`` targets): its features give
    the task's FID/KID, its predictions the classifier score (the paper's FCN-score)."""

    name = "fashion"
    num_classes = 4
    image_shape = (32, 32, 1)
    default_weights = FASHION_WEIGHTS
    build_command = "python tools/train_mnist_classifier.py --task fashion"


def inception_weights_path():
    """Where the InceptionV3 weights are looked for: ``$GANZOO_INCEPTION_WEIGHTS``, else Keras'
    cache (``$KERAS_HOME/models``)."""
    return os.environ.get(INCEPTION_ENV) or os.path.join(
        os.path.expanduser(os.environ.get("KERAS_HOME", "~/.keras")), "models", INCEPTION_FILE)


class InceptionExtractor(FeatureExtractor):
    name = "inception"
    num_classes = 1000

    def __init__(self, weights=None):
        import keras

        path = weights or inception_weights_path()
        if not os.path.exists(path):
            raise WeightsUnavailable(
                f"InceptionV3 ImageNet weights not found at {path} and ganzoo does not download "
                "at run time; on a machine with network run `python -c \"import keras; "
                "keras.applications.InceptionV3()\"`, copy ~/.keras/models/" + INCEPTION_FILE
                + f" here, or point ${INCEPTION_ENV} at the file")
        base = keras.applications.InceptionV3(weights=None, include_top=True)
        base.load_weights(path)
        self.weights_path = path
        pool = base.get_layer("avg_pool").output
        head = base.get_layer("predictions")
        # logits: the softmax layer's affine part applied to the pool features
        kernel, bias = head.kernel, head.bias
        logits = keras.ops.matmul(pool, kernel) + bias
        super().__init__(keras.Model(base.input, [pool, logits], name="inception_v3_features"))

    def preprocess(self, images):
        import tensorflow as tf

        if images.shape[-1] == 1:
            images = tf.repeat(images, 3, axis=-1)
        # Keras' InceptionV3 preprocessing maps [0, 255] to [-1, 1]: the range images are in
        return tf.image.resize(images, (299, 299), method="bilinear")


class FidInceptionExtractor(FeatureExtractor):
    """The TF-Inception graph of 2015 behind published FIDs (``ganzoo.metrics.fid_inception``):
    2048-wide ``pool_3`` features, no classes (the TorchScript source holds no softmax layer,
    so no Inception Score). Weights from ``python tools/get_fid_inception.py``; they are used
    only when their sha256 matches the conversion's record."""

    name = "fid_inception"
    num_classes = 0
    build_command = "python tools/get_fid_inception.py"

    def __init__(self, weights=None, network=None):
        from ganzoo.metrics import fid_inception as FI
        from ganzoo.presets import sha256_file

        if network is None:
            directory = os.path.dirname(os.path.abspath(weights)) if weights else FI.weights_dir()
            path = weights or os.path.join(directory, FI.WEIGHTS_NAME)
            record = FI.read_record(directory)
            if record is None or not os.path.exists(path):
                raise WeightsUnavailable(
                    f"the fid_inception weights are not in {directory}; convert them once with "
                    f"`{self.build_command}` (needs PyTorch: pip install 'ganzoo[fid]')")
            self.sha256 = sha256_file(path)
            if self.sha256 != record["weights_sha256"]:
                raise WeightsUnavailable(
                    f"{path} does not match the sha256 its conversion recorded; convert again "
                    f"with `{self.build_command}`")
            network = FI.build_network()
            network.load_weights(path)
            self.weights_path = path
        else:
            self.weights_path = self.sha256 = None
        super().__init__(network)

    def weights_digest(self, length=10):
        # the sha256 checked on loading: 88 MB are not read a second time
        return self.sha256[:length]

    def preprocess(self, images):
        from ganzoo.metrics import fid_inception as FI

        return FI.preprocess(images)


def fid_inception_available():
    """Whether converted fid_inception weights are on this machine."""
    from ganzoo.metrics import fid_inception as FI

    return FI.read_record() is not None and os.path.exists(
        os.path.join(FI.weights_dir(), FI.WEIGHTS_NAME))


def get_extractor(name, weights=None):
    """The feature extractor called ``name`` (one of EXTRACTORS); ValueError names the valid
    ones, WeightsUnavailable when its weights are not on this machine."""
    if name == "mnist":
        return MnistExtractor(weights)
    if name == "fashion":
        return FashionExtractor(weights)
    if name == "inception":
        return InceptionExtractor(weights)
    if name == "fid_inception":
        return FidInceptionExtractor(weights)
    raise ValueError(f"unknown feature extractor {name!r}; valid: {', '.join(EXTRACTORS)}")


def default_extractor(image_shape):
    """mnist for 28x28x1 images; for other images fid_inception (the FIDs papers publish) when
    its converted weights are on this machine, else Keras' inception; None for points."""
    if len(image_shape) != 3:
        return None
    if tuple(image_shape) == (28, 28, 1):
        return "mnist"
    return "fid_inception" if fid_inception_available() else "inception"
