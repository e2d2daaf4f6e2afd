"""Train-step throughput of a zoo entry against a plain Keras GAN step over the same networks.

    python tools/benchmark.py --model dcgan [--batch_size 64 --steps 100 --repeats 3]
    python tools/benchmark.py --model pix2pix       # 32x32 pairs, against the TF tutorial's step
    python tools/benchmark.py --export dcgan_mnist  # a TF Serving export's generator, batch 1 and 256

Both run ``fit`` on the same synthetic batch, repeated, with the same generator and
discriminator objects and the same optimizer settings, one D and one G update a step. The
"plain" step is the keras.io DCGAN idiom: ``keras.random.normal`` noise, mean binary
cross-entropy, two tapes. Runs alternate (ganzoo, plain, ganzoo, ...) after one warm-up run
each, and the fastest of ``--repeats`` timed runs is reported (as ``timeit`` does: on a shared
machine, noise only ever adds time; on this project's 2-core VM single runs of the same step
came out at either ~6 s or ~10 s, so a median of few runs compared noise, not steps). Every
run's time is printed too. ganzoo's machinery (global-
batch noise slicing, stateless RNG, loss reduction for replicas, step counter, trackers) should
cost nothing: the ratio ganzoo / plain should be at least 0.95.

For pix2pix the plain step is the TensorFlow pix2pix tutorial's: one generator forward pass under
two tapes, both networks' gradients from it, both applied at once. ganzoo's step is the authors'
(one generator pass; D updated; then G's gradient through the *updated* D), so it runs the
discriminator forward once more than the tutorial, whose G gradient comes from the D before its
update.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import ganzoo  # noqa: E402  (first: it imports TensorFlow with its start-up logs quietened)
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from ganzoo import registry  # noqa: E402


class PlainGAN(keras.Model):
    """The textbook Keras GAN train_step, for comparison."""

    def __init__(self, generator, discriminator, latent_dim):
        super().__init__()
        self.generator, self.discriminator, self.latent_dim = generator, discriminator, latent_dim
        self.seed_generator = keras.random.SeedGenerator(0)
        self.bce = keras.losses.BinaryCrossentropy(from_logits=True)
        self.built = True

    def compile(self, g_optimizer, d_optimizer):
        super().compile(jit_compile=False)
        self.g_optimizer, self.d_optimizer = g_optimizer, d_optimizer
        g_optimizer.build(self.generator.trainable_variables)
        d_optimizer.build(self.discriminator.trainable_variables)
        self.d_tracker = keras.metrics.Mean(name="d_loss")
        self.g_tracker = keras.metrics.Mean(name="g_loss")

    @property
    def metrics(self):
        return [self.d_tracker, self.g_tracker]

    def train_step(self, real):
        if isinstance(real, tuple):
            real = real[0]
        n = tf.shape(real)[0]
        z = keras.random.normal((n, self.latent_dim), seed=self.seed_generator)
        fake = self.generator(z, training=True)
        with tf.GradientTape() as tape:
            r = self.discriminator(real, training=True)
            f = self.discriminator(fake, training=True)
            d_loss = self.bce(tf.ones_like(r), r) + self.bce(tf.zeros_like(f), f)
        grads = tape.gradient(d_loss, self.discriminator.trainable_variables)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_variables))
        z = keras.random.normal((n, self.latent_dim), seed=self.seed_generator)
        with tf.GradientTape() as tape:
            f = self.discriminator(self.generator(z, training=True), training=True)
            g_loss = self.bce(tf.ones_like(f), f)
        grads = tape.gradient(g_loss, self.generator.trainable_variables)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_variables))
        self.d_tracker.update_state(d_loss)
        self.g_tracker.update_state(g_loss)
        return {m.name: m.result() for m in self.metrics}


class PlainPix2Pix(PlainGAN):
    """The TensorFlow pix2pix tutorial's train_step (one forward pass, two tapes), for comparison."""

    def __init__(self, generator, discriminator, l1_weight):
        super().__init__(generator, discriminator, 0)
        self.l1_weight = l1_weight

    def train_step(self, pair):
        source, target = pair
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = self.generator(source, training=True)
            r = self.discriminator([source, target], training=True)
            f = self.discriminator([source, fake], training=True)
            g_loss = self.bce(tf.ones_like(f), f) + self.l1_weight * tf.reduce_mean(tf.abs(target - fake))
            d_loss = 0.5 * (self.bce(tf.ones_like(r), r) + self.bce(tf.zeros_like(f), f))
        for tape, loss, net, opt in ((g_tape, g_loss, self.generator, self.g_optimizer),
                                     (d_tape, d_loss, self.discriminator, self.d_optimizer)):
            grads = tape.gradient(loss, net.trainable_variables)
            opt.apply_gradients(zip(grads, net.trainable_variables))
        self.d_tracker.update_state(d_loss)
        self.g_tracker.update_state(g_loss)
        return {m.name: m.result() for m in self.metrics}


def default_arch(model):
    """The architecture of the model's default zoo config (MNIST; pix2pix: fashion_edges)."""
    from ml_collections import config_flags  # noqa: F401 - ensures ml_collections is present

    import importlib

    module = importlib.import_module(f"zoo_configs.{model}_{registry.default_dataset(model)}")
    return module.get_config().arch.to_dict()


def timed_fit(model, dataset, steps):
    start = time.perf_counter()
    model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False)
    return time.perf_counter() - start


def benchmark_export(target, repeats, batches=(1, 256), images_per_run=2048):
    """images/s of an export's ``serving_default`` (a SavedModel folder, or a preset exported
    here first) at each batch size: the fastest of ``repeats`` runs of ``images_per_run``
    images, every run printed; beside it ``model.generate_from_latents``/``translate`` in
    process, when the target is a preset."""
    import tempfile

    model = None
    if os.path.isfile(os.path.join(target, "saved_model.pb")):
        path = target
    else:
        model = ganzoo.load(target)
        path = ganzoo.export(model, tempfile.mkdtemp(prefix="ganzoo-bench-"))
    signature = tf.saved_model.load(path).signatures["serving_default"]
    _, specs = signature.structured_input_signature
    rng = np.random.default_rng(0)

    def inputs(n):
        out = {}
        for name, spec in specs.items():
            shape = [n] + spec.shape.as_list()[1:]
            if spec.dtype == tf.uint8:
                out[name] = tf.constant(rng.integers(0, 256, shape), tf.uint8)
            elif spec.dtype.is_integer:
                out[name] = tf.constant(rng.integers(0, 10, shape), spec.dtype)
            else:
                out[name] = tf.constant(rng.standard_normal(shape), spec.dtype)
        return out

    print(f"export={path} device={'GPU' if tf.config.list_physical_devices('GPU') else 'CPU'} "
          f"images per run={images_per_run} repeats={repeats}")
    print(f"{'batch':<7}{'what':<24}{'images/s (best)':>16}{'median':>10}   seconds per run")
    for batch in batches:
        feed = inputs(batch)
        calls = max(1, images_per_run // batch)
        runners = {"SavedModel signature": lambda: signature(**feed)}
        if model is not None:
            arrays = {k: v.numpy() for k, v in feed.items()}
            if model.paired:
                runners["model.translate"] = lambda: model.translate(arrays["images"], batch_size=batch)
            else:
                runners["model.generate_from_latents"] = lambda: model.generate_from_latents(
                    arrays["z"], arrays.get("label"), batch_size=batch)
        for what, run in runners.items():
            run()  # warm-up: tracing
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                for _ in range(calls):
                    run()
                times.append(time.perf_counter() - start)
            rates = sorted(batch * calls / t for t in times)
            print(f"{batch:<7}{what:<24}{rates[-1]:>16.1f}{rates[len(rates) // 2]:>10.1f}   "
                  + " ".join(f"{t:.2f}" for t in times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--export", default=None, help="benchmark a TF Serving export (its "
                        "version folder) or a preset's, instead of the train step")
    parser.add_argument("--model", default="dcgan", choices=registry.list_models())
    parser.add_argument("--batch_size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--image_shape", default=None, help="default 28,28,1 (pix2pix: 32,32,1)")
    args = parser.parse_args()
    if args.export:
        benchmark_export(args.export, args.repeats)
        return

    cls = registry.get_model_class(args.model)
    shape = tuple(int(v) for v in (args.image_shape or ("32,32,1" if cls.paired else "28,28,1")).split(","))
    if cls.conditioning == "required":
        sys.exit(f"benchmark.py: {args.model} is conditional; the plain step here is unconditional")
    extra = dict(source_channels=shape[-1]) if cls.paired else {}
    zoo = ganzoo.build(args.model, image_shape=shape, **extra, **default_arch(args.model))
    zoo.compile(loss="non_saturating", d_steps=1)
    if cls.paired:
        plain = PlainPix2Pix(zoo.generator, zoo.discriminator, zoo.l1_weight)
    else:
        plain = PlainGAN(zoo.generator, zoo.discriminator, zoo.latent_dim)
    plain.compile(keras.optimizers.get(keras.optimizers.serialize(zoo.g_optimizer)),
                  keras.optimizers.get(keras.optimizers.serialize(zoo.d_optimizer)))
    batch = np.random.default_rng(0).uniform(-1, 1, (args.batch_size,) + shape).astype(np.float32)
    if cls.paired:
        batch = (batch, batch[::-1].copy())
    dataset = tf.data.Dataset.from_tensors(batch).repeat().prefetch(2)

    times = {"ganzoo": [], "plain": []}
    for model in (zoo, plain):  # warm-up: tracing and first allocations
        timed_fit(model, dataset, 5)
    for _ in range(args.repeats):
        times["ganzoo"].append(timed_fit(zoo, dataset, args.steps))
        times["plain"].append(timed_fit(plain, dataset, args.steps))
    rate = {k: args.batch_size * args.steps / min(v) for k, v in times.items()}
    print(f"model={args.model} image_shape={shape} batch={args.batch_size} steps={args.steps} "
          f"repeats={args.repeats} device={'GPU' if tf.config.list_physical_devices('GPU') else 'CPU'}")
    print(f"{'step':<8}{'images/s':>12}   seconds per run")
    for k in ("ganzoo", "plain"):
        runs = " ".join(f"{t:.2f}" for t in times[k])
        print(f"{k:<8}{rate[k]:>12.1f}   {runs}")
    print(f"ratio ganzoo/plain: {rate['ganzoo'] / rate['plain']:.3f}")


if __name__ == "__main__":
    main()
