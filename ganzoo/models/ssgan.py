"""Semi-supervised GAN (Salimans et al. 2016, https://arxiv.org/abs/1606.03498, Sec. 5)."""

import keras
import numpy as np
import tensorflow as tf

from ganzoo import rng
from ganzoo.layers import GaussianNoise, WeightNormDense
from ganzoo.models.base import GANModel, _Untracked, as_float32
from ganzoo.registry import register_model


def semi_supervised_d_loss(logits_unlabelled, logits_fake, logits_labelled=None, labels=None,
                           unlabeled_weight=0.5):
    """Per-example discriminator losses of Salimans et al. 2016 (the arrays' rows are
    examples): ``unlabeled_weight`` x [-log D(x_unl) - log(1 - D(G(z)))] with D(x) = Z / (Z + 1),
    Z = sum_k exp(l_k), and, with labels, the cross-entropy of the labelled rows. Returns
    (unsupervised [N], supervised [M] or None)."""
    lse_unl = tf.reduce_logsumexp(logits_unlabelled, axis=-1)
    lse_fake = tf.reduce_logsumexp(logits_fake, axis=-1)
    # -log D(x) = -lse + softplus(lse); -log(1 - D(G(z))) = softplus(lse)
    unsupervised = unlabeled_weight * (-lse_unl + tf.nn.softplus(lse_unl) + tf.nn.softplus(lse_fake))
    supervised = None
    if labels is not None:
        supervised = keras.losses.sparse_categorical_crossentropy(
            tf.cast(labels, tf.int32), logits_labelled, from_logits=True)
    return unsupervised, supervised


@register_model("ssgan")
@keras.saving.register_keras_serializable(package="ganzoo")
class SSGAN(GANModel):
    """The semi-supervised GAN of "Improved Techniques for Training GANs": the discriminator is
    a K-class classifier whose (K+1)-th class, "generated", has its logit fixed at 0, so that
    D(x) = Z(x) / (Z(x) + 1) with Z(x) = sum_k exp(l_k(x)); the generator is trained by feature
    matching on D's last hidden layer.

    Losses (the paper's Eq. 5 and its code): D minimises cross-entropy on the labelled batch +
    ``unlabeled_weight`` x [-log D(x_unl) - log(1 - D(G(z)))] (0.5 in the authors' code, the
    default); G minimises the mean over features of (mean_x f(x_unl) - mean_z f(G(z)))^2, the
    batch means over the global batch under ``tf.distribute``.

    The MNIST networks of the paper's code: G z(100) -> 500 -> 500 (batch norm, softplus) -> 784
    with weight norm and the paper's sigmoid (as 2 sigmoid - 1: ganzoo's pixels are [-1, 1]);
    D pixels mapped to the paper's [0, 1], Gaussian noise 0.3 on them, weight-normalised ReLU
    layers 1000-500-250-250-250 (lengths fixed after the data-dependent init,
    ``initialize_from_data``) each followed by noise 0.5, and K weight-normalised logits
    (initial scale 0.1, the authors' CIFAR-10 value; their MNIST code's 1.0 trained worse here).
    ``classify`` uses a running average of D's trainable weights (``d_average``, 0.9999 with
    a warm-up: the authors' test error is that of D's weights averaged at rate 1e-4).
    Adam(0.003, beta_1 0.5) as compile defaults (the MNIST zoo config lowers G's rate: see
    zoo_configs/ssgan_mnist.py).

    Batches are ``(labelled images, labels, unlabelled images)``
    (``ganzoo.data.semi_supervised_pipeline``) or ``(images, labels)`` (all labelled; the
    images are then also the unlabelled part). ``classify(images)`` gives class predictions;
    ``generate`` draws unconditional samples.

    Example:
        >>> model = ganzoo.build("ssgan", image_shape=(28, 28, 1), num_classes=10)
        >>> model.compile()
        >>> model.classify(images)  # [N] class ids
    """

    conditioning = "required"  # D classifies num_classes classes; G takes no labels
    semi_supervised = True  # run.py feeds it ganzoo.data.semi_supervised_pipeline batches
    supports_r1 = False  # D's update is the K+1-class loss of its own _d_step
    tiny_args = dict(image_shape=(8, 8, 1), latent_dim=4, num_classes=3, g_units=(16,),
                     d_units=(16, 8))
    default_compile_args = dict(
        g_optimizer=dict(class_name="adam", config=dict(learning_rate=3e-3, beta_1=0.5)),
        d_optimizer=dict(class_name="adam", config=dict(learning_rate=3e-3, beta_1=0.5)),
        loss="non_saturating",
        d_steps=1,
        label_smoothing=0.0,
    )

    def __init__(self, g_units=(500, 500), d_units=(1000, 500, 250, 250, 250), input_noise=0.3,
                 hidden_noise=0.5, unlabeled_weight=0.5, d_average=0.9999, **kwargs):
        super().__init__(**kwargs)
        self.g_units = tuple(int(u) for u in g_units)
        self.d_units = tuple(int(u) for u in d_units)
        self.input_noise = float(input_noise)
        self.hidden_noise = float(hidden_noise)
        self.unlabeled_weight = float(unlabeled_weight)
        self.d_average = float(d_average)
        if not self.d_units:
            raise ValueError("ssgan needs at least one hidden layer in D (d_units) to match")
        if not 0.0 <= self.d_average < 1.0:
            raise ValueError(f"d_average must be in [0, 1), got {d_average}")
        self._build_networks()
        # the authors classify the test digits with a running average of D's trainable weights
        # (rate 1e-4); here with the warm-up of the generator's EMA (see ``_average_d``)
        self.d_average_weights = []
        if self.d_average:
            for w in self.discriminator.trainable_weights:
                shadow = self.add_weight(shape=w.shape, dtype=w.dtype, initializer="zeros",
                                         trainable=False,
                                         name="d_avg__" + w.path.replace("/", "__"),
                                         aggregation="only_first_replica")
                shadow.assign(w)
                self.d_average_weights.append(shadow)
        self._classifier = None

    def compile(self, *args, d_steps=None, **kwargs):
        if d_steps not in (None, 1):
            raise ValueError(f"ssgan makes one discriminator update per step (the paper's); "
                             f"got d_steps={d_steps}")
        super().compile(*args, d_steps=1, **kwargs)

    @property
    def conditional(self):
        """The generator takes no labels: only the discriminator knows the classes."""
        return False

    def build_generator(self):
        import math

        z = keras.Input((self.latent_dim,), name="z")
        h = z
        for units in self.g_units:
            h = keras.layers.Dense(units)(h)
            # (the authors' batch norm has a shift and no scale: with that and their unit-scale
            # logits a 6,000-step run here ended at 1,413 test errors; with a scale and logits
            # initialised at 0.1, runs had 456-559 at 5,000-5,500 steps)
            h = keras.layers.BatchNormalization(synchronized=True)(h)
            h = keras.layers.Activation("softplus")(h)
        # the paper's sigmoid pixels in [0, 1], written in ganzoo's [-1, 1] as 2 sigmoid - 1
        # (= tanh(a / 2)): D's Rescaling maps them back to exactly the paper's sigmoid(a)
        h = WeightNormDense(math.prod(self.image_shape), activation="sigmoid")(h)
        h = keras.layers.Rescaling(2.0, offset=-1.0)(h)
        return keras.Model(z, keras.layers.Reshape(self.image_shape)(h), name="generator")

    def build_discriminator(self):
        x = keras.Input(self.d_input_shape, name="x")
        # the paper's pixels are [0, 1] (a black background of zeros); ganzoo's are [-1, 1]
        h = keras.layers.Rescaling(0.5, offset=0.5)(keras.layers.Flatten()(x))
        h = GaussianNoise(self.input_noise)(h)
        features = None
        for units in self.d_units:
            # lengths fixed after the data-dependent init, as in the authors' code
            features = WeightNormDense(units, activation="relu", train_scale=False)(h)
            h = GaussianNoise(self.hidden_noise)(features)
        logits = WeightNormDense(self.num_classes, init_scale=0.1, name="logits")(h)
        return keras.Model(x, [logits, features], name="discriminator")

    def initialize_from_data(self, images, num_latents=None):
        """The data-dependent initialisation of weight normalisation (Salimans & Kingma 2016)
        for every weight-normalised layer: D's on a batch of real images (noise off; the
        authors' code keeps D's noise on), G's output layer on the latents of as many samples
        (batch norm on the batch's statistics; the authors' MNIST code initialises D alone and
        leaves G's output lengths at 1). ``python -m ganzoo.run`` calls it on the first 500
        training images of a fresh run."""
        h = tf.convert_to_tensor(images, tf.float32)
        for layer in self.discriminator.layers[1:]:
            h = layer.initialize_from(h) if isinstance(layer, WeightNormDense) else layer(h, training=False)
        z = self.sample_latents(num_latents or len(images), seed=self.seed)
        h = tf.convert_to_tensor(z, tf.float32)
        for layer in self.generator.layers[1:]:
            if isinstance(layer, WeightNormDense):
                h = layer.initialize_from(h)
            elif isinstance(layer, keras.layers.BatchNormalization):
                mean, var = tf.nn.moments(h, axes=[0])
                h = (h - mean) / tf.sqrt(var + layer.epsilon)
                h = (h * layer.gamma if layer.scale else h) + layer.beta
            else:
                h = layer(h)
        for shadow, w in zip(self.d_average_weights, self.discriminator.trainable_weights):
            shadow.assign(w)

    # -- training --------------------------------------------------------------------------------

    def split_batch(self, data):
        """(labelled images, labels, unlabelled images) of a batch."""
        if not isinstance(data, (tuple, list)) or len(data) not in (2, 3):
            raise ValueError("ssgan batches are (labelled images, labels, unlabelled images) or "
                             "(images, labels): see ganzoo.data.semi_supervised_pipeline")
        if len(data) == 2:
            return data[0], data[1], data[0]
        return tuple(data)

    def _global_mean(self, values):
        """Mean over the global batch of per-replica rows (differentiable all-reduce)."""
        replicas, _ = rng.replica_info()
        total = tf.reduce_sum(values, axis=0)
        n = tf.cast(tf.shape(values)[0] * replicas, values.dtype)
        if replicas > 1:
            total = tf.distribute.get_replica_context().all_reduce("sum", total)
        return total / n

    @staticmethod
    def _parts(real):
        """``real`` is (labelled images, unlabelled images) or one batch serving as both."""
        return tuple(real) if isinstance(real, (tuple, list)) else (real, real)

    def _d_step(self, real, real_labels, step, d_index, local_n):
        """One D update: cross-entropy on the labelled part (none when ``real_labels`` is
        None) + ``unlabeled_weight`` x the real-vs-generated loss on the unlabelled part."""
        x_lab, x_unl = self._parts(real)
        with rng.random_stream(self.seed, step, rng.D_NETWORK, d_index) as stream:
            z, _ = self._fake_inputs(stream, local_n)
            fake = self.generator(z, training=True)
            with tf.GradientTape() as tape:
                logits_unl, _ = as_float32(self.discriminator(x_unl, training=True))
                logits_fake, _ = as_float32(self.discriminator(fake, training=True))
                logits_lab = None
                if real_labels is not None:
                    logits_lab, _ = as_float32(self.discriminator(x_lab, training=True))
                unsupervised, supervised = semi_supervised_d_loss(
                    logits_unl, logits_fake, logits_lab, real_labels, self.unlabeled_weight)
                loss = self._reduce(unsupervised, local_n)
                if supervised is not None:
                    loss += self._reduce(supervised, tf.shape(x_lab)[0])
            self._apply(self.d_optimizer, loss, tape, self.discriminator.trainable_variables)
        return loss

    def _g_step(self, step, local_n, real, real_labels):
        """One G update by feature matching against the unlabelled part."""
        _, x_unl = self._parts(real)
        with rng.random_stream(self.seed, step, rng.G_NETWORK, 0) as stream:
            z, _ = self._fake_inputs(stream, local_n)
            _, real_features = as_float32(self.discriminator(x_unl, training=True))
            with tf.GradientTape() as tape:
                fake = self.generator(z, training=True)
                _, fake_features = as_float32(self.discriminator(fake, training=True))
                gap = (self._global_mean(tf.stop_gradient(real_features))
                       - self._global_mean(fake_features))
                replicas, _ = rng.replica_info()
                # every replica computes the whole loss; the optimizer sums their gradients
                loss = tf.reduce_mean(tf.square(gap)) / replicas
            self._apply(self.g_optimizer, loss, tape, self.generator.trainable_variables)
        return loss

    def train_step(self, data):
        x_lab, y_lab, x_unl = self.split_batch(data)
        step = tf.convert_to_tensor(self.step)
        local_n = tf.shape(x_unl)[0]
        d_loss = self._d_step((x_lab, x_unl), y_lab, step, 0, local_n)
        g_loss = self._g_step(step, local_n, (x_lab, x_unl), y_lab)
        if self.d_average:
            self._average_d()
        return self._end_step(d_loss, g_loss)

    def _average_d(self):
        t = tf.cast(self.step, tf.float32)
        decay = tf.minimum(self.d_average, (1.0 + t) / (10.0 + t))
        for shadow, w in zip(self.d_average_weights, self.discriminator.trainable_weights):
            shadow.assign(decay * shadow + (1.0 - decay) * w)

    # -- classification ------------------------------------------------------------------------

    def classifier(self, use_average=True):
        """D as it classifies: with the running average of its trainable weights (when kept and
        ``use_average``), else as trained."""
        if not (use_average and self.d_average):
            return self.discriminator
        if self._classifier is None:
            self._classifier = _Untracked(keras.models.clone_model(self.discriminator))
        network = self._classifier.value
        averages = iter(self.d_average_weights)
        trainable = {id(w) for w in self.discriminator.trainable_weights}
        network.set_weights([np.asarray(next(averages) if id(w) in trainable else w)
                             for w in self.discriminator.weights])
        return network

    def classify(self, images, batch_size=500, use_average=True):
        """Class ids [N] that D assigns to images (float in [-1, 1], or uint8 [0, 255]); by
        default with D's averaged weights (``d_average``), as the authors test."""
        images = np.asarray(images)
        if images.dtype == np.uint8:
            images = images.astype(np.float32) / 127.5 - 1.0
        network = self.classifier(use_average)
        out = []
        for start in range(0, len(images), batch_size):
            logits, _ = network(images[start:start + batch_size], training=False)
            out.append(np.argmax(np.asarray(logits), axis=-1))
        return np.concatenate(out) if out else np.zeros([0], np.int64)

    def get_config(self):
        return {
            **super().get_config(),
            "g_units": list(self.g_units),
            "d_units": list(self.d_units),
            "input_noise": self.input_noise,
            "hidden_noise": self.hidden_noise,
            "unlabeled_weight": self.unlabeled_weight,
            "d_average": self.d_average,
        }
