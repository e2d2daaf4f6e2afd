"""PacGAN's 2-D mixture experiment in JAX, every pack and seed at once, on a GPU.

The paper's whole budget (400 epochs of 1,000 steps) in minutes, for ganzoo's recipe and for
the authors'.

``python -m ganzoo.reproduce mode_collapse`` trains ganzoo's ``gan`` on the ring of 8 and the grid
of 25 for 10,000 / 20,000 steps (2 CPU cores); PacGAN trained 400,000. This script asks what
each recipe gives at that budget, a question worth minutes of a GPU before 58 hours of CPU. It
states the computation of one run in JAX and trains every (pack, seed) run side by side
(``jax.vmap``): packs 1 to 4 share one program, a pack of m using the first m of four sample
slots (the discriminator's inputs of the unused slots are zero, so its weights there get zero
gradients and Adam leaves them where they are: the same computation as an unpadded run).

Variants (``--variants``):

- ``ganzoo``: ``ganzoo.reproduce.mode_collapse``'s recipe at ``--steps``: G four ReLU layers of
  400 (weights uniform in +-0.035, biases 0) and a linear output, D three maxout layers of 200
  units x 5 pieces (same initialisation), both on the papers' coordinates; non-saturating
  losses; Keras' Adam(1e-3, beta_1 0.5, epsilon 1e-7), the rates decaying linearly to 0 over the
  second half; one D update then one G update on fresh noise; samples from the EMA of G's
  weights (decay 0.999, warmed up as ganzoo's ``GANModel`` does); a batch of 100 D inputs of m
  samples each.
- ``authors``: PacGAN's ``synthetic_data_experiments/2DGrid_GAN&PacGAN`` (Blocks and Theano,
  github.com/fjxmlzn/PacGAN; read, not copied): G the same widths with batch norm (learned scale
  and shift, epsilon 1e-4, no biases before it) before each ReLU, D the same maxout network, all
  weights normal with std 0.02 and biases 0; Blocks' Adam(1e-4, beta_1 0.8, epsilon 1e-8) on both
  networks, updated simultaneously from one forward pass (their ``ali_algorithm``); G is applied
  once per sample slot on 100 latents, each call with its own batch statistics; samples with
  the population statistics (running averages, rate 0.05, of the slots' batch statistics).

- ``ganzoo_pacgan``: ganzoo's training loop with PacGAN's settings, as ganzoo's flags would run
  it (not run on a GPU yet): ``--config.arch.g_batch_norm=true`` (Keras' batch norm, momentum
  0.9, epsilon 1e-5, over each call's 100 m samples, after a Dense with a bias), weights uniform
  in +-0.0346 (``--config.arch.{g,d}_init_range``: PacGAN's std 0.02),
  ``--config.arch.ema_decay=0``,
  ``--config.train.lr_g=1e-4 --config.train.lr_d=1e-4 --config.train.beta1=0.8`` at a constant
  rate; one D update, then one G update on fresh noise, as ganzoo alternates them. It asks
  whether ganzoo needs more than flags (PacGAN's simultaneous updates) to follow PacGAN's recipe
  at its budget.

- ``--r1_gamma G`` (ganzoo's variants): R1's penalty (Mescheder et al. 2018), G / 2 times the
  mean over D's real inputs (packs) of the squared gradient of D's logit with respect to its
  input, G in the papers' units (ganzoo's ``--config.train.r1_gamma`` is G / s^2, s the
  ``linear_scale``); ``mode_collapse``'s R1 rows use G = 0.1.

Differences of form from both codes: the real points are drawn fresh at every step (PacGAN and
ganzoo draw them from a fixed set of 100,000, shuffled), the random streams are JAX's, and the
matrix products run at ``--precision`` (samples are always generated in full float32).

Every ``--eval_every`` steps each run's generator maps 2,500 fixed latents to samples, scored on
the host by ganzoo's own ``ganzoo.metrics.mode_coverage`` (``ganzoo/metrics/modes.py`` loaded
from its file; the GPU machine has no TensorFlow): modes captured (a fifth of a uniform share,
the rule the goals are judged on), modes with any high-quality sample (PacGAN's count), the
fraction of high-quality samples and the reverse KL. Rows go to ``--csv``; the last samples of
every run to ``--samples`` (NPZ, the papers' units).

    python tools/mode_collapse_twin_jax.py --variants ganzoo,authors --seeds 3 --csv out.csv
    python tools/mode_collapse_twin_jax.py --from_csv out.csv --plot curves.png  # no training

Measured on one H200 (2026-12-04, ``--precision high``, 3 seeds a pack, about 0.7 ms a step for
the 12 runs of a variant; the CSVs and final samples are in ``docs/metrics/``; modes captured /
high-quality samples / reverse KL, mean over seeds):

- ``--variants ganzoo,authors --steps 20000 --eval_every 2000`` (the table's budget): the ganzoo
  recipe gives what ganzoo's table gives: GAN 10.3 / 95.2% / 0.97, PacGAN2 19.0 / 94.8% / 0.37,
  PacGAN3 20.3 / 92.8% / 0.25, PacGAN4 15.7 / 83.9% / 0.47 (the table, 3 seeds: 13.7, 17.3,
  17.0, 15.0 modes); the authors' recipe has 2-41% high-quality samples there.
- ``--variants ganzoo --steps 400000``: most of ganzoo's runs lose modes after their best (at
  20,000-140,000 steps; one PacGAN4 run kept 24) while the samples sharpen; at the end: GAN
  3.3 / 99.4% / 2.27, PacGAN2 8.3 / 98.5% / 1.41, PacGAN3 15.0 / 98.8% / 0.69, PacGAN4 21.3 /
  98.9% / 0.26.
- ``--variants authors --steps 400000 --time_limit 215`` (stopped at step 300,000): the paper's
  figures, about: GAN 17.0 / 95.5% / 0.45, PacGAN2 24.7 / 89.6% / 0.071, PacGAN3 22.3 / 88.1% /
  0.14, PacGAN4 23.3 / 91.8% / 0.10 (the paper: 17.3 / 94.8% / 0.70, 23.8 / 91.3% / 0.13,
  24.6 / 94.2% / 0.06, 24.8 / 93.6% / 0.04).
"""

import argparse
import os
import sys
import time

import numpy as np

from _twin_common import (Echo, add_run_arguments, ganzoo_module, import_jax, parse_packs,
                          pyplot, read_curves, save)

PACK_SLOTS = 4  # packs 1..4 share one program: a pack of m fills the first m slots
BATCH = 100  # discriminator inputs a step (PacGAN's batch_size)
NUM_SAMPLES = 2500  # samples scored a run (PacGAN's num_log_figure_sample)
G_WIDTH, D_WIDTH, PIECES = 400, 200, 5
# PacGAN Table 1 (modes, high quality %, reverse KL) and the goals, for the summary
PAPER = {"grid25": {1: (17.3, 94.8, 0.70), 2: (23.8, 91.3, 0.13), 3: (24.6, 94.2, 0.06),
                    4: (24.8, 93.6, 0.04)},
         "ring8": {1: (6.3, 98.2, 0.45), 2: (7.9, 95.6, 0.07), 3: (7.8, 97.7, 0.10),
                   4: (7.8, 95.9, 0.07)}}
VARIANTS = ("ganzoo", "authors", "ganzoo_pacgan")
# uniform weights in +-0.02 sqrt(3): the standard deviation of PacGAN's normal(0.02)
PACGAN_INIT_RANGE = 0.02 * 3**0.5
DATASETS = ("grid25", "ring8")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="grid25", help=f"one of {', '.join(DATASETS)}")
    parser.add_argument("--variants", default="ganzoo",
                        help=f"comma-separated, of {', '.join(VARIANTS)}")
    parser.add_argument("--packs", default="1,2,3,4", help="comma-separated, each 1 to 4")
    parser.add_argument("--seeds", type=int, default=3, help="runs a pack (ganzoo's table: 3)")
    parser.add_argument("--steps", type=int, default=400_000, help="PacGAN's: 400,000")
    parser.add_argument("--eval_every", type=int, default=20_000, help="steps between scores")
    add_run_arguments(parser, "float32 matrix products in training (high: TF32 on NVIDIA GPUs)",
                      "stop a variant after the chunk that passes this many seconds")
    parser.add_argument("--r1_gamma", type=float, default=0.0,
                        help="R1's gamma in the papers' units for the ganzoo variants (ganzoo's "
                             "--config.train.r1_gamma is this / linear_scale^2: grid 0.1 -> "
                             "0.004; mode_collapse's R1 rows: 0.1)")
    parser.add_argument("--samples", default=None, help="NPZ of every run's last samples")
    parser.add_argument("--plot", default=None, help="draw the runs' curves to this PNG")
    parser.add_argument("--scatter", default=None,
                        help="with --samples: draw each variant's last samples (seed 0 of each "
                             "pack) over the modes to this PNG")
    args = parser.parse_args(argv)
    if args.dataset not in DATASETS:
        parser.error(f"--dataset: unknown {args.dataset!r}; valid: {', '.join(DATASETS)}")
    variants = [v for v in args.variants.split(",") if v]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown or not variants:
        parser.error(f"--variants: unknown {', '.join(unknown) or '(none)'}; valid: "
                     f"{', '.join(VARIANTS)}")
    packs = parse_packs(parser, args.packs, PACK_SLOTS)
    if not args.r1_gamma >= 0:
        parser.error(f"--r1_gamma must be >= 0 (0: no penalty), got {args.r1_gamma}")
    if args.r1_gamma and "authors" in variants:
        parser.error("--r1_gamma is a ganzoo option: with it, --variants takes ganzoo, "
                     "ganzoo_pacgan (the authors' recipe has no R1)")
    if args.scatter and not args.samples:
        parser.error("--scatter draws the samples of --samples NPZ: give both")
    if args.seeds <= 0 or args.steps <= 0 or args.eval_every <= 0:
        parser.error("--seeds, --steps and --eval_every must be positive")
    args.variants, args.packs = variants, packs
    return args


def mixture(name):
    """(modes [K, 2], std) in the papers' units (ganzoo's pipelines scale them into [-1, 1])."""
    toy = ganzoo_module("data", "toy.py")
    modes, std = toy.mixture(name)
    scale = toy.paper_units(name)
    return (modes * scale).astype(np.float32), std * scale


def build(jax, jnp, modes, std, total_steps, r1_gamma=0.0):
    """The recipes' functions of one run (vmapped by the caller); ``r1_gamma`` > 0 adds R1's
    penalty, in the papers' units, to D's loss in ganzoo's alternating loop."""
    num_modes = modes.shape[0]
    modes = jnp.asarray(modes)

    def pack(slots, mask):
        """[slots, B, 2] -> [B, 2 * slots]: slot j in columns 2j, 2j + 1; unused slots 0."""
        slots = slots * mask[:, None, None]
        return jnp.transpose(slots, (1, 0, 2)).reshape(slots.shape[1], -1)

    def discriminate(d, x):
        h = x
        for i in range(3):
            a = h @ d[f"w{i}"] + d[f"b{i}"]
            h = a.reshape(a.shape[0], D_WIDTH, PIECES).max(-1)
        return (h @ d["w3"] + d["b3"])[:, 0]

    def init(key, variant):
        """Initial weights of G and D (D's first layer reads all slots)."""
        sizes_g = [2, G_WIDTH, G_WIDTH, G_WIDTH, G_WIDTH, 2]
        sizes_d = [(2 * PACK_SLOTS, D_WIDTH * PIECES), (D_WIDTH, D_WIDTH * PIECES),
                   (D_WIDTH, D_WIDTH * PIECES), (D_WIDTH, 1)]
        keys = jax.random.split(key, 9)

        def weight(k, shape):
            if variant == "authors":
                return 0.02 * jax.random.normal(k, shape)
            limit = PACGAN_INIT_RANGE if variant == "ganzoo_pacgan" else 0.035
            return jax.random.uniform(k, shape, minval=-limit, maxval=limit)

        g = {f"w{i}": weight(keys[i], (sizes_g[i], sizes_g[i + 1])) for i in range(5)}
        g["b4"] = jnp.zeros(2)
        for i in range(4):
            if variant != "authors":  # Keras' Dense has a bias, also before batch norm
                g[f"b{i}"] = jnp.zeros(G_WIDTH)
            if variant != "ganzoo":
                g[f"scale{i}"], g[f"shift{i}"] = jnp.ones(G_WIDTH), jnp.zeros(G_WIDTH)
        d = {f"w{i}": weight(keys[5 + i], shape) for i, shape in enumerate(sizes_d)}
        d.update({f"b{i}": jnp.zeros(shape[1]) for i, shape in enumerate(sizes_d)})
        return g, d

    def generate(g, z, population=None, keras_bn=False, rows=None):
        """G on latents [n, 2]. A G with ``scale0`` has batch norm before each ReLU, with the
        batch's statistics (over the rows where ``rows`` is 1, all by default) or, when given,
        ``population`` [2, 4, 400]. The authors' (Blocks) normalises by s = sqrt(var + 1e-4)
        and keeps (mean, s); Keras' (``keras_bn``: ganzoo's ``g_batch_norm``) by
        sqrt(var + 1e-5) and keeps (mean, var). Returns (points, kept statistics or None)."""
        h, kept = z, []
        weights = jnp.ones(z.shape[0]) if rows is None else rows
        for i in range(4):
            a = h @ g[f"w{i}"]
            if f"b{i}" in g:
                a = a + g[f"b{i}"]
            if "scale0" in g:
                if population is None:
                    mean = weights @ a / weights.sum()
                    var = weights @ (a - mean) ** 2 / weights.sum()
                    spread = var if keras_bn else jnp.sqrt(var + 1e-4)
                else:
                    mean, spread = population[0][i], population[1][i]
                kept.append(jnp.stack([mean, spread]))
                root = jnp.sqrt(spread + 1e-5) if keras_bn else spread
                a = (a - mean) / root * g[f"scale{i}"] + g[f"shift{i}"]
            h = jax.nn.relu(a)
        out = h @ g["w4"] + g["b4"]
        return out, jnp.stack(kept, axis=1) if kept else None

    def real_batch(key):
        """[slots, B, 2] points of the mixture, every mode equally likely."""
        k_mode, k_noise = jax.random.split(key)
        which = jax.random.randint(k_mode, (PACK_SLOTS, BATCH), 0, num_modes)
        return modes[which] + std * jax.random.normal(k_noise, (PACK_SLOTS, BATCH, 2))

    def adam(params, grads, m, v, t, lr, beta1, eps, blocks):
        """Keras' Adam (``blocks`` False) or Blocks' (True: beta_1 decays by 1 - 1e-8 a step and
        epsilon is added to the bias-corrected root); ``t`` counts from 1."""
        b1 = beta1 * (1.0 - 1e-8) ** (t - 1) if blocks else beta1
        m = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g, m, grads)
        v = jax.tree.map(lambda v, g: 0.999 * v + 0.001 * g * g, v, grads)
        if blocks:
            step = lambda m, v: lr * (m / (1 - beta1 ** t)) / (  # noqa: E731
                jnp.sqrt(v / (1 - 0.999 ** t)) + eps)
        else:
            alpha = lr * jnp.sqrt(1 - 0.999 ** t) / (1 - beta1 ** t)
            step = lambda m, v: alpha * m / (jnp.sqrt(v) + eps)  # noqa: E731
        return jax.tree.map(lambda p, m, v: p - step(m, v), params, m, v), m, v

    def decayed(lr, step):
        """ganzoo's linear decay to 0 over the second half (``LinearDecay``), at step (0-based)."""
        half = total_steps // 2
        return lr * (1.0 - jnp.clip((step - half) / max(total_steps - half, 1), 0.0, 1.0))

    def d_loss(d, real, fake, mask):
        logits = discriminate(d, jnp.concatenate([pack(real, mask), pack(fake, mask)]))
        loss = jax.nn.softplus(-logits[:BATCH]).mean() + jax.nn.softplus(logits[BATCH:]).mean()
        if r1_gamma:  # gamma / 2 * the mean over D's real inputs of ||d D / d input||^2
            # taken through ``pack``, whose mask gives the unused slots zero gradient
            grads = jax.grad(lambda x: discriminate(d, pack(x, mask)).sum())(real)
            loss = loss + 0.5 * r1_gamma * jnp.sum(jnp.square(grads), axis=(0, 2)).mean()
        return loss

    def alternating_step(state, mask, pacgan):
        """ganzoo's loop: one D update, then one G update on fresh noise and the updated D,
        with Keras' Adam. ``pacgan`` False: the mode_collapse table's recipe (Adam(1e-3,
        beta_1 0.5) decaying linearly over the second half, an EMA of G warmed up as ganzoo's);
        True: PacGAN's settings as ganzoo's flags give them: G's batch norm (``g_batch_norm``)
        over each call's 100 m samples, its moving statistics (momentum 0.9) updated by both
        calls of a step; Adam(1e-4, beta_1 0.8) at a constant rate; no EMA."""
        t = state["t"]
        key = jax.random.fold_in(state["key"], t.astype(jnp.int32))
        k_real, k_zd, k_zg = jax.random.split(key, 3)
        real = real_batch(k_real)
        rows = jnp.repeat(mask, BATCH)  # the samples of the used slots (batch norm only)
        lr, beta1 = (1e-4, 0.8) if pacgan else (decayed(1e-3, t - 1), 0.5)

        def fake_batch(g, k):
            out, stats = generate(g, jax.random.normal(k, (PACK_SLOTS * BATCH, 2)),
                                  keras_bn=True, rows=rows)
            return out.reshape(PACK_SLOTS, BATCH, 2), jax.lax.stop_gradient(stats)

        fake, stats_d = fake_batch(state["g"], k_zd)
        grads = jax.grad(d_loss)(state["d"], real, fake, mask)
        d, md, vd = adam(state["d"], grads, state["md"], state["vd"], t, lr, beta1, 1e-7, False)

        def g_loss(g):
            out, stats = fake_batch(g, k_zg)
            return jax.nn.softplus(-discriminate(d, pack(out, mask))).mean(), stats

        grads, stats_g = jax.grad(g_loss, has_aux=True)(state["g"])
        g, mg, vg = adam(state["g"], grads, state["mg"], state["vg"], t, lr, beta1, 1e-7, False)
        state = dict(state, g=g, d=d, md=md, vd=vd, mg=mg, vg=vg, t=t + 1)
        if pacgan:
            pop = state["pop"]
            for stats in (stats_d, stats_g):  # Keras: moving = 0.9 moving + 0.1 batch, each call
                pop = 0.9 * pop + 0.1 * stats
            return dict(state, pop=pop)
        decay = jnp.minimum(0.999, t / (9.0 + t))  # ganzoo: (1 + step) / (10 + step)
        return dict(state, ema=jax.tree.map(lambda s, w: decay * s + (1 - decay) * w,
                                            state["ema"], g))

    def ganzoo_step(state, mask):
        return alternating_step(state, mask, pacgan=False)

    def ganzoo_pacgan_step(state, mask):
        return alternating_step(state, mask, pacgan=True)

    def authors_step(state, mask):
        t = state["t"]
        key = jax.random.fold_in(state["key"], t.astype(jnp.int32))
        k_real, k_z = jax.random.split(key)
        real = real_batch(k_real)
        z = jax.random.normal(k_z, (PACK_SLOTS, BATCH, 2))

        def losses(g, d):
            fake, stats = jax.vmap(generate, in_axes=(None, 0))(g, z)  # a call a slot
            logits = discriminate(d, jnp.concatenate([pack(real, mask), pack(fake, mask)]))
            lr_, lf = logits[:BATCH], logits[BATCH:]
            d_cost = jax.nn.softplus(-lr_).mean() + jax.nn.softplus(lf).mean()
            g_cost = jax.nn.softplus(-lf).mean()
            return (d_cost, g_cost), stats

        # one forward pass, as the authors' one graph: D's gradients of its cost, G's of its own
        _, backward, stats = jax.vjp(losses, state["g"], state["d"], has_aux=True)
        one, zero = jnp.ones(()), jnp.zeros(())
        d_grads = backward((one, zero))[1]
        g_grads = backward((zero, one))[0]
        d, md, vd = adam(state["d"], d_grads, state["md"], state["vd"], t, 1e-4, 0.8, 1e-8, True)
        g, mg, vg = adam(state["g"], g_grads, state["mg"], state["vg"], t, 1e-4, 0.8, 1e-8, True)
        # the slots' batch statistics averaged over the used slots, into the running averages
        used = mask / mask.sum()
        batch = jnp.einsum("s,sabc->abc", used, jax.lax.stop_gradient(stats))
        pop = 0.95 * state["pop"] + 0.05 * batch
        return dict(state, g=g, d=d, md=md, vd=vd, mg=mg, vg=vg, pop=pop, t=t + 1)

    def start(key, variant):
        g, d = init(key, variant)
        zeros = lambda tree: jax.tree.map(jnp.zeros_like, tree)  # noqa: E731
        state = {"g": g, "d": d, "md": zeros(d), "vd": zeros(d), "mg": zeros(g),
                 "vg": zeros(g), "t": jnp.ones((), jnp.float32),
                 "key": jax.random.fold_in(key, 1)}
        if variant == "ganzoo":
            state["ema"] = g
        else:  # population statistics: means 0, spreads (stds or variances) 1
            state["pop"] = jnp.stack([jnp.zeros((4, G_WIDTH)), jnp.ones((4, G_WIDTH))])
        return state

    steps = {"ganzoo": ganzoo_step, "authors": authors_step, "ganzoo_pacgan": ganzoo_pacgan_step}

    def chunk(state, mask, n, variant):
        step = steps[variant]
        return jax.lax.scan(lambda s, _: (step(s, mask), None), state, None, length=n)[0]

    def samples(state, z, variant):
        """The generator as the variant samples it, on latents [n, 2], in full float32."""
        with jax.default_matmul_precision("highest"):
            if variant == "ganzoo":
                return generate(state["ema"], z)[0]
            return generate(state["g"], z, state["pop"], keras_bn=variant == "ganzoo_pacgan")[0]

    return dict(pack=pack, discriminate=discriminate, init=init, generate=generate,
                adam=adam, decayed=decayed, d_loss=d_loss, ganzoo_step=ganzoo_step,
                authors_step=authors_step, ganzoo_pacgan_step=ganzoo_pacgan_step, start=start,
                chunk=chunk, samples=samples)


FIELDS = ("step", "seconds", "variant", "pack", "seed", "modes", "modes_any", "high_quality",
          "reverse_kl")


def read_csv(path):
    """{(variant, pack, seed): {step: (modes, modes_any, high_quality, reverse_kl)}}."""
    return read_curves(
        path, lambda row: (row["variant"], int(row["pack"]), int(row["seed"])),
        lambda row: (int(row["modes"]), int(row["modes_any"]), float(row["high_quality"]),
                     float(row["reverse_kl"])))


def summary(curves, dataset):
    """Lines: each (variant, pack)'s figures at its runs' last common step, mean ± std over
    seeds, beside the paper's."""
    lines = []
    groups = dict.fromkeys((v, p) for v, p, _ in curves)
    for variant, pack in groups:
        runs = [c for (v, p, _), c in sorted(curves.items()) if (v, p) == (variant, pack)]
        step = min(max(c) for c in runs)
        rows = np.array([c[step] for c in runs], float)
        mean = rows.mean(0)
        with np.errstate(invalid="ignore"):  # a run without high-quality samples has KL inf
            sd = rows.std(0, ddof=1) if len(rows) > 1 else np.zeros(4)
        paper = PAPER[dataset].get(pack)
        lines.append(
            f"{variant} pack {pack}, step {step}, {len(rows)} seeds: modes {mean[0]:.1f} ± "
            f"{sd[0]:.1f} (any sample {mean[1]:.1f}), high quality {100 * mean[2]:.1f} ± "
            f"{100 * sd[2]:.1f}%, reverse KL {mean[3]:.3f} ± {sd[3]:.3f}"
            + (f"; paper {paper[0]} / {paper[1]}% / {paper[2]}" if paper else ""))
    return lines


def plot(curves, path, dataset):
    """Modes captured and reverse KL against the step, a line a run, a colour a pack."""
    import matplotlib.ticker

    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), dpi=100)
    colours = {1: "tab:blue", 2: "tab:orange", 3: "tab:green", 4: "tab:red"}
    styles = {"ganzoo": "-", "authors": ":", "ganzoo_pacgan": "--"}
    shown = set()
    for (variant, pack, _), curve in sorted(curves.items()):
        steps = sorted(curve)
        label = None if (variant, pack) in shown else f"{variant}, pack {pack}"
        shown.add((variant, pack))
        for ax, col in zip(axes, (0, 3)):
            ax.plot(steps, [max(curve[s][col], 1e-4) for s in steps], styles.get(variant, "--"),
                    color=colours.get(pack, "grey"), lw=0.9, alpha=0.8, label=label)
    axes[0].set_ylabel("modes captured")
    axes[1].set_ylabel("reverse KL to uniform")
    axes[1].set_yscale("log")
    for ax in axes:
        ax.set_xlabel("training step (thousands)")
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: f"{x / 1000:g}"))
        ax.grid(alpha=0.3, which="both")
    axes[0].legend(fontsize=7)
    fig.suptitle(f"{dataset}: a line a run (JAX twin)", fontsize=10)
    save(fig, path)


def scatter(samples_path, path, dataset):
    """A panel a (variant, pack): seed 0's last samples over the modes (3 std circles)."""
    plt = pyplot()
    if not os.path.isfile(samples_path):
        raise SystemExit(f"--samples: no file {samples_path}")
    data = np.load(samples_path)
    variants = [v for v in VARIANTS if v in data.files]
    if not variants:
        raise SystemExit(f"{samples_path}: no samples of {', '.join(VARIANTS)}")
    packs, seeds = data["packs"], data["seeds"]
    columns = [i for i in range(len(packs)) if seeds[i] == 0]
    modes, std = mixture(dataset)
    fig, axes = plt.subplots(len(variants), len(columns), squeeze=False,
                             figsize=(2.6 * len(columns), 2.7 * len(variants)), dpi=100)
    for row, variant in enumerate(variants):
        for col, i in enumerate(columns):
            ax = axes[row][col]
            points = data[variant][i]
            ax.scatter(points[:, 0], points[:, 1], s=1, alpha=0.4, color="tab:blue")
            for mode in modes:
                ax.add_patch(plt.Circle(mode, 3 * std, fill=False, color="tab:red", lw=0.6))
            limit = np.abs(modes).max() + 1.5
            ax.set(xlim=(-limit, limit), ylim=(-limit, limit), aspect="equal", xticks=[],
                   yticks=[])
            ax.set_title(f"{variant}, pack {packs[i]}", fontsize=8)
    save(fig, path)


def main(argv=None):
    args = parse_args(argv)
    if args.from_csv:
        curves = read_csv(args.from_csv)
        dataset = args.dataset
        print("\n".join(summary(curves, dataset)))
        if args.plot:
            plot(curves, args.plot, dataset)
        if args.scatter and args.samples:
            scatter(args.samples, args.scatter, dataset)
        return 0
    jax, jnp = import_jax("mode_collapse_twin_jax", args.precision)

    modes_module = ganzoo_module("metrics", "modes.py")
    modes, std = mixture(args.dataset)
    fns = build(jax, jnp, modes, std, args.steps, args.r1_gamma)
    runs = [(pack, seed) for pack in args.packs for seed in range(args.seeds)]
    masks = jnp.asarray([[1.0 if j < pack else 0.0 for j in range(PACK_SLOTS)]
                         for pack, _ in runs])
    # run (pack, seed) draws from key (seed, pack), the same for every variant
    keys = jnp.stack([jax.random.fold_in(jax.random.PRNGKey(seed), pack) for pack, seed in runs])
    latents = jax.random.normal(jax.random.PRNGKey(2333), (NUM_SAMPLES, 2))
    emit = Echo(args.csv)

    emit(",".join(FIELDS))
    curves, last = {}, {}
    for variant in args.variants:
        state = jax.jit(jax.vmap(lambda k: fns["start"](k, variant)))(keys)
        run_samples = jax.jit(jax.vmap(lambda s: fns["samples"](s, latents, variant)))
        start, done, chunks = time.time(), 0, {}
        while done < args.steps:
            n = min(args.eval_every, args.steps - done)
            if n not in chunks:  # a program a chunk length (the last may be shorter)
                chunks[n] = jax.jit(jax.vmap(lambda s, m, n=n: fns["chunk"](s, m, n, variant)),
                                    donate_argnums=0)
            state = chunks[n](state, masks)
            done += n
            points = np.asarray(run_samples(state))
            seconds = time.time() - start
            for i, (pack, seed) in enumerate(runs):
                score = modes_module.mode_coverage(points[i], modes, std)
                any_sample = sum(c > 0 for c in score["counts"])  # PacGAN's count, min_count 1
                values = (score["modes_captured"], any_sample, score["high_quality"],
                          score["reverse_kl"])
                curves.setdefault((variant, pack, seed), {})[done] = values
                emit(f"{done},{seconds:.0f},{variant},{pack},{seed},{values[0]},{values[1]},"
                     f"{values[2]:.4f},{values[3]:.4f}")
            last[variant] = points
            if args.time_limit and seconds > args.time_limit and done < args.steps:
                print(f"time limit: {variant} stopped at step {done}", flush=True)
                break
    emit.close()
    if args.samples:
        np.savez_compressed(args.samples, packs=np.array([p for p, _ in runs]),
                            seeds=np.array([s for _, s in runs]),
                            **{v: points for v, points in last.items()})
    print("\n".join(summary(curves, args.dataset)), flush=True)
    if args.plot:
        plot(curves, args.plot, args.dataset)
    return 0


if __name__ == "__main__":
    sys.exit(main())
