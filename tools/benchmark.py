"""Train-step throughput of a zoo entry against a plain Keras GAN step over the same networks.

    python tools/benchmark.py --model dcgan [--batch_size 64 --steps 100 --repeats 3]
    python tools/benchmark.py --model pix2pix       # 32x32 pairs, against the TF tutorial's step
    python tools/benchmark.py --export dcgan_mnist  # a TF Serving export's generator, batch 1 and 256
    python tools/benchmark.py --torch               # dcgan against its PyTorch twin (needs torch)

Both run ``fit`` on the same synthetic batch, repeated, with the same generator and
discriminator objects and the same optimizer settings, one D and one G update a step. The
"plain" step is the keras.io DCGAN idiom: ``keras.random.normal`` noise, mean binary
cross-entropy, two tapes. Runs alternate (ganzoo, plain, ganzoo, ...) after one warm-up run
each; each run is timed from its first step's start to its last step's end (see ``timed_fit``:
timing whole ``fit`` calls added a tf.data tear-down wait of up to the run's own length, the
"bimodal" runs of earlier versions). The fastest of ``--repeats`` timed runs is reported (as
``timeit`` does: on a shared machine, noise only ever adds time), with the median and the
slowest; every run's time is printed too. ganzoo's machinery (global-
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
    return config_arch(f"{model}_{registry.default_dataset(model)}")


class StepTimer(keras.callbacks.Callback):
    """Seconds from the start of the first batch to the end of the last one."""

    def on_train_batch_begin(self, batch, logs=None):
        if batch == 0:
            self.start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.end = time.perf_counter()


def timed_fit(model, dataset, steps):
    """Seconds of ``steps`` training steps inside one ``fit``: from the first batch's start to
    the last batch's end, without fit's set-up and tear-down. (The tear-down of a tf.data
    iterator waits for its autotuning thread's next wake-up, which comes 10 ms x (2^k - 1)
    after the iterator started: timed around ``fit``, runs of the same step came out at
    exactly 2.55, 5.11 or 10.23 s or at their real length, the bimodal figures of the previous
    version of this tool.)"""
    timer = StepTimer()
    model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False, callbacks=[timer])
    return timer.end - timer.start


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


# the papers' sizes: (zoo config of the architecture, image shape, classes)
PAPER_SIZES = {
    "gan": ("gan_mnist", (28, 28, 1), 0),
    "dcgan": ("dcgan_mnist", (64, 64, 3), 0),  # Radford et al.: 64x64 LSUN/faces
    "acgan": ("acgan_cifar10", (32, 32, 3), 10),
    "sngan": ("sngan_cifar10", (32, 32, 3), 0),
    "sagan": ("sagan_imagenet2012", (128, 128, 3), 1000),
    "pix2pix": (None, (256, 256, 3), 0),  # the constructor's defaults are the paper's U-Net
    "ssgan": ("ssgan_mnist", (28, 28, 1), 10),
}
POLICIES = ("float32", "mixed_bfloat16", "mixed_float16")


def config_arch(name):
    import importlib

    return importlib.import_module(f"zoo_configs.{name}").get_config().arch.to_dict()


def matrix_model(model, shape, num_classes, arch, policy, jit, steps_per_execution):
    """A zoo entry compiled under ``policy`` (loss scaling for float16) and XLA or not."""
    cls = registry.get_model_class(model)
    keras.mixed_precision.set_global_policy(policy)
    try:
        extra = dict(source_channels=shape[-1]) if cls.paired else dict(num_classes=num_classes)
        arch = {k: v for k, v in arch.items() if k not in ("num_classes",)}
        zoo = ganzoo.build(model, image_shape=shape, **arch, **extra)

        def adam():
            opt = keras.optimizers.Adam(2e-4, beta_1=0.5)
            return keras.optimizers.LossScaleOptimizer(opt) if policy == "mixed_float16" else opt

        zoo.compile(g_optimizer=adam(), d_optimizer=adam(), d_steps=1, jit_compile=jit,
                    steps_per_execution=steps_per_execution)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    return zoo


def spread(rates):
    """best, median and worst of a list of images/s."""
    rates = sorted(rates)
    return rates[-1], rates[len(rates) // 2], rates[0]


def mnist_size(model):
    """(image shape, classes) of an entry's MNIST-size benchmark (pix2pix: 32x32 pairs)."""
    cls = registry.get_model_class(model)
    classes = 10 if cls.conditioning == "required" or model == "ssgan" else 0
    return ((32, 32, 1) if cls.paired else (28, 28, 1)), classes


def synthetic_dataset(model, shape, classes, batch):
    """One random batch, repeated: (images, labels), or (sources, targets) for paired entries."""
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (batch,) + shape).astype(np.float32)
    if registry.get_model_class(model).paired:
        example = (images, images[::-1].copy())
    else:
        example = (images, rng.integers(0, max(classes, 1), batch).astype(np.int32))
    return tf.data.Dataset.from_tensors(example).repeat().prefetch(2)


def machine():
    return (f"threads={tf.config.threading.get_intra_op_parallelism_threads() or 'default'} "
            f"device={'GPU' if tf.config.list_physical_devices('GPU') else 'CPU'}")


def round_robin(models, dataset, steps, repeats, batch, title):
    """Times ``models`` (name -> compiled model) in turn, ``repeats`` rounds, so that slow and
    fast phases of a shared machine fall on all of them; prints best, median and worst
    images/s and each median against the first model's."""
    times = {name: [] for name in models}
    for _ in range(repeats):
        for name, model in models.items():
            times[name].append(timed_fit(model, dataset, steps))
    print(f"{title:<30}{'best':>9}{'median':>9}{'worst':>9}  images/s; vs the first   seconds per run")
    base = None
    for name in models:
        best, median, worst = spread([batch * steps / t for t in times[name]])
        base = base or median
        print(f"{name:<30}{best:>9.1f}{median:>9.1f}{worst:>9.1f}  {median / base:>5.2f}x   "
              + " ".join(f"{t:.2f}" for t in times[name]))


def benchmark_matrix(model, size, batch, steps, repeats, policies, jits, steps_per_execution=1):
    """images/s of ``model``'s training step under each precision policy, with and without
    XLA, at the MNIST size (its default zoo config) or the paper's (PAPER_SIZES). Configurations
    are timed in turn (round robin, ``repeats`` rounds after a warm-up run each), so that slow
    and fast phases of a shared machine fall on all of them; best, median and worst are shown."""
    if size == "paper":
        config, shape, classes = PAPER_SIZES[model]
        arch = config_arch(config) if config else {}
    else:
        (shape, classes), arch = mnist_size(model), default_arch(model)
    dataset = synthetic_dataset(model, shape, classes, batch)
    models = {}
    for policy in policies:
        for jit in jits:
            zoo = matrix_model(model, shape, classes, arch, policy, jit, steps_per_execution)
            timed_fit(zoo, dataset, max(2, steps_per_execution))  # tracing, compiling
            models[f"{policy}, XLA {'on' if jit else 'off'}"] = zoo
    print(f"model={model} size={size} image_shape={shape} batch={batch} steps={steps} "
          f"repeats={repeats} steps_per_execution={steps_per_execution} {machine()}")
    round_robin(models, dataset, steps, repeats, batch, "policy")


# --pipeline: (files written, their size, the size trained on, paired) per model
PIPELINE_TASKS = {
    "sngan": dict(file_size=(64, 64), train_size=(32, 32), paired=False),  # decode + resize
    "pix2pix": dict(file_size=(256, 256), train_size=(256, 256), paired=True),  # decode + jitter
}


def write_images(folder, count, size, paired, seed=0):
    """``count`` JPEGs of smooth random colour fields (side-by-side A|B pairs when ``paired``)."""
    from PIL import Image

    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    h, w = size
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    for i in range(count):
        planes = [np.sin(a * xx * 6 + b * yy * 6 + c) for a, b, c in rng.normal(size=(3, 3))]
        image = ((np.stack(planes, -1) + 1) * 127.5 + rng.normal(0, 8, (h, w, 3))).clip(0, 255)
        image = image.astype(np.uint8)
        if paired:
            image = np.concatenate([255 - image, image], axis=1)
        Image.fromarray(image).save(os.path.join(folder, f"{i:05d}.jpg"), quality=90)


def epoch_rates(dataset, batch, per_epoch, epochs=3):
    """images/s of one iterator over ``dataset``: its first epoch, then the mean of the next
    ``epochs - 1`` (an in-memory cache fills during the first)."""
    iterator = iter(dataset)
    marks = [time.perf_counter()]
    for _ in range(epochs):
        for _ in range(per_epoch):
            next(iterator)
        marks.append(time.perf_counter())
    first = batch * per_epoch / (marks[1] - marks[0])
    return first, batch * per_epoch * (epochs - 1) / (marks[-1] - marks[1])


def benchmark_pipeline(model, batch, count, steps, repeats):
    """The input pipeline alone against the training step, at the paper's size: images/s of
    the first epoch (reading and decoding JPEGs, resizing or jittering), of later epochs (from
    the decoded cache), and of the step (float32, no XLA) on the same batch size."""
    import tempfile

    from ganzoo import data as data_lib
    from ganzoo.data import paired as paired_lib

    task = PIPELINE_TASKS[model]
    folder = tempfile.mkdtemp(prefix="ganzoo-pipeline-")
    write_images(folder, count, task["file_size"], task["paired"])
    per_epoch = count // batch

    def fresh():
        if task["paired"]:
            return paired_lib.paired_pipeline(paired_lib.load_paired(folder), batch, seed=0)
        source = data_lib.load(folder, image_size=task["train_size"])
        return data_lib.pipeline(source, batch, seed=0)

    first, later = [], []
    for _ in range(repeats):
        a, b = epoch_rates(fresh(), batch, per_epoch)
        first.append(a)
        later.append(b)
    config, shape, classes = PAPER_SIZES[model]
    shape = task["train_size"] + (3,)
    arch = config_arch(config) if config else {}
    zoo = matrix_model(model, shape, classes, arch, "float32", False, 1)
    train = fresh()
    timed_fit(zoo, train, 2)
    step = [batch * steps / timed_fit(zoo, train, steps) for _ in range(repeats)]
    print(f"model={model} files={count} JPEG {task['file_size']} -> {shape} batch={batch} "
          f"repeats={repeats} (first epoch: read + decode{' + jitter' if task['paired'] else ' + resize'}; "
          f"later epochs: the decoded cache{' + jitter' if task['paired'] else ''})")
    print(f"{'what':<28}{'best':>9}{'median':>9}{'worst':>9}  images/s; x the step's median")
    base = spread(step)[1]
    for what, rates in (("pipeline, first epoch", first), ("pipeline, later epochs", later),
                        ("training step (fit)", step)):
        best, median, worst = spread(rates)
        print(f"{what:<28}{best:>9.1f}{median:>9.1f}{worst:>9.1f}  {median / base:>6.1f}x")


def benchmark_levers(model, batch, steps, repeats):
    """images/s of the MNIST-size step with each throughput lever, timed in turn: several
    steps a ``tf.function`` call (``steps_per_execution``) and, where the discriminator treats
    examples independently (SN-GAN, SAGAN), one D call on real and fake together."""
    shape, classes = mnist_size(model)
    dataset = synthetic_dataset(model, shape, classes, batch)
    levers = {"two D calls, 1 step a call": (False, 1), "two D calls, 4 steps a call": (False, 4),
              "two D calls, 16 steps a call": (False, 16)}
    probe = matrix_model(model, shape, classes, default_arch(model), "float32", False, 1)
    if probe.joint_discriminator_call:
        levers.update({"one D call, 1 step a call": (True, 1), "one D call, 16 steps a call": (True, 16)})
    models = {}
    for what, (joint, spe) in levers.items():
        zoo = matrix_model(model, shape, classes, default_arch(model), "float32", False, spe)
        zoo.set_weights(probe.get_weights())
        zoo.joint_discriminator_call = joint
        timed_fit(zoo, dataset, 2 * spe)
        models[what] = zoo
    steps = max(16, steps - steps % 16)  # a whole number of calls for every lever
    print(f"model={model} image_shape={shape} batch={batch} steps={steps} repeats={repeats} "
          f"{machine()}")
    round_robin(models, dataset, steps, repeats, batch, "lever")


def step_flops(model, batch):
    """Floating-point operations of one ``train_step`` on ``batch``, from TensorFlow's own op
    statistics of the traced graph (convolutions and their gradients, matmuls, element-wise)."""
    from tensorflow.python.profiler import model_analyzer, option_builder

    graph = tf.function(lambda: model.train_step(batch)).get_concrete_function().graph
    options = option_builder.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    return model_analyzer.profile(graph, options=options).total_float_ops


def matmul_peak(n=4096, repeats=5):
    """GFLOP/s of TensorFlow's float32 n x n matmul: what this machine's cores sustain on the
    friendliest dense arithmetic there is, the ceiling for a step made of convolutions."""
    a, b = tf.random.normal((n, n)), tf.random.normal((n, n))
    product = tf.function(tf.autograph.experimental.do_not_convert(lambda: tf.matmul(a, b)))
    product().numpy()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        product().numpy()
        best = min(best, time.perf_counter() - start)
    return 2 * n ** 3 / best / 1e9


def benchmark_torch(batch, steps, repeats, policies):
    """ganzoo's DCGAN-MNIST default step against its PyTorch twin (``tools/torch_twin.py``,
    same layers, optimizers and step), under each policy (float32; mixed_bfloat16 is Keras'
    policy against ``torch.autocast`` in bfloat16). The twin runs in a child process that stays
    warm; runs alternate (ganzoo, twin, ganzoo, ...) after one warm-up each."""
    import subprocess

    try:
        import torch  # noqa: F401  (the twin's process needs it; fail here with one line)
    except ImportError:
        sys.exit("benchmark.py: --torch needs PyTorch: pip install torch "
                 "--index-url https://download.pytorch.org/whl/cpu")
    shape, classes = mnist_size("dcgan")
    dataset = synthetic_dataset("dcgan", shape, classes, batch)
    twin_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_twin.py")
    print(f"model=dcgan image_shape={shape} batch={batch} steps={steps} repeats={repeats} "
          f"{machine()} torch={torch.__version__} torch_threads={torch.get_num_threads()}")
    for policy in policies:
        zoo = matrix_model("dcgan", shape, classes, default_arch("dcgan"), policy, False, 1)
        counts = [sum(int(np.prod(v.shape)) for v in net.trainable_variables)
                  for net in (zoo.generator, zoo.discriminator)]
        twin = subprocess.Popen([sys.executable, twin_path, "--batch_size", str(batch),
                                 "--policy", policy], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        try:
            twin_counts = [int(v) for v in twin.stdout.readline().split()]
            if twin_counts != counts:
                sys.exit(f"benchmark.py: the twin's trainable parameters {twin_counts} differ "
                         f"from ganzoo's {counts}")

            def run_twin(n):
                twin.stdin.write(f"{n}\n")
                twin.stdin.flush()
                return float(twin.stdout.readline())

            timed_fit(zoo, dataset, 5)
            run_twin(5)
            times = {"ganzoo": [], "torch twin": []}
            for _ in range(repeats):
                times["ganzoo"].append(timed_fit(zoo, dataset, steps))
                times["torch twin"].append(run_twin(steps))
        finally:
            twin.communicate("0\n")
        print(f"{policy:<22}{'best':>9}{'median':>9}{'worst':>9}  images/s   seconds per run "
              f"(parameters G/D: {counts[0]:,}/{counts[1]:,} in both)")
        rates = {k: spread([batch * steps / t for t in v]) for k, v in times.items()}
        for k, v in times.items():
            print(f"{k:<22}" + "".join(f"{r:>9.1f}" for r in rates[k]) + "   "
                  + " ".join(f"{t:.2f}" for t in v))
        print(f"ratio ganzoo/torch: {rates['ganzoo'][0] / rates['torch twin'][0]:.3f} (best), "
              f"{rates['ganzoo'][1] / rates['torch twin'][1]:.3f} (median)")
        if policy == "float32":
            images, labels = next(iter(dataset))
            flops, peak = step_flops(zoo, (images, labels)) / batch, matmul_peak()
            ceiling = peak * 1e9 / flops
            print(f"ceiling: {flops / 1e6:.0f} MFLOP an image (TensorFlow's op statistics of the "
                  f"step), float32 matmul peak {peak:.0f} GFLOP/s -> at most {ceiling:.0f} "
                  f"images/s = {ceiling / rates['torch twin'][1]:.2f}x the twin's median; ganzoo's "
                  f"median runs at {rates['ganzoo'][1] / ceiling:.0%} of it")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--export", default=None, help="benchmark a TF Serving export (its "
                        "version folder) or a preset's, instead of the train step")
    parser.add_argument("--model", default="dcgan", choices=registry.list_models())
    parser.add_argument("--batch_size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--image_shape", default=None, help="default 28,28,1 (pix2pix: 32,32,1)")
    parser.add_argument("--matrix", action="store_true", help="time the step under each "
                        "precision policy with and without XLA (no plain step)")
    parser.add_argument("--size", default="mnist", choices=("mnist", "paper"),
                        help="--matrix: the MNIST size or the paper's (SN-GAN 32x32, SAGAN "
                        "128x128, pix2pix 256x256, DCGAN 64x64)")
    parser.add_argument("--policies", default=",".join(POLICIES), help="--matrix: comma-separated")
    parser.add_argument("--xla", default="off,on", help="--matrix: off, on or off,on")
    parser.add_argument("--steps_per_execution", type=int, default=1)
    parser.add_argument("--pipeline", action="store_true", help="the input pipeline alone "
                        f"(a folder of JPEGs) against the training step; --model {' or '.join(PIPELINE_TASKS)}")
    parser.add_argument("--files", type=int, default=512, help="--pipeline: JPEGs written")
    parser.add_argument("--levers", action="store_true", help="time the throughput levers "
                        "(steps a call, one D call on real and fake) at the MNIST size")
    parser.add_argument("--threads", type=int, default=0, help="TensorFlow's intra- and "
                        "inter-op threads (0: its default, one a core); 1 times a lever's "
                        "arithmetic apart from how the step's work splits over threads")
    parser.add_argument("--torch", action="store_true", help="dcgan's default step against its "
                        "PyTorch twin (tools/torch_twin.py) under --policies float32 and/or "
                        "mixed_bfloat16")
    args = parser.parse_args()
    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    if args.torch:
        policies = args.policies.split(",") if args.policies != ",".join(POLICIES) else ["float32"]
        bad = [p for p in policies if p not in ("float32", "mixed_bfloat16")]
        if bad or args.model != "dcgan":
            parser.error(f"--torch takes --model dcgan and --policies float32 and/or "
                         f"mixed_bfloat16, not {args.model} {','.join(bad)}".rstrip())
        benchmark_torch(args.batch_size, args.steps, args.repeats, policies)
        return
    if args.levers:
        benchmark_levers(args.model, args.batch_size, args.steps, args.repeats)
        return
    if args.pipeline:
        if args.model not in PIPELINE_TASKS:
            parser.error(f"--pipeline takes --model {' or '.join(PIPELINE_TASKS)}, not {args.model}")
        benchmark_pipeline(args.model, args.batch_size, args.files, args.steps, args.repeats)
        return
    if args.export:
        benchmark_export(args.export, args.repeats)
        return
    if args.matrix:
        policies = args.policies.split(",")
        bad = [p for p in policies if p not in POLICIES] + [
            x for x in args.xla.split(",") if x not in ("off", "on")]
        if bad:
            parser.error(f"unknown {bad}; valid policies: {', '.join(POLICIES)}; valid --xla: off, on")
        benchmark_matrix(args.model, args.size, args.batch_size, args.steps, args.repeats, policies,
                         [x == "on" for x in args.xla.split(",")], args.steps_per_execution)
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
    rates = {k: spread([args.batch_size * args.steps / t for t in v]) for k, v in times.items()}
    rate = {k: r[0] for k, r in rates.items()}
    print(f"model={args.model} image_shape={shape} batch={args.batch_size} steps={args.steps} "
          f"repeats={args.repeats} device={'GPU' if tf.config.list_physical_devices('GPU') else 'CPU'}")
    print(f"{'step':<8}{'best':>9}{'median':>9}{'worst':>9}  images/s   seconds per run")
    for k in ("ganzoo", "plain"):
        runs = " ".join(f"{t:.2f}" for t in times[k])
        print(f"{k:<8}" + "".join(f"{r:>9.1f}" for r in rates[k]) + f"   {runs}")
    print(f"ratio ganzoo/plain: {rate['ganzoo'] / rate['plain']:.3f} (best), "
          f"{rates['ganzoo'][1] / rates['plain'][1]:.3f} (median)")


if __name__ == "__main__":
    main()
