"""GANModel: the Keras ``Model`` every zoo entry subclasses.

One model owns a ``generator`` and a ``discriminator`` (both Keras functional models), overrides
``compile`` (two optimizers, a named loss pair, ``d_steps``) and ``train_step``, and gives each
network its own ``GradientTape`` over its own weights. ``fit`` then works as for any Keras model:
progress bar, callbacks, ``tf.distribute`` strategies.

A zoo entry only says how to build its two networks (``build_generator``,
``build_discriminator``) and, if it has extra loss terms, overrides ``discriminator_loss`` /
``generator_loss``.

Data: a batch is ``images``, ``(images, labels)`` or, for paired models, ``(source, target)``;
``split_batch`` maps it to ``(real, labels)`` and paired models override it.

Distribution: every per-example loss is summed over the replica's examples and divided by the
*global* batch, and Keras' optimizers sum gradients over replicas, so N replicas on a global
batch make the same update as one device on that batch. Every random draw of a step (latents,
fake labels, dropout masks) is a stateless draw for the whole global batch, keyed on the seed,
the step, the network, the D step and the draw's purpose (``ganzoo.rng``), and each replica
takes its own slice, so the randomness too is the same as on one device. Batch norm layers are
built with ``synchronized=True`` so that their statistics are those of the global batch.

RNG state: ``(seed, step)``. ``step`` is a model variable saved with the weights, so a resumed
run draws exactly the noise the uninterrupted run would have drawn.

Learning-rate schedules count training steps (one G update and its ``d_steps`` D updates), for
both optimizers: ``compile`` wraps D's schedule so that ``d_steps`` D updates advance it by one.
"""

import contextlib
import random

import keras
import numpy as np
import tensorflow as tf

from ganzoo import losses as losses_lib
from ganzoo import rng
from ganzoo.layers import minibatch_features, power_iteration
from ganzoo.schedules import per_training_step


def as_float32(outputs):
    """Network outputs (a tensor or a nested list of them) in float32: under a mixed-precision
    policy the networks compute in bfloat16 or float16, the losses in float32."""
    return tf.nest.map_structure(lambda t: tf.cast(t, tf.float32), outputs)


class _Untracked:
    """Holds an object out of Keras' tracking and saving (``_walk_saveable`` skips it)."""

    def __init__(self, value):
        self.value = value


class GANModel(keras.Model):
    """Base class of the zoo's GANs (see the module docstring).

    Args:
        image_shape: shape of one real example: ``(H, W, C)`` images or ``(D,)`` points.
        latent_dim: size of the generator's noise vector z.
        num_classes: number of classes of a conditional model; 0 for unconditional.
        seed: seed of weight initialisation, of training noise and of ``generate``'s default.
        ema_decay: if > 0, keep an exponential moving average of the generator's weights
            (Yazici et al. 2019, https://arxiv.org/abs/1806.04498) and sample from it; the
            decay at step t is min(ema_decay, (1 + t) / (10 + t)) (TF's ``num_updates`` warm-up).
        minibatch: batch-level features before the discriminator's last layer: ``none``,
            ``discrimination`` (Salimans et al. 2016) or ``stddev`` (Karras et al. 2018).
        vbn_reference: if > 0, virtual batch norm in the generator with a fixed reference batch
            of this many latents (Salimans et al. 2016), for entries with ``supports_vbn``.
        latent_prior: the distribution of z, in every draw (training, ``sample_latents``, the
            exports' ``sample`` signature): ``normal`` N(0, I) (the default), ``uniform``
            U(-1, 1) per coordinate (Radford et al. 2015) or ``uniform_sqrt3`` U(-sqrt 3,
            sqrt 3), which has N(0, I)'s mean and variance (Goodfellow et al. 2014's code).
        pack: PacGAN's packing (Lin et al. 2018, https://arxiv.org/abs/1712.04086): the
            discriminator judges ``pack`` examples at once, concatenated along the last axis
            (channels of images, coordinates of points), and all of them real or all fake.
            1 (the default) is the usual discriminator. Unconditional models only.
    """

    zoo_name = None  # set by @register_model
    tiny_args = {}  # constructor arguments of a small instance, for smoke tests
    # "none": never takes labels; "required": always (num_classes >= 2); "optional": takes
    # labels when built with num_classes >= 2. An instance is conditional iff num_classes > 0.
    conditioning = "none"
    supports_vbn = False  # whether the generator can use virtual batch norm (vbn_reference)
    # True for image-to-image models (pix2pix): G maps a source image to a target image, batches
    # are (source, target), and they sample with ``translate`` instead of ``generate``
    paired = False

    # The paper's training setup, used by compile() for every argument not given.
    default_compile_args = dict(
        g_optimizer=dict(class_name="adam", config=dict(learning_rate=2e-4, beta_1=0.5)),
        d_optimizer=dict(class_name="adam", config=dict(learning_rate=2e-4, beta_1=0.5)),
        loss="non_saturating",
        d_steps=1,
        label_smoothing=0.0,
        r1_gamma=0.0,
    )
    # whether compile takes r1_gamma > 0: entries whose D update is not the shared one say no
    supports_r1 = True

    def __init__(self, image_shape=(28, 28, 1), latent_dim=100, num_classes=0, seed=0,
                 ema_decay=0.0, minibatch="none", vbn_reference=0, pack=1, latent_prior="normal",
                 **kwargs):
        super().__init__(**kwargs)
        self.image_shape = tuple(int(d) for d in image_shape)
        self.latent_dim = int(latent_dim)
        self.num_classes = int(num_classes)
        self.seed = int(seed)
        self.ema_decay = float(ema_decay)
        self.minibatch = str(minibatch or "none")
        self.vbn_reference = int(vbn_reference)
        self.pack = int(pack)
        self.latent_prior = str(latent_prior)
        rng.latent_bound(self.latent_prior)  # ValueError naming the valid priors
        minibatch_features(self.minibatch)  # ValueError naming the valid kinds
        name = type(self).__name__
        if self.vbn_reference < 0 or (self.vbn_reference and not self.supports_vbn):
            raise ValueError(f"{name} does not take vbn_reference={vbn_reference}; virtual batch "
                             "norm is available in the generators of gan and dcgan")
        if self.latent_dim <= 0 and not self.paired:
            raise ValueError(f"latent_dim must be positive, got {latent_dim}")
        if not 0.0 <= self.ema_decay < 1.0:
            raise ValueError(f"ema_decay must be in [0, 1), got {ema_decay}")
        if self.conditioning == "none" and self.num_classes:
            raise ValueError(f"{name} is unconditional: num_classes must be 0")
        if self.conditioning == "required" and self.num_classes < 2:
            raise ValueError(f"{name} is conditional: num_classes must be >= 2")
        if self.num_classes == 1 or self.num_classes < 0:
            raise ValueError(f"num_classes must be 0 (unconditional) or >= 2, got {num_classes}")
        if self.pack < 1:
            raise ValueError(f"pack must be >= 1 (1: no packing), got {pack}")
        if self.pack > 1 and (self.num_classes or self.paired):
            what = "is paired" if self.paired else f"takes class labels (num_classes={self.num_classes})"
            raise ValueError(f"pack={self.pack}: packing (PacGAN) is for unconditional models; "
                             f"{name} here {what}: use pack=1")
        self.g_optimizer = None
        self.d_optimizer = None

    @property
    def conditional(self):
        """True when this instance's generator (and maybe discriminator) take class labels."""
        return self.num_classes > 0

    # -- construction -------------------------------------------------------------------------

    @property
    def d_input_shape(self):
        """Shape of one discriminator input: an example, or ``pack`` examples concatenated
        along the last axis."""
        return self.image_shape[:-1] + (self.image_shape[-1] * self.pack,)

    def pack_examples(self, examples):
        """[B, ..., C] -> [B / pack, ..., pack * C]: each run of ``pack`` consecutive examples
        becomes one discriminator input (example j of a pack in channels j*C to (j+1)*C)."""
        m = self.pack
        if m == 1:
            return examples
        shape = list(self.image_shape)
        x = tf.reshape(examples, [-1, m] + shape)  # [B/m, m, *S]
        rank = len(shape)
        # move the pack axis next to the last (channel) axis, then merge the two
        x = tf.transpose(x, [0] + list(range(2, rank + 1)) + [1, rank + 1])
        return tf.reshape(x, [-1] + shape[:-1] + [m * shape[-1]])

    def unpack_outputs(self, outputs):
        """Discriminator outputs of packs [B / pack, ...] -> [B, ...]: each pack's output given
        to every example in it, so per-example losses averaged over B average over the packs."""
        return outputs if self.pack == 1 else tf.repeat(outputs, self.pack, axis=0)

    def apply_minibatch_features(self, features):
        """The discriminator's features with the configured batch-level features appended."""
        layer = minibatch_features(self.minibatch, name="minibatch_features")
        return features if layer is None else layer(features)

    def build_generator(self):
        raise NotImplementedError

    def build_discriminator(self):
        raise NotImplementedError

    def _build_networks(self):
        """Called by each subclass at the end of its __init__, once its arguments are set."""
        # Keras draws the seeds of unseeded initializers and dropout layers from Python's
        # `random`: seed it for a reproducible build, and give the caller's state back after.
        saved_state = random.getstate()
        random.seed(self.seed)
        try:
            self.generator = self.build_generator()
            self.discriminator = self.build_discriminator()
        finally:
            random.setstate(saved_state)
        expected = self.image_shape
        got = tuple(self.generator.output.shape[1:])
        if got != expected:
            raise ValueError(f"{type(self).__name__}: generator gives {got}, expected {expected}")
        self.step = self.add_weight(shape=(), dtype="int64", initializer="zeros",
                                    trainable=False, name="step",
                                    aggregation="only_first_replica")
        self.ema_weights = []
        self._ema_sampler = None
        if self.ema_decay:
            for w in self.generator.weights:
                # one shadow a generator weight, named after the weight's unique path
                shadow = self.add_weight(shape=w.shape, dtype=w.dtype, initializer="zeros",
                                         trainable=False, name="ema__" + w.path.replace("/", "__"),
                                         aggregation="only_first_replica")
                shadow.assign(w)
                self.ema_weights.append(shadow)
            # The network `generate` runs, its weights set from the shadows when it samples. Kept
            # out of Keras' tracking, so checkpoints hold the generator twice (weights and
            # shadows), not a third, stale copy.
            self._ema_sampler = _Untracked(keras.models.clone_model(self.generator))
        self.built = True

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "image_shape": list(self.image_shape),
            "latent_dim": self.latent_dim,
            "num_classes": self.num_classes,
            "seed": self.seed,
            "ema_decay": self.ema_decay,
            "minibatch": self.minibatch,
            "vbn_reference": self.vbn_reference,
            "pack": self.pack,
            "latent_prior": self.latent_prior,
        }

    # -- saving: Keras leaves the state of layers' SeedGenerators (dropout masks) out of saved
    # weights; a GAN's RNG state is part of what a resumed run must restore.

    def _seed_states(self):
        return [sg.state for layer in self._flatten_layers(include_self=False)
                for sg in getattr(layer, "_seed_generators", [])]

    def save_own_variables(self, store):
        super().save_own_variables(store)
        for i, state in enumerate(self._seed_states()):
            store[f"seed_state_{i}"] = state

    def load_own_variables(self, store):
        seed_keys = [k for k in store.keys() if str(k).startswith("seed_state_")]
        own = {k: store[k] for k in store.keys() if k not in seed_keys}
        super().load_own_variables(own)
        states = self._seed_states()
        for key in seed_keys:
            index = int(str(key)[len("seed_state_"):])
            if index < len(states):
                states[index].assign(np.asarray(store[key]))

    def call(self, inputs, training=False):
        """The generator: z (and labels, if conditional) -> images."""
        return self.generator(inputs, training=training)

    # -- compile --------------------------------------------------------------------------------

    def compile(self, g_optimizer=None, d_optimizer=None, loss=None, d_steps=None,
                label_smoothing=None, r1_gamma=None, jit_compile=False, **kwargs):
        """Sets the two optimizers, the named loss pair and the number of D steps per G step.

        Every argument left out takes this model's paper default (``default_compile_args``).
        Optimizers may be Keras optimizer objects, names or config dicts. ``loss`` names a pair
        in ``ganzoo.losses``. ``r1_gamma`` > 0 adds the R1 penalty to D's loss (Mescheder et al.
        2018, https://arxiv.org/abs/1801.04406, eq. 9): gamma / 2 times the squared norm of the
        gradient of D's real-vs-fake output with respect to its real input, averaged over the
        real D inputs (with packing: over the packs; an output map, as pix2pix's patches: the
        gradient of its sum). The optimizers' variables are built here, as ``tf.distribute``
        needs.
        """
        defaults = self.default_compile_args
        super().compile(jit_compile=jit_compile, **kwargs)
        self.g_optimizer = keras.optimizers.get(
            g_optimizer if g_optimizer is not None else dict(defaults["g_optimizer"]))
        self.d_optimizer = keras.optimizers.get(
            d_optimizer if d_optimizer is not None else dict(defaults["d_optimizer"]))
        if self.g_optimizer is self.d_optimizer:
            raise ValueError("g_optimizer and d_optimizer must be two different optimizer objects")
        self.loss_name = loss if loss is not None else defaults["loss"]
        self.label_smoothing = float(
            label_smoothing if label_smoothing is not None else defaults["label_smoothing"])
        self.gan_loss = losses_lib.get_loss(self.loss_name, self.label_smoothing)
        self.d_steps = int(d_steps if d_steps is not None else defaults["d_steps"])
        self.r1_gamma = float(r1_gamma if r1_gamma is not None
                              else defaults.get("r1_gamma", 0.0))
        if not self.r1_gamma >= 0.0:
            raise ValueError(f"r1_gamma must be >= 0 (0: no R1 penalty), got {r1_gamma}")
        if self.r1_gamma and not self.supports_r1:
            raise ValueError(f"{self.zoo_name or type(self).__name__} does not take r1_gamma="
                             f"{self.r1_gamma}: its discriminator update is its own (use 0)")
        if not 1 <= self.d_steps < rng.D_STEP_LIMIT:
            raise ValueError(f"d_steps must be in [1, {rng.D_STEP_LIMIT}), got {self.d_steps}")
        # schedules count training steps: D's advances once per d_steps D updates
        per_training_step(self.g_optimizer, 1)
        per_training_step(self.d_optimizer, self.d_steps)
        self.g_optimizer.build(self.generator.trainable_variables)
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")

    def get_compile_config(self):
        if self.g_optimizer is None:
            return None
        return {
            "g_optimizer": keras.optimizers.serialize(self.g_optimizer),
            "d_optimizer": keras.optimizers.serialize(self.d_optimizer),
            "loss": self.loss_name,
            "d_steps": self.d_steps,
            "label_smoothing": self.label_smoothing,
            "r1_gamma": self.r1_gamma,
        }

    def compile_from_config(self, config):
        self.compile(
            g_optimizer=keras.optimizers.deserialize(config["g_optimizer"]),
            d_optimizer=keras.optimizers.deserialize(config["d_optimizer"]),
            loss=config["loss"],
            d_steps=config["d_steps"],
            label_smoothing=config["label_smoothing"],
            r1_gamma=config.get("r1_gamma", 0.0),  # absent from models saved before it
        )

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        # Keras' TF trainer builds a model on a first batch, which it gets by an eager
        # strategy.reduce() of a distributed batch; under MultiWorkerMirroredStrategy that reduce
        # fails. A GANModel is already whole (networks built in __init__, optimizers in
        # compile), so there is nothing to build.
        if self.built and self.g_optimizer is not None and self.g_optimizer.built \
                and self.d_optimizer.built:
            return
        super()._maybe_symbolic_build(iterator=iterator, data_batch=data_batch)

    def fit(self, *args, shuffle=False, **kwargs):
        """``keras.Model.fit``; ``shuffle`` defaults to False, as a GAN's data comes as a
        ``tf.data`` pipeline that shuffles itself (Keras warns that it ignores the flag)."""
        return super().fit(*args, shuffle=shuffle, **kwargs)

    @property
    def metrics(self):
        if self.g_optimizer is None:
            return []
        return [self.d_loss_tracker, self.g_loss_tracker]

    # -- the pieces a zoo entry may override ------------------------------------------------------

    def split_batch(self, data):
        """A batch from the pipeline -> (real examples, labels or None)."""
        if isinstance(data, (tuple, list)):
            images = data[0]
            labels = data[1] if len(data) > 1 else None
        else:
            images, labels = data, None
        if self.conditional and labels is None:
            raise ValueError(f"{type(self).__name__} is conditional: batches must be (images, labels)")
        if not self.conditional:
            labels = None
        return images, labels

    def generator_inputs(self, z, labels):
        return [z, labels] if self.conditional else z

    def discriminate(self, images, labels, training):
        """Discriminator outputs for a batch (labels are None for unconditional models), one a
        example (with packing, each pack's output repeated for its examples)."""
        out = self.discriminator(self.pack_examples(images), training=training)
        return self.unpack_outputs(as_float32(out))

    def discriminator_loss(self, real_out, fake_out, real_labels, fake_labels):
        """Per-example discriminator loss."""
        return self.gan_loss.d_loss(real_out, fake_out, self.label_smoothing)

    def generator_loss(self, fake_out, fake_labels):
        """Per-example generator loss."""
        return self.gan_loss.g_loss(fake_out)

    def adversarial_output(self, outputs):
        """The real-vs-fake part of D's outputs (the R1 penalty's D); entries whose D has
        other heads (AC-GAN's classes) override this."""
        return outputs

    # -- training ------------------------------------------------------------------------------

    def _fake_inputs(self, stream, local_n):
        """This replica's slice of the latents (and fake labels) drawn for the global batch
        from ``stream`` (a ``ganzoo.rng.Stream``)."""
        z = rng.global_slice(lambda shape, seed: rng.draw_latents(shape, seed, self.latent_prior),
                             local_n, [self.latent_dim], stream.seed_for(rng.LATENTS))
        labels = None
        if self.conditional:
            labels = rng.global_slice(
                lambda shape, seed: tf.random.stateless_uniform(
                    shape, seed=seed, minval=0, maxval=self.num_classes, dtype=tf.int32),
                local_n, tf.zeros([0], tf.int32), stream.seed_for(rng.LABELS))
        return z, labels

    def _fake_batch(self, stream, local_n, real_labels):
        """(the generator's inputs, the labels D sees with the fakes) for one network update:
        drawn latents (and labels). Paired models take the real batch's sources instead."""
        z, fake_labels = self._fake_inputs(stream, local_n)
        return self.generator_inputs(z, fake_labels), fake_labels

    def generator_objective(self, fake_out, fake_labels, fake, real):
        """G's per-example loss; entries with terms beyond the adversarial one (pix2pix's L1 to
        the real target) override this."""
        return self.generator_loss(fake_out, fake_labels)

    def _reduce(self, per_example, local_n):
        """Sum over this replica's examples / global batch size (see the module docstring)."""
        replicas, _ = rng.replica_info()
        global_n = tf.cast(local_n * replicas, tf.float32)
        return tf.reduce_sum(tf.cast(per_example, tf.float32)) / global_n

    def _apply(self, optimizer, loss, tape, variables):
        # a LossScaleOptimizer's scale enters as the loss's output gradient: the same gradients
        # as of scale x loss, with the tape already closed (its apply_gradients unscales them)
        scale = tf.cast(optimizer.scale_loss(tf.constant(1.0)), loss.dtype)
        grads = tape.gradient(loss, variables, output_gradients=scale)
        optimizer.apply_gradients(zip(grads, variables))

    def _d_step(self, real, real_labels, step, d_index, local_n):
        with rng.random_stream(self.seed, step, rng.D_NETWORK, d_index) as stream:
            g_inputs, fake_labels = self._fake_batch(stream, local_n, real_labels)
            with power_iteration(False):  # G's spectral norms move in the G step
                fake = self.generator(g_inputs, training=True)
            return self._d_update(real, real_labels, fake, fake_labels, local_n)

    # layers whose output for one example depends on the rest of the batch or on a random
    # draw shaped by the batch: a discriminator holding one judges real and fake separately
    BATCH_COUPLED_LAYERS = ("BatchNormalization", "ConditionalBatchNorm", "VirtualBatchNorm",
                            "PrependReference", "MinibatchDiscrimination", "MinibatchStdDev",
                            "Dropout", "SpatialDropout2D", "GaussianNoise", "GaussianDropout")

    @property
    def joint_discriminator_call(self):
        """Whether a D update judges real and fake batches in one discriminator call (their
        concatenation: one pass of twice the batch, which runs faster than two) rather than
        two. Exact where every D layer treats examples independently and draws nothing at
        random (SN-GAN, SAGAN): spectral norm's one power iteration then happens in that one
        call, as it did in the real batch's call before. Off otherwise, and for paired models
        (pix2pix keeps the two calls its presets were trained with; with instance norm it
        would qualify, but the larger batch's float rounding moved one of 1,024 outputs of
        its two-replica test by 2.4e-5); assign False to force two calls
        (``tools/benchmark.py --levers`` measures the difference)."""
        if getattr(self, "_joint_d_call", None) is None:
            names = {type(layer).__name__ for layer in self.discriminator._flatten_layers()}
            self._joint_d_call = not (self.paired or names.intersection(self.BATCH_COUPLED_LAYERS))
        return self._joint_d_call

    @joint_discriminator_call.setter
    def joint_discriminator_call(self, value):
        self._joint_d_call = None if value is None else bool(value)

    def _judge_real_and_fake(self, real, real_labels, fake, fake_labels):
        """(D's outputs on the real batch, on the fake batch), in one call or two (see
        ``joint_discriminator_call``); spectral norm's power iteration runs once."""
        if self.joint_discriminator_call:
            n = tf.shape(real)[0]
            labels = None if real_labels is None else tf.concat([real_labels, fake_labels], 0)
            with power_iteration(True):
                both = self.discriminate(tf.concat([real, tf.cast(fake, real.dtype)], 0), labels,
                                         training=True)
            return both[:n], both[n:]
        # spectral norm: one power iteration a D step, on its first discriminator call
        with power_iteration(True):
            real_out = self.discriminate(real, real_labels, training=True)
        with power_iteration(False):
            fake_out = self.discriminate(fake, fake_labels, training=True)
        return real_out, fake_out

    def _d_update(self, real, real_labels, fake, fake_labels, local_n):
        """One D update on a real batch and a fake batch (called inside a random stream)."""
        with tf.GradientTape() as tape:
            with (tf.GradientTape(watch_accessed_variables=False) if self.r1_gamma
                  else contextlib.nullcontext()) as input_tape:
                if self.r1_gamma:
                    input_tape.watch(real)
                real_out, fake_out = self._judge_real_and_fake(real, real_labels, fake,
                                                               fake_labels)
                if self.r1_gamma:
                    r1_sum, r1_scale = self._r1_output_sum(real_out)
            per_example = self.discriminator_loss(real_out, fake_out, real_labels, fake_labels)
            if self.r1_gamma:
                per_example += self._r1_penalty(input_tape, real, r1_sum, r1_scale)
            loss = self._reduce(per_example, local_n)
        self._apply(self.d_optimizer, loss, tape, self.discriminator.trainable_variables)
        return loss

    def _r1_output_sum(self, real_out):
        """(scale x the sum of D's real-vs-fake outputs on the real inputs, scale), recorded by
        the input tape: a pack's output, repeated once per example by ``unpack_outputs``, counts
        once; the scale is the D optimizer's loss scale (mixed_float16: it keeps the float16
        input gradients from underflowing; 1 otherwise)."""
        scale = tf.cast(self.d_optimizer.scale_loss(tf.constant(1.0)), tf.float32)
        adversarial = tf.cast(self.adversarial_output(real_out), tf.float32)
        return tf.reduce_sum(adversarial) * (scale / self.pack), scale

    def _r1_penalty(self, input_tape, real, r1_sum, r1_scale):
        """Per-example R1 term: r1_gamma / 2 * pack * ||d sum(D's real outputs) / d example||^2,
        whose mean over the examples is r1_gamma / 2 times the mean over D's inputs (packs of
        ``pack`` examples) of the squared gradient norm. Differentiated again by D's tape."""
        grads = tf.cast(input_tape.gradient(r1_sum, real), tf.float32) / r1_scale
        squared = tf.reduce_sum(tf.reshape(tf.square(grads), [tf.shape(grads)[0], -1]), axis=1)
        return (0.5 * self.r1_gamma * self.pack) * squared

    def _g_step(self, step, local_n, real, real_labels):
        """One G update; ``real``/``real_labels`` are the last D step's minibatch (used by
        paired models, whose G translates that batch's sources)."""
        with rng.random_stream(self.seed, step, rng.G_NETWORK, 0) as stream:
            g_inputs, fake_labels = self._fake_batch(stream, local_n, real_labels)
            with tf.GradientTape() as tape:
                # spectral norm: each network's u vectors move once per update of that network
                with power_iteration(True):
                    fake = self.generator(g_inputs, training=True)
                with power_iteration(False):
                    fake_out = self.discriminate(fake, fake_labels, training=True)
                loss = self._reduce(
                    self.generator_objective(fake_out, fake_labels, fake, real), local_n)
        self._apply(self.g_optimizer, loss, tape, self.generator.trainable_variables)
        return loss

    def _check_batch(self, real):
        """A fit batch holds d_steps minibatches: say so clearly when it cannot be split."""
        k = self.d_steps
        name = self.zoo_name or type(self).__name__
        hint = (f"{name} makes d_steps={k} discriminator updates per training step, each on its "
                f"own minibatch, so a replica's batch must hold a positive multiple of {k} "
                "examples; build the dataset with ganzoo.data.pipeline(source, batch_size, "
                f"d_steps={k}) (batches of batch_size * {k})")
        m = self.pack
        if m > 1:  # each D step's minibatch is cut into packs of m
            k = k * m
            hint = (f"{name} packs pack={m} examples per discriminator input, with d_steps="
                    f"{self.d_steps}: a replica's batch must be a positive multiple of {k} "
                    "examples (a global batch_size that is a multiple of pack * replicas)")
        n = real.shape[0]
        if n is not None:
            if n < k or n % k:
                raise ValueError(f"{hint}; got a batch of {n}")
            return
        n = tf.shape(real)[0]
        tf.debugging.assert_equal(tf.logical_and(n >= k, n % k == 0), True, message=hint)

    def _update_ema(self):
        # warmed up as tf.train.ExponentialMovingAverage(num_updates=step) does: early shadows
        # follow the generator instead of holding its random initialisation for ~1/(1-decay)
        # steps
        t = tf.cast(self.step, tf.float32)
        decay = tf.minimum(self.ema_decay, (1.0 + t) / (10.0 + t))
        for shadow, w in zip(self.ema_weights, self.generator.weights):
            shadow.assign(decay * shadow + (1.0 - decay) * tf.cast(w, shadow.dtype))

    def train_step(self, data):
        """Algorithm 1 of Goodfellow et al. 2014: ``d_steps`` discriminator updates, each on its
        own minibatch of real examples and noise, then one generator update.

        The pipeline's batch holds ``d_steps * batch_size`` examples; D step i takes every
        ``d_steps``-th example starting at i, which gives each replica its slice of the same
        global minibatch that one device would use.
        """
        real, labels = self.split_batch(data)
        self._check_batch(real)
        k = self.d_steps
        local_n = tf.shape(real)[0] // k
        step = tf.convert_to_tensor(self.step)
        d_loss = tf.constant(0.0)
        for i in range(k):
            real_i = real[i::k] if k > 1 else real
            labels_i = None if labels is None else (labels[i::k] if k > 1 else labels)
            d_loss = self._d_step(real_i, labels_i, step, i, local_n)
        g_loss = self._g_step(step, local_n, real_i, labels_i)
        return self._end_step(d_loss, g_loss)

    def _end_step(self, d_loss, g_loss):
        """After a training step's updates: EMA, the step counter, the loss trackers; the logs."""
        replicas, _ = rng.replica_info()
        if self.ema_decay:
            self._update_ema()
        self.step.assign_add(1)
        # each replica reports its local mean; the Mean metric averages over replicas
        self.d_loss_tracker.update_state(d_loss * replicas)
        self.g_loss_tracker.update_state(g_loss * replicas)
        logs = {m.name: m.result() for m in self.metrics}
        if isinstance(self.distribute_strategy, tf.distribute.MultiWorkerMirroredStrategy):
            # Keras reduces step outputs across workers with reduce(MEAN, axis=0), which
            # needs a batch axis: give each scalar one (the reduce removes it again)
            logs = {k: tf.reshape(v, [1]) for k, v in logs.items()}
        return logs

    # -- sampling ------------------------------------------------------------------------------

    def sample_latents(self, n, seed=None):
        """n latent vectors (float32 [n, latent_dim]) from the model's ``latent_prior``,
        reproducible from ``seed``."""
        draw = np.random.default_rng(self.seed if seed is None else seed)
        bound = rng.latent_bound(self.latent_prior)
        if bound is None:
            return draw.standard_normal((n, self.latent_dim)).astype(np.float32)
        return draw.uniform(-bound, bound, (n, self.latent_dim)).astype(np.float32)

    def _check_labels(self, n, labels):
        if not self.conditional:
            if labels is not None:
                raise ValueError(f"{type(self).__name__} is unconditional: labels must be None")
            return None
        if labels is None:
            labels = np.arange(n) % self.num_classes
        labels = np.asarray(labels).astype(np.int32).reshape(-1)
        if labels.shape[0] == 1 and n > 1:
            labels = np.repeat(labels, n)
        if labels.shape[0] != n:
            raise ValueError(f"got {labels.shape[0]} labels for {n} samples")
        if labels.min() < 0 or labels.max() >= self.num_classes:
            raise ValueError(f"labels must be in [0, {self.num_classes}), got {labels.min()}..{labels.max()}")
        return labels

    def sampling_generator(self, use_ema=True):
        """The generator that ``generate`` uses: with EMA, a copy of the generator holding the
        shadow weights (refreshed here); else the generator itself. (Not an attribute: Keras'
        saving walks every attribute, and would store the copy as a third generator.)"""
        if use_ema and self._ema_sampler is not None:
            network = self._ema_sampler.value
            network.set_weights([np.asarray(w) for w in self.ema_weights])
            return network
        return self.generator

    def generate_from_latents(self, z, labels=None, batch_size=256, use_ema=True):
        """Images (float32 NumPy, in [-1, 1]) for given latents (and labels if conditional)."""
        z = np.asarray(z, np.float32)
        labels = self._check_labels(len(z), labels)
        generator = self.sampling_generator(use_ema)
        out = []
        for start in range(0, len(z), batch_size):
            zb = z[start:start + batch_size]
            lb = None if labels is None else labels[start:start + batch_size]
            out.append(np.asarray(generator(self.generator_inputs(zb, lb), training=False)))
        return np.concatenate(out, 0).astype(np.float32) if out else np.zeros((0,) + self.image_shape, np.float32)

    def generate(self, n, seed=None, labels=None, batch_size=256, use_ema=True):
        """n samples, float32 NumPy ``[n, *image_shape]`` in [-1, 1].

        ``seed`` fixes the latents (default: the model's seed). Conditional models take
        ``labels`` (one per sample, or one for all; default: classes in turn 0, 1, 2, ...).
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        return self.generate_from_latents(self.sample_latents(n, seed), labels, batch_size, use_ema)
