"""The authors' semi-supervised MNIST recipe in JAX, many label draws at once, on a GPU.

The paper's whole budget (300 epochs of 600 steps) in minutes.

``tools/ssgan_authors_twin.py`` re-states Salimans et al.'s ``train_mnist_feature_matching.py``
(Theano and Lasagne, github.com/openai/improved-gan) in PyTorch, one label draw at a time; its
docstring lists the recipe as read from the authors' file. This script states the same
computation in JAX, with differences of form only:

- the draws are trained side by side (``jax.vmap``): every array has a leading axis of draws,
  each with its own initial weights, noise, labelled digits and batch orders; draw k has the
  authors' ``--seed`` and ``--seed_data`` both k + 1 (their default is 1 and 1);
- an epoch of 600 steps is one compiled loop (``lax.scan``); the batch orders are drawn on the
  host with NumPy as the authors' code draws them (600 orders of the 100 labelled digits, then
  two fresh orders of the 60,000);
- D takes its labelled, unlabelled and generated batches as one batch of 300, and the feature
  matching's real and generated batches as one of 200: D has no batch statistics, so each
  digit's output is the same as alone (every digit draws its own noise);
- reads the MNIST IDX files with ganzoo's reader, ``ganzoo/data/idx.py``, loaded from its file
  (importing the ``ganzoo`` package imports TensorFlow, which the GPU machine lacks).

``--variants authors,ganzoo`` also trains each draw with ganzoo's three changes to the recipe
(``zoo_configs/ssgan_mnist.py``: G's rate 3e-4 instead of 3e-3, a trained scale in G's batch
norm, D's logits initialised at scale 0.1 instead of 1), to see whether they still help at the
paper's budget.

It prints, every ``--test_every`` epochs, each draw's test errors (of 10,000) with D as trained,
with the authors' running average of D's weights (rate 1e-4 from zero: the figure their code
reports) and with that average divided by its start-up bias (what ganzoo's ``ssgan`` tests
with), as CSV; then each variant's mean and standard deviation over the draws.

    python tools/ssgan_authors_twin_jax.py --mnist_dir ../shared/data/mnist --draws 10
    python tools/ssgan_authors_twin_jax.py --from_csv FILE.csv --plot curves.png  # no training

Measured on one H200 (2026-12-04; the CSVs are in ``docs/metrics/``):

- ``--draws 5 --variants authors,ganzoo --test_every 2 --time_limit 420`` (float32 products,
  ``ssgan_authors_twin_h200_fp32.csv``): stopped by its time limit after 271 of 300 epochs
  (162,600 steps, 423 s for the ten runs); the authors' recipe 108.0 +- 16.5 test errors
  (122, 127, 107, 95, 89), with ganzoo's three changes 99.8 +- 14.8 (111, 90, 120, 87, 91);
  both flat since about step 90,000.
- ``--draws 10 --test_every 3 --precision high`` (TF32 products, 257 s,
  ``ssgan_authors_twin_h200_tf32.csv``): the paper's 10 draws and 180,000 steps: 119.9 +- 61.9
  (218, 87, 93, 80, 81, 90, 89, 250, 86, 125; median 89.5): seven draws at or under the
  paper's 93, two stuck above 200 from step 30,000 on.
"""

import argparse
import sys
import time

import numpy as np

from _twin_common import Echo, ganzoo_module, import_jax, pyplot, read_curves, save

HIDDEN = (1000, 500, 250, 250, 250)
SIZES = (784, *HIDDEN, 10)
NOISE = (0.3, 0.5, 0.5, 0.5, 0.5, 0.5)  # before each of D's six dense layers
STEPS_PER_EPOCH = 600  # the authors': 60,000 digits in batches of 100
# (G's rate, whether G's batch norm has a trained scale, the logits' initial scale)
VARIANTS = {"authors": (3e-3, 0.0, 1.0), "ganzoo": (3e-4, 1.0, 0.1)}
AVERAGE_RATE = 1e-4


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist_dir", default=None,
                        help="MNIST's four IDX files (.gz or not): 60,000 + 10,000 digits")
    parser.add_argument("--draws", type=int, default=10, help="label draws (the paper's: 10)")
    parser.add_argument("--variants", default="authors",
                        help=f"comma-separated, of {', '.join(VARIANTS)}")
    parser.add_argument("--epochs", type=int, default=300, help="the authors': 300")
    parser.add_argument("--test_every", type=int, default=6, help="epochs between tests")
    parser.add_argument("--precision", default="highest", choices=("default", "high", "highest"),
                        help="float32 matrix products: highest is the authors' float32")
    parser.add_argument("--time_limit", type=float, default=0.0,
                        help="stop after the epoch that passes this many seconds (0: none)")
    parser.add_argument("--csv", default=None, help="also write the CSV lines to this file")
    parser.add_argument("--from_csv", default=None,
                        help="train nothing: summarise (and --plot) the CSV of an earlier run")
    parser.add_argument("--plot", default=None,
                        help="draw each run's test errors (the authors' average) to this PNG")
    args = parser.parse_args(argv)
    if not (args.mnist_dir or args.from_csv):
        parser.error("give --mnist_dir (to train) or --from_csv (to read an earlier run)")
    variants = [v for v in args.variants.split(",") if v]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown or not variants:
        parser.error(f"--variants: unknown {', '.join(unknown) or '(none)'}; valid: "
                     f"{', '.join(VARIANTS)}")
    if args.draws <= 0 or args.epochs <= 0 or args.test_every <= 0:
        parser.error("--draws, --epochs and --test_every must be positive")
    args.variants = variants
    return args


def _idx_reader():
    """ganzoo/data/idx.py (NumPy and gzip only) without the ``ganzoo`` package's imports."""
    return ganzoo_module("data", "idx.py")


def load(folder):
    """MNIST's training and test digits as [N, 784] float32 pixels in [0, 1] and int32 labels."""
    idx = _idx_reader()
    try:
        (x_train, y_train), (x_test, y_test) = (idx.load_idx_split(folder, split)
                                                for split in ("train", "test"))
    except (OSError, ValueError) as error:
        raise SystemExit(f"--mnist_dir: {error}") from None
    if len(x_train) != 60_000 or len(x_test) != 10_000 or y_train is None or y_test is None:
        raise SystemExit(f"{folder}: expected MNIST's 60,000 / 10,000 digits with labels")
    pixels = lambda x: (x.reshape(len(x), 784) / np.float32(255)).astype(np.float32)  # noqa: E731
    return pixels(x_train), y_train.astype(np.int32), pixels(x_test), y_test.astype(np.int32)


def labelled_draw(x_train, y_train, seed_data):
    """The authors' draw: permute the training set by ``seed_data``, keep the first 10 of each
    class; also the permuted set's first 500 digits (their data-dependent init's batch)."""
    order = np.random.RandomState(seed_data).permutation(len(x_train))
    x, y = x_train[order], y_train[order]
    keep = np.concatenate([np.flatnonzero(y == c)[:10] for c in range(10)])
    return x[keep], y[keep], x[:500]


def build(jax, jnp):
    """The recipe's functions of one draw (vmapped by the caller)."""

    def generate(g, key, n, bn_scale):
        h = jax.random.uniform(key, (n, 100))
        for i in (0, 1):
            a = h @ g[f"w{i}"]
            a = a - a.mean(0)
            a = a / jnp.sqrt(1e-6 + (a * a).mean(0))
            # the authors' batch norm has a shift only (bn_scale 0 keeps the scale at 1)
            scale = 1.0 + bn_scale * (g[f"s{i}"] - 1.0)
            h = jax.nn.softplus(a * scale + g[f"b{i}"])
        w = g["w2"] * (g["len2"] / jnp.sqrt(1e-6 + (g["w2"] ** 2).sum(0)))
        return jax.nn.sigmoid(h @ w + g["b2"])

    def discriminate(d, fixed, x, key=None):
        """(logits, last hidden layer); noise on when ``key`` is given."""
        keys = jax.random.split(key, 6) if key is not None else None
        h, features = x, None
        for i in range(6):
            if key is not None:
                h = h + NOISE[i] * jax.random.normal(keys[i], h.shape)
            length = d["len5"] if i == 5 else fixed[i]
            v = d[f"v{i}"]
            a = h @ (v * (length / jnp.sqrt((v * v).sum(0)))) + d[f"b{i}"]
            h = jax.nn.relu(a) if i < 5 else a
            if i == 4:
                features = h
        return h, features

    def init(key, x_init, logit_scale, noise=True):
        """Initial weights, then the authors' data-dependent init of D (with its noise, as
        theirs; ``noise`` False for tests): each layer's pre-activations on ``x_init`` get mean
        0 and standard deviation 1 (the logits ``logit_scale``) by its bias and fixed length."""
        keys = jax.random.split(key, 10)
        g = {}
        for i, (fan_in, fan_out) in enumerate([(100, 500), (500, 500), (500, 784)]):
            limit = np.sqrt(6.0 / (fan_in + fan_out))  # Lasagne's Glorot uniform
            g[f"w{i}"] = jax.random.uniform(keys[i], (fan_in, fan_out), minval=-limit,
                                            maxval=limit)
            g[f"b{i}"] = jnp.zeros(fan_out)
        for i in (0, 1):
            g[f"s{i}"] = jnp.ones(500)
        g["len2"] = jnp.ones(784)
        d, fixed = {}, []
        h = x_init
        noise_keys = jax.random.split(keys[9], 6)
        for i in range(6):
            v = 0.1 * jax.random.normal(keys[3 + i], (SIZES[i], SIZES[i + 1]))
            if noise:
                h = h + NOISE[i] * jax.random.normal(noise_keys[i], h.shape)
            a = h @ (v / jnp.sqrt((v * v).sum(0)))
            mean = a.mean(0)
            std = jnp.sqrt(((a - mean) ** 2).mean(0))
            scale = logit_scale if i == 5 else 1.0
            d[f"v{i}"], d[f"b{i}"] = v, -mean * scale / std
            if i == 5:
                d["len5"] = scale / std
            else:
                fixed.append(1.0 / std)
                h = jax.nn.relu((a - mean) / std)
        return g, d, fixed

    def lse(a):
        return jax.scipy.special.logsumexp(a, axis=1)

    def d_loss(d, fixed, fake, x_lab, y_lab, x_unl, key):
        logits, _ = discriminate(d, fixed, jnp.concatenate([x_lab, x_unl, fake]), key)
        out_lab, out_unl, out_fake = logits[:100], logits[100:200], logits[200:]
        loss_lab = -jnp.take_along_axis(out_lab, y_lab[:, None], 1).mean() + lse(out_lab).mean()
        z_unl = lse(out_unl)
        loss_unl = 0.5 * (-z_unl.mean() + jax.nn.softplus(z_unl).mean()
                          + jax.nn.softplus(lse(out_fake)).mean())
        return loss_lab + loss_unl, (loss_lab, loss_unl)

    def g_loss(g, d, fixed, x_unl2, key, bn_scale, noise=True):
        """Feature matching, D's noise on as in the authors' G step (``noise`` False for
        tests)."""
        k_gen, k_d = jax.random.split(key)
        fake = generate(g, k_gen, 100, bn_scale)
        _, features = discriminate(d, fixed, jnp.concatenate([fake, x_unl2]),
                                   k_d if noise else None)
        real = jax.lax.stop_gradient(features[100:])
        return ((features[:100].mean(0) - real.mean(0)) ** 2).mean()

    def adam(params, grads, m, v, t, lr):
        """The authors' nn.adam_updates: beta_1 0.5, bias-corrected, 1e-8 under the root."""
        m = jax.tree.map(lambda m, g: 0.5 * m + 0.5 * g, m, grads)
        v = jax.tree.map(lambda v, g: 0.999 * v + 0.001 * g * g, v, grads)
        params = jax.tree.map(
            lambda p, m, v: p - lr * (m / (1 - 0.5 ** t)) / jnp.sqrt(v / (1 - 0.999 ** t) + 1e-8),
            params, m, v)
        return params, m, v

    def step(state, batch, hyper):
        x_lab, y_lab, x_unl, x_unl2 = batch
        g_lr, bn_scale = hyper
        t = state["t"]
        key = jax.random.fold_in(state["key"], t.astype(jnp.int32))
        k_fake, k_d, k_g = jax.random.split(key, 3)
        fake = generate(state["g"], k_fake, 100, bn_scale)
        (_, (loss_lab, loss_unl)), grads = jax.value_and_grad(d_loss, has_aux=True)(
            state["d"], state["fixed"], fake, x_lab, y_lab, x_unl, k_d)
        d, md, vd = adam(state["d"], grads, state["md"], state["vd"], t, 0.003)
        average = jax.tree.map(lambda a, p: a + AVERAGE_RATE * (p - a), state["avg"], d)
        loss_gen, g_grads = jax.value_and_grad(g_loss)(state["g"], d, state["fixed"], x_unl2,
                                                       k_g, bn_scale)
        g, mg, vg = adam(state["g"], g_grads, state["mg"], state["vg"], t, g_lr)
        new = dict(state, d=d, md=md, vd=vd, avg=average, g=g, mg=mg, vg=vg, t=t + 1)
        return new, jnp.stack([loss_lab, loss_unl, loss_gen])

    def epoch(state, hyper, lab_x, lab_y, x_train, order_lab, order_unl, order_unl2):
        def body(state, rows):
            lab, unl, unl2 = rows
            batch = (lab_x[lab], lab_y[lab], x_train[unl], x_train[unl2])
            return step(state, batch, hyper)

        state, losses = jax.lax.scan(body, state, (order_lab, order_unl, order_unl2))
        return state, losses[-1]

    def errors(d, fixed, x_test, y_test):
        logits, _ = discriminate(d, fixed, x_test)
        return jnp.sum(jnp.argmax(logits, 1) != y_test)

    def test(state, x_test, y_test):
        debias = 1.0 - (1.0 - AVERAGE_RATE) ** (state["t"] - 1)
        debiased = jax.tree.map(lambda a: a / debias, state["avg"])
        return jnp.stack([errors(state["d"], state["fixed"], x_test, y_test),
                          errors(state["avg"], state["fixed"], x_test, y_test),
                          errors(debiased, state["fixed"], x_test, y_test)])

    return dict(init=init, generate=generate, discriminate=discriminate, d_loss=d_loss,
                g_loss=g_loss, adam=adam, epoch=epoch, test=test)


def read_csv(path):
    """{(variant, draw): {step: (errors as trained, authors' average, debiased)}} of a CSV
    this script wrote."""
    columns = ("errors_raw", "errors_authors_average", "errors_debiased_average")
    return read_curves(path, lambda row: (row["variant"], int(row["draw"])),
                       lambda row: tuple(int(row[c]) for c in columns))


def summary(curves):
    """Lines: each variant's errors at its runs' last common step, mean ± std over draws."""
    lines = []
    for variant in dict.fromkeys(v for v, _ in curves):
        runs = [c for (v, _), c in sorted(curves.items()) if v == variant]
        step = min(max(c) for c in runs)
        rows = np.array([c[step] for c in runs], float)
        means = rows.mean(0)
        stds = rows.std(0, ddof=1) if len(rows) > 1 else np.zeros(rows.shape[1])
        names = ("as trained", "authors' average", "debiased average")
        lines.append(f"{variant}: test errors at step {step} over {len(rows)} draws, mean ± std: "
                     + "; ".join(f"{n} {m:.1f} ± {sd:.1f}" for n, m, sd in zip(names, means, stds))
                     + " (each draw: " + ", ".join(str(int(r[1])) for r in rows) + ")")
    return lines


def plot(curves, path, paper=93.0):
    """Test errors of the authors' average against the step, a line a run, a colour a
    variant; the paper's figure as a dashed line."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=100)
    colours = {"authors": "tab:blue", "ganzoo": "tab:orange"}
    labels = {"authors": "the authors' recipe", "ganzoo": "with ganzoo's three changes"}
    for (variant, draw), curve in sorted(curves.items()):
        steps = sorted(curve)
        ax.plot(steps, [curve[s][1] for s in steps], color=colours.get(variant, "tab:grey"),
                lw=0.9, alpha=0.8, label=labels.get(variant, variant) if draw == 0 else None)
    ax.axhline(paper, color="black", ls="--", lw=1, label=f"the paper: {paper:g}")
    ax.set_yscale("log")
    ax.set_xlabel("training step (600 an epoch)")
    ax.set_ylabel("test errors (of 10,000)")
    ax.set_title("the authors' recipe in JAX, a line a label draw", fontsize=10)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    save(fig, path)


def main(argv=None):
    args = parse_args(argv)
    if args.from_csv:
        curves = read_csv(args.from_csv)
        print("\n".join(summary(curves)))
        if args.plot:
            plot(curves, args.plot)
        return 0
    jax, jnp = import_jax("ssgan_authors_twin_jax", args.precision)

    x_train, y_train, x_test, y_test = load(args.mnist_dir)
    fns = build(jax, jnp)
    init, epoch, test = fns["init"], fns["epoch"], fns["test"]
    runs = [(variant, k) for variant in args.variants for k in range(args.draws)]
    draws = [labelled_draw(x_train, y_train, k + 1) for k in range(args.draws)]
    lab_x = jnp.asarray(np.stack([draws[k][0] for _, k in runs]))
    lab_y = jnp.asarray(np.stack([draws[k][1] for _, k in runs]))
    x_init = jnp.asarray(np.stack([draws[k][2] for _, k in runs]))
    g_lr = jnp.asarray([VARIANTS[v][0] for v, _ in runs], jnp.float32)
    bn_scale = jnp.asarray([VARIANTS[v][1] for v, _ in runs], jnp.float32)
    logit_scale = jnp.asarray([VARIANTS[v][2] for v, _ in runs], jnp.float32)
    # draw k's weights, noise and batch orders from the authors' --seed k + 1, the same for
    # every variant (paired: the variants differ only by their changes)
    keys = jnp.stack([jax.random.PRNGKey(k + 1) for _, k in runs])
    init_keys, run_keys = jnp.swapaxes(jax.vmap(jax.random.split)(keys), 0, 1)

    g, d, fixed = jax.jit(jax.vmap(init))(init_keys, x_init, logit_scale)
    zeros = lambda tree: jax.tree.map(jnp.zeros_like, tree)  # noqa: E731
    state = {"g": g, "d": d, "fixed": fixed, "md": zeros(d), "vd": zeros(d), "mg": zeros(g),
             "vg": zeros(g), "avg": zeros(d), "t": jnp.ones(len(runs), jnp.float32),
             "key": run_keys}
    x_train_dev = jnp.asarray(x_train)
    x_test_dev, y_test_dev = jnp.asarray(x_test), jnp.asarray(y_test)
    run_epoch = jax.jit(jax.vmap(epoch, in_axes=(0, 0, 0, 0, None, 0, 0, 0)), donate_argnums=0)
    run_test = jax.jit(jax.vmap(test, in_axes=(0, None, None)))
    rngs = [np.random.RandomState(k + 1) for _, k in runs]  # the authors' batch orders
    unl = [np.arange(60_000) for _ in runs]
    unl2 = [np.arange(60_000) for _ in runs]
    emit = Echo(args.csv)

    emit("epoch,step,seconds,variant,draw,loss_lab,loss_unl,loss_gen,errors_raw,"
         "errors_authors_average,errors_debiased_average")
    start, curves = time.time(), {}
    for e in range(1, args.epochs + 1):
        order_lab, order_unl, order_unl2 = [], [], []
        for i, rng in enumerate(rngs):
            order_lab.append(np.stack([rng.permutation(100) for _ in range(STEPS_PER_EPOCH)]))
            unl[i] = unl[i][rng.permutation(60_000)]
            unl2[i] = unl2[i][rng.permutation(60_000)]
            order_unl.append(unl[i].reshape(STEPS_PER_EPOCH, 100))
            order_unl2.append(unl2[i].reshape(STEPS_PER_EPOCH, 100))
        state, losses = run_epoch(state, (g_lr, bn_scale), lab_x, lab_y, x_train_dev,
                                  jnp.asarray(np.stack(order_lab)), jnp.asarray(np.stack(order_unl)),
                                  jnp.asarray(np.stack(order_unl2)))
        over = args.time_limit and time.time() - start > args.time_limit
        if e % args.test_every == 0 or e == args.epochs or over:
            found = np.asarray(run_test(state, x_test_dev, y_test_dev))
            losses = np.asarray(losses)
            for i, (variant, k) in enumerate(runs):
                curves.setdefault((variant, k), {})[e * STEPS_PER_EPOCH] = tuple(
                    int(x) for x in found[i])
                emit(f"{e},{e * STEPS_PER_EPOCH},{time.time() - start:.0f},{variant},{k},"
                     + ",".join(f"{x:.4f}" for x in losses[i]) + ","
                     + ",".join(str(int(x)) for x in found[i]))
        if over:
            print(f"time limit: stopped after epoch {e}", flush=True)
            break
    emit.close()
    print("\n".join(summary(curves)), flush=True)
    if args.plot:
        plot(curves, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
