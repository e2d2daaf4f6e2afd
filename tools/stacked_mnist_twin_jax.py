"""ganzoo's Stacked-MNIST table in JAX, every pack and seed at once, on a GPU.

``python -m ganzoo.reproduce stacked_mnist`` trains ganzoo's DCGAN and PacDCGAN2 3,000 steps on
2 CPU cores; PacGAN trained 100,000 (about 42 hours here). This script states one run of that
table in JAX and trains its runs side by side (``jax.vmap``), to see what the recipe gives at
the paper's budget before spending the CPU time:

- data: ganzoo's ``stacked_mnist`` source (60,000 stacks of three of the embedded MNIST training
  digits, drawn with seed 0 as ``ganzoo.data.sources.stacked_mnist`` draws them), pixels on
  [-1, 1], batches drawn at random (ganzoo: shuffled epochs);
- G and D: ganzoo's ``dcgan`` at 28x28x3 (``ganzoo/models/dcgan.py``): G a bias-free dense
  projection to 7x7x128, batch norm, ReLU, a 5x5 stride-2 transposed convolution to 64 channels,
  batch norm, ReLU, and one to 3 channels with a bias and tanh; D a 5x5 stride-2 convolution to
  64 channels with a bias, LeakyReLU(0.2), one to 128 without, batch norm, LeakyReLU, a dense
  logit; weights normal with std 0.02; Keras' batch norm (momentum 0.9, epsilon 1e-5), D's on
  the real and the generated batch in separate calls, as ganzoo's D step makes them;
- training: non-saturating losses, Keras' Adam(2e-4, beta_1 0.5) for both, one D update then
  one G update on fresh noise (z normal, 100-d), EMA of G's weights and moving statistics
  (decay 0.999, ganzoo's warm-up); 64 D inputs a step, of m stacks each when packed (the
  table's batch 64 m); packs 1 and 2 share one program, a pack of 1 using the first of two
  slots (D's inputs of the unused slot are zero, their weights get zero gradients, and G's
  batch statistics count the used slot's samples only);
- scoring: every ``--eval_every`` steps the EMA generator draws 26,000 samples; each channel is
  read by ganzoo's MNIST classifier (its weights exported from
  ``ganzoo/metrics/weights/mnist_classifier.weights.h5`` by ``--export_classifier``, which needs
  TensorFlow: run it where ganzoo is installed) and ganzoo's own
  ``ganzoo.metrics.stacked_mnist_modes`` (``ganzoo/metrics/modes.py`` loaded from its file)
  counts the modes with a sample and the KL of the mode histogram to uniform.

    python tools/stacked_mnist_twin_jax.py --export_classifier /tmp/mnist_classifier.npz
    python tools/stacked_mnist_twin_jax.py --classifier /tmp/mnist_classifier.npz --csv out.csv
    python tools/stacked_mnist_twin_jax.py --from_csv out.csv --plot curves.png  # no training

Not yet run on a GPU (written 2026-12-04, after that session's device time was spent).
"""

import argparse
import os
import sys
import time

import numpy as np

from _twin_common import (ROOT, Echo, add_run_arguments, ganzoo_module, import_jax,
                          parse_packs, pyplot, read_curves, save)

SLOTS = 2  # packs 1 and 2 share one program
BATCH = 64  # D inputs a step (PacGAN's code; the table's BATCH_PACKS)
LATENT = 100
NUM_SAMPLES = 26_000  # the table's sample count
STACKS = 60_000  # ganzoo.data.sources.STACKED_SIZES["train"]
# PacGAN's table (modes, KL) and the goal, for the summary
PAPER = {1: ("78.9", "4.50"), 2: ("1000.0", "0.06")}
GOAL = (1000, 0.1)
CLASSIFIER_KEYS = tuple([f"conv{i}/kernel" for i in range(5)]
                        + [f"bn{i}/{v}" for i in range(5)
                           for v in ("gamma", "beta", "moving_mean", "moving_variance")]
                        + ["logits/kernel", "logits/bias"])


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classifier", default=None,
                        help="NPZ of the MNIST classifier's weights (see --export_classifier)")
    parser.add_argument("--export_classifier", default=None,
                        help="write ganzoo's MNIST classifier weights to this NPZ (needs "
                             "TensorFlow and ganzoo) and stop")
    parser.add_argument("--packs", default="1,2", help="comma-separated, each 1 or 2")
    parser.add_argument("--seeds", type=int, default=2, help="runs a pack (ganzoo's table: 2)")
    parser.add_argument("--steps", type=int, default=100_000, help="PacGAN's: 100,000")
    parser.add_argument("--eval_every", type=int, default=10_000, help="steps between scores")
    add_run_arguments(parser, "float32 matrix products and convolutions (high: TF32 on NVIDIA)",
                      "stop after the chunk that passes this many seconds (0: none)")
    parser.add_argument("--plot", default=None, help="draw the runs' curves to this PNG")
    args = parser.parse_args(argv)
    packs = parse_packs(parser, args.packs, SLOTS)
    if args.seeds <= 0 or args.steps <= 0 or args.eval_every <= 0:
        parser.error("--seeds, --steps and --eval_every must be positive")
    if not (args.from_csv or args.export_classifier or args.classifier):
        parser.error("give --classifier NPZ (to train), --export_classifier NPZ or --from_csv")
    args.packs = packs
    return args


def export_classifier(path):
    """ganzoo's MNIST classifier weights, by their Keras paths, to an NPZ (needs TensorFlow)."""
    from ganzoo.metrics import features

    network = features.mnist_classifier_network()
    network.load_weights(features.MNIST_WEIGHTS)
    weights = {w.path: np.asarray(w) for w in network.weights}
    if tuple(sorted(weights)) != tuple(sorted(CLASSIFIER_KEYS)):
        raise SystemExit(f"the MNIST classifier's weights changed: {sorted(weights)}")
    np.savez(path, **weights)


def load_classifier(path):
    if not os.path.isfile(path):
        raise SystemExit(f"--classifier: no file {path} (make it with --export_classifier)")
    data = np.load(path)
    missing = [k for k in CLASSIFIER_KEYS if k not in data.files]
    if missing:
        raise SystemExit(f"{path}: not the MNIST classifier's weights (missing {missing[0]})")
    return {k: data[k] for k in CLASSIFIER_KEYS}


def stacked_images(seed=0):
    """uint8 [60,000, 28, 28, 3]: ganzoo's stacked_mnist training source, drawn as
    ``ganzoo.data.sources.stacked_mnist`` draws it."""
    idx = ganzoo_module("data", "idx.py")
    images, _ = idx.load_idx_split(os.path.join(ROOT, "ganzoo", "data", "embedded"), "train")
    rng = np.random.default_rng([seed, 0])
    ids = rng.integers(0, len(images), size=(STACKS, 3))
    return np.concatenate([images[ids[:, k]] for k in range(3)], axis=-1)


def build(jax, jnp):
    """The recipe's and the classifier's functions of one run (vmapped by the caller)."""
    dims = ("NHWC", "HWIO", "NHWC")

    def conv(x, k, stride):
        return jax.lax.conv_general_dilated(x, k, (stride, stride), "SAME",
                                            dimension_numbers=dims)

    def conv_t(x, k):
        """Keras' Conv2DTranspose(stride 2, "same") with its kernel [kh, kw, out, in]."""
        return jax.lax.conv_transpose(x, k, (2, 2), "SAME", dimension_numbers=dims,
                                      transpose_kernel=True)

    def batch_norm(x, scale, shift, rows=None):
        """Keras' batch norm in training over the rows marked 1 (all by default): (output,
        (batch mean, batch variance)) over all axes but the channels'."""
        axes = tuple(range(x.ndim - 1))
        w = jnp.ones(x.shape[0]) if rows is None else rows
        w = w.reshape((-1,) + (1,) * (x.ndim - 1))
        count = w.sum() * np.prod(x.shape[1:-1])
        mean = (w * x).sum(axes) / count
        var = (w * (x - mean) ** 2).sum(axes) / count
        return (x - mean) / jnp.sqrt(var + 1e-5) * scale + shift, (mean, var)

    def generate(g, z, rows=None, moving=None):
        """G on latents [n, 100]: training mode with the batch's statistics (over ``rows``), or
        inference with ``moving`` ([2] lists of means and variances). Returns (images, the two
        norms' batch statistics)."""
        stats = []

        def norm(h, i):
            if moving is not None:
                mean, var = moving[i]
                return (h - mean) / jnp.sqrt(var + 1e-5) * g[f"scale{i}"] + g[f"shift{i}"]
            out, s = batch_norm(h, g[f"scale{i}"], g[f"shift{i}"], rows)
            stats.append(s)
            return out

        h = (z @ g["dense"]).reshape(z.shape[0], 7, 7, 128)
        h = jax.nn.relu(norm(h, 0))
        h = jax.nn.relu(norm(conv_t(h, g["convt0"]), 1))
        return jnp.tanh(conv_t(h, g["convt1"]) + g["bias"]), stats

    def discriminate(d, x):
        """D in training mode (batch statistics of this call) on [n, 28, 28, 3 * slots]."""
        h = jax.nn.leaky_relu(conv(x, d["conv0"], 2) + d["bias0"], 0.2)
        h, _ = batch_norm(conv(h, d["conv1"], 2), d["scale"], d["shift"])
        h = jax.nn.leaky_relu(h, 0.2).reshape(x.shape[0], -1)
        return (h @ d["logit"] + d["logit_bias"])[:, 0]

    def init(key):
        k = jax.random.split(key, 6)
        normal = lambda key, shape: 0.02 * jax.random.normal(key, shape)  # noqa: E731
        g = {"dense": normal(k[0], (LATENT, 7 * 7 * 128)), "convt0": normal(k[1], (5, 5, 64, 128)),
             "convt1": normal(k[2], (5, 5, 3, 64)), "bias": jnp.zeros(3),
             "scale0": jnp.ones(128), "shift0": jnp.zeros(128),
             "scale1": jnp.ones(64), "shift1": jnp.zeros(64)}
        d = {"conv0": normal(k[3], (5, 5, 3 * SLOTS, 64)), "bias0": jnp.zeros(64),
             "conv1": normal(k[4], (5, 5, 64, 128)), "scale": jnp.ones(128),
             "shift": jnp.zeros(128), "logit": normal(k[5], (7 * 7 * 128, 1)),
             "logit_bias": jnp.zeros(1)}
        return g, d

    def pack(images, mask):
        """[slots * B, 28, 28, 3] (slot j: rows j * B ...) -> [B, 28, 28, 3 * slots], example
        j of a pack in channels 3j..3j + 2 (ganzoo's pack_examples); unused slots 0."""
        x = images.reshape(SLOTS, BATCH, 28, 28, 3) * mask[:, None, None, None, None]
        return jnp.transpose(x, (1, 2, 3, 0, 4)).reshape(BATCH, 28, 28, 3 * SLOTS)

    def adam(params, grads, m, v, t):
        """Keras' Adam(2e-4, beta_1 0.5, beta_2 0.999, epsilon 1e-7), ``t`` from 1."""
        m = jax.tree.map(lambda m, g: 0.5 * m + 0.5 * g, m, grads)
        v = jax.tree.map(lambda v, g: 0.999 * v + 0.001 * g * g, v, grads)
        alpha = 2e-4 * jnp.sqrt(1 - 0.999 ** t) / (1 - 0.5 ** t)
        return jax.tree.map(lambda p, m, v: p - alpha * m / (jnp.sqrt(v) + 1e-7), params, m,
                            v), m, v

    def step(state, mask, data):
        t = state["t"]
        key = jax.random.fold_in(state["key"], t.astype(jnp.int32))
        k_real, k_zd, k_zg = jax.random.split(key, 3)
        rows = jnp.repeat(mask, BATCH)
        which = jax.random.randint(k_real, (SLOTS * BATCH,), 0, data.shape[0])
        real = data[which].astype(jnp.float32) / 127.5 - 1.0
        fake, stats_d = generate(state["g"], jax.random.normal(k_zd, (SLOTS * BATCH, LATENT)),
                                 rows)
        fake = jax.lax.stop_gradient(fake)

        def d_loss(d):  # two calls: D's batch norm sees the real and the generated apart
            return (jax.nn.softplus(-discriminate(d, pack(real, mask))).mean()
                    + jax.nn.softplus(discriminate(d, pack(fake, mask))).mean())

        d, md, vd = adam(state["d"], jax.grad(d_loss)(state["d"]), state["md"], state["vd"], t)

        def g_loss(g):
            out, stats = generate(g, jax.random.normal(k_zg, (SLOTS * BATCH, LATENT)), rows)
            return jax.nn.softplus(-discriminate(d, pack(out, mask))).mean(), stats

        grads, stats_g = jax.grad(g_loss, has_aux=True)(state["g"])
        g, mg, vg = adam(state["g"], grads, state["mg"], state["vg"], t)
        moving = state["moving"]
        for stats in (stats_d, stats_g):  # Keras: moving = 0.9 moving + 0.1 batch, each call
            moving = jax.tree.map(lambda a, b: 0.9 * a + 0.1 * jax.lax.stop_gradient(b),
                                  moving, [list(s) for s in stats])
        decay = jnp.minimum(0.999, t / (9.0 + t))  # ganzoo: (1 + step) / (10 + step)
        ema = jax.tree.map(lambda s, w: decay * s + (1 - decay) * w, state["ema"],
                           {"g": g, "moving": moving})
        return dict(state, g=g, d=d, md=md, vd=vd, mg=mg, vg=vg, moving=moving, ema=ema, t=t + 1)

    def start(key):
        g, d = init(key)
        zeros = lambda tree: jax.tree.map(jnp.zeros_like, tree)  # noqa: E731
        moving = [[jnp.zeros(128), jnp.ones(128)], [jnp.zeros(64), jnp.ones(64)]]
        return {"g": g, "d": d, "md": zeros(d), "vd": zeros(d), "mg": zeros(g), "vg": zeros(g),
                "moving": moving, "ema": {"g": g, "moving": moving},
                "t": jnp.ones((), jnp.float32), "key": jax.random.fold_in(key, 1)}

    def chunk(state, mask, data, n):
        return jax.lax.scan(lambda s, _: (step(s, mask, data), None), state, None, length=n)[0]

    def classify(c, images):
        """The MNIST classifier in inference on [n, 28, 28, 1] in [-1, 1]: logits [n, 10]."""
        h = images
        for i in range(5):
            h = conv(h, c[f"conv{i}/kernel"], 1)
            h = (h - c[f"bn{i}/moving_mean"]) / jnp.sqrt(c[f"bn{i}/moving_variance"] + 1e-3)
            h = jax.nn.relu(h * c[f"bn{i}/gamma"] + c[f"bn{i}/beta"])
            if i in (1, 3):
                h = jax.lax.reduce_window(h, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1),
                                          "VALID")
        return h.mean((1, 2)) @ c["logits/kernel"] + c["logits/bias"]

    def digits(state, z, c):
        """The EMA generator's samples of latents z, read a channel at a time: [n, 3]."""
        with jax.default_matmul_precision("highest"):
            ema = state["ema"]
            images, _ = generate(ema["g"], z, moving=ema["moving"])
            return jnp.stack([classify(c, images[..., k:k + 1]).argmax(1) for k in range(3)], 1)

    return dict(conv_t=conv_t, batch_norm=batch_norm, generate=generate,
                discriminate=discriminate, init=init, pack=pack, adam=adam, step=step,
                start=start, chunk=chunk, classify=classify, digits=digits)


FIELDS = ("step", "seconds", "pack", "seed", "modes", "kl")


def read_csv(path):
    """{(pack, seed): {step: (modes, kl)}}."""
    return read_curves(path, lambda row: (int(row["pack"]), int(row["seed"])),
                       lambda row: (int(row["modes"]), float(row["kl"])))


def summary(curves):
    lines = []
    for pack in sorted({p for p, _ in curves}):
        runs = [c for (p, _), c in sorted(curves.items()) if p == pack]
        step = min(max(c) for c in runs)
        rows = np.array([c[step] for c in runs], float)
        sd = rows.std(0, ddof=1) if len(rows) > 1 else np.zeros(2)
        name = "DCGAN" if pack == 1 else f"PacDCGAN{pack}"
        paper = PAPER.get(pack)
        lines.append(f"{name}, step {step}, {len(rows)} seeds: modes {rows[:, 0].mean():.1f} ± "
                     f"{sd[0]:.1f}, KL {rows[:, 1].mean():.3f} ± {sd[1]:.3f}"
                     + (f"; paper {paper[0]} / {paper[1]}" if paper else "")
                     + f"; goal {GOAL[0]} / <= {GOAL[1]}")
    return lines


def plot(curves, path):
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), dpi=100)
    colours = {1: "tab:blue", 2: "tab:orange"}
    shown = set()
    for (pack, _), curve in sorted(curves.items()):
        steps = sorted(curve)
        label = None if pack in shown else ("DCGAN" if pack == 1 else f"PacDCGAN{pack}")
        shown.add(pack)
        for ax, col in zip(axes, (0, 1)):
            ax.plot(steps, [curve[s][col] for s in steps], color=colours.get(pack, "grey"),
                    lw=0.9, label=label)
    axes[0].set_ylabel("modes captured (of 1,000)")
    axes[1].set_ylabel("KL of the mode histogram to uniform")
    for ax in axes:
        ax.set_xlabel("training step")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle("Stacked MNIST: a line a run (JAX twin of ganzoo's table)", fontsize=10)
    save(fig, path)


def main(argv=None):
    args = parse_args(argv)
    if args.export_classifier:
        export_classifier(args.export_classifier)
        print(f"wrote {args.export_classifier}")
        return 0
    if args.from_csv:
        curves = read_csv(args.from_csv)
        print("\n".join(summary(curves)))
        if args.plot:
            plot(curves, args.plot)
        return 0
    classifier = load_classifier(args.classifier)
    jax, jnp = import_jax("stacked_mnist_twin_jax", args.precision)
    modes_module = ganzoo_module("metrics", "modes.py")
    fns = build(jax, jnp)
    runs = [(pack, seed) for pack in args.packs for seed in range(args.seeds)]
    masks = jnp.asarray([[1.0 if j < pack else 0.0 for j in range(SLOTS)] for pack, _ in runs])
    keys = jnp.stack([jax.random.fold_in(jax.random.PRNGKey(seed), pack) for pack, seed in runs])
    data = jnp.asarray(stacked_images())
    c = {k: jnp.asarray(v) for k, v in classifier.items()}
    latents = jax.random.normal(jax.random.PRNGKey(2333), (NUM_SAMPLES, LATENT))
    state = jax.jit(jax.vmap(fns["start"]))(keys)
    read = jax.jit(jax.vmap(fns["digits"], in_axes=(0, None, None)))
    emit = Echo(args.csv)
    emit(",".join(FIELDS))
    curves, done, begin = {}, 0, time.time()
    chunks = {}
    while done < args.steps:
        n = min(args.eval_every, args.steps - done)
        if n not in chunks:  # the stacks are an argument (a constant would be compiled in)
            chunks[n] = jax.jit(jax.vmap(lambda s, m, x, n=n: fns["chunk"](s, m, x, n),
                                         in_axes=(0, 0, None)), donate_argnums=0)
        state = chunks[n](state, masks, data)
        done += n
        found = np.concatenate([np.asarray(read(state, latents[i:i + 2000], c))
                                for i in range(0, NUM_SAMPLES, 2000)], axis=1)
        seconds = time.time() - begin
        for i, (pack, seed) in enumerate(runs):
            score = modes_module.stacked_mnist_modes(found[i])
            curves.setdefault((pack, seed), {})[done] = (score["modes_captured"], score["kl"])
            emit(f"{done},{seconds:.0f},{pack},{seed},{score['modes_captured']},"
                 f"{score['kl']:.4f}")
        if args.time_limit and seconds > args.time_limit and done < args.steps:
            print(f"time limit: stopped at step {done}", flush=True)
            break
    emit.close()
    print("\n".join(summary(curves)), flush=True)
    if args.plot:
        plot(curves, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
