"""Mode collapse on the 2-D mixtures: PacGAN (Lin et al. 2018) Table 1, VEEGAN's protocol.

A GAN with and without packing (the discriminator judges m samples at once, m = 2, 3, 4) on the
ring of 8 and the grid of 25 Gaussians, several seeds each; 2,500 samples a run are scored with
``ganzoo.metrics.mode_coverage``: modes captured (at least a fifth of a uniform share of
high-quality samples), the fraction of samples within 3 standard deviations of a mode, and the
reverse KL of the mode histogram to uniform. A further row trains the unpacked GAN with R1's
gradient penalty on D (Mescheder et al. 2018), a remedy the papers' table does not have.
"""

import numpy as np

from ganzoo.reproduce import core

# PacGAN Table 1 (mean ± standard error over 10 trials): modes, high quality %, reverse KL
PAPER = {
    "ring8": {"GAN": (6.3, 98.2, 0.45), "ALI": (6.6, 97.6, 0.36), "PacGAN2": (7.9, 95.6, 0.07),
              "PacGAN3": (7.8, 97.7, 0.10), "PacGAN4": (7.8, 95.9, 0.07)},
    "grid25": {"GAN": (17.3, 94.8, 0.70), "ALI": (24.1, 95.7, 0.14), "PacGAN2": (23.8, 91.3, 0.13),
               "PacGAN3": (24.6, 94.2, 0.06), "PacGAN4": (24.8, 93.6, 0.04)},
}
GOALS = {"ring8": (8, 0.97, 0.02), "grid25": (25, 0.95, 0.03)}  # modes, high quality, reverse KL
NUM_SAMPLES = 2500  # PacGAN's figure and metric sample count

# PacGAN's networks (its synthetic_data_experiments configs): G four ReLU layers of 400 on a 2-D
# Gaussian z, D three maxout layers of 200 units x 5 pieces, no dropout nor max-norm; batch 100
# discriminator inputs (of m samples each when packed). PacGAN trained 400 epochs of 100,000
# points (400,000 steps) with Adam(1e-4, beta_1 0.8); on this budget (10,000-20,000 steps) that
# rate had not placed one sample within 3 std of a mode after 4,000 steps, so Adam(1e-3, 0.5);
# G linear and both networks on the papers' coordinates (``linear_scale``: ganzoo's mixtures
# are scaled into [-1, 1], and a tanh G with D on those units covered 8.3 of the grid's modes
# (PacGAN2 12.0) against 13.7 (PacGAN2 17.3) on the papers' units, 3 seeds); no batch norm in G
# (PacGAN's had it: 9 modes, PacGAN2 about 10, seed 0); the learning rates decay linearly to 0
# over the second half (the first half's oscillations between 94% and 79% high-quality samples
# settle); samples from the EMA of G's weights. Made for this budget, not the paper's: at
# 400,000 steps (``tools/mode_collapse_twin_jax.py``, the recipe in JAX on a GPU) most runs
# drop modes after their best, at 20,000-140,000 steps (grid PacGAN2 8.3 modes at the end),
# while PacGAN's recipe reaches about the paper's figures there; ``--steps`` far beyond 20,000
# wants that recipe.
RECIPE = [
    "--config.arch.latent_dim=2",
    "--config.arch.g_units=(400,400,400,400)",
    "--config.arch.d_units=(200,200,200)",
    "--config.arch.d_pieces=5",
    "--config.arch.g_init_range=0.035",
    "--config.arch.d_init_range=0.035",
    "--config.arch.ema_decay=0.999",
    "--config.arch.d_max_norm=0",
    "--config.train.lr_g=1e-3",
    "--config.train.lr_d=1e-3",
    "--config.train.beta1=0.5",
]

# The R1 rows: the same GAN (no packing) with R1's gradient penalty on D (Mescheder et al. 2018,
# gamma / 2 * E ||grad D(x_real)||^2), gamma 0.1 in the papers' units, the one tried first in
# JAX on the grid (a scratch R1 version of ``tools/mode_collapse_twin_jax.py``, whose penalty
# is now its ``--r1_gamma``; seed 0, 20,000 steps: 25 modes, 96.2%, KL 0.016; gamma 1 cost
# high-quality samples: 92.4%). D reads the data multiplied by ``linear_scale`` s, so its
# gradient in the zoo's units is s times the papers' one and the zoo's gamma is 0.1 / s^2 (grid
# 0.004, ring 0.016). The ring's modes are narrower (std 0.02 against 0.05): gamma 0.016 there
# (the grid's gamma per squared std) gave 96.4% high-quality samples against 95.1% (3 seeds, 8
# modes and KL <= 0.006 both ways), still short of 97%, so one gamma serves both.
R1_GAMMA = 0.1


def r1_gamma(dataset):
    """R1's gamma in the zoo's [-1, 1] units for ``R1_GAMMA`` in the papers' units."""
    from ganzoo.data import toy

    return R1_GAMMA / toy.paper_units(dataset) ** 2


class ModeCollapse(core.Table):
    name = "mode_collapse"
    artifacts = ("points.npy",)  # what the report reads of each run
    title = "Mode collapse on 2-D Gaussian mixtures (PacGAN Table 1)"
    paper = ("Lin et al. 2018, PacGAN, https://arxiv.org/abs/1712.04086, Table 1 (protocol of "
             "Srivastava et al. 2017, VEEGAN, https://arxiv.org/abs/1705.07761)")
    goal = ("ring: 8/8 modes, >= 97% high-quality samples, reverse KL <= 0.02; grid: 25/25, "
            ">= 95%, <= 0.03 (mean over seeds)")
    packs = (1, 2, 3, 4)
    seeds = (0, 1, 2)
    steps = {"ring8": 10_000, "grid25": 20_000}
    paper_steps = 400_000  # PacGAN's code: 400 epochs of 100,000 points, batch 100
    paper_steps_note = ("at that budget this recipe loses modes (grid PacGAN2 8.3 at 400,000 "
                        "steps, measured by tools/mode_collapse_twin_jax.py; README)")
    minutes = 165.0  # the R1 rows add about 35 (ring 3.5 min a run alone, grid 7.5)
    quick_minutes = 1.5

    def runs(self, quick):
        from ganzoo.data import toy

        out = []
        packs = (1, 2) if quick else self.packs
        seeds = (0,) if quick else self.seeds
        for dataset in ("ring8", "grid25"):
            steps = 40 if quick else self.steps[dataset]
            for pack, r1 in [(p, 0.0) for p in packs] + [(1, R1_GAMMA)]:
                for seed in seeds:
                    args = ["--model", "gan", "--dataset", dataset, *RECIPE,
                            f"--config.arch.linear_scale={toy.paper_units(dataset):g}",
                            f"--config.arch.pack={pack}", f"--config.train.batch_size={100 * pack}",
                            f"--steps={steps}", f"--seed={seed}", "--config.eval.every=0",
                            "--config.train.lr_schedule=linear",
                            f"--config.train.lr_decay_start={steps // 2}",
                            f"--config.log.checkpoint_every={min(steps, 2000)}"]
                    if r1:
                        args.append(f"--config.train.r1_gamma={r1_gamma(dataset):g}")
                    if quick:
                        args += ["--config.arch.g_units=(32,32)", "--config.arch.d_units=(16,16)",
                                 "--config.log.sample_every=1000"]
                    row = {"dataset": dataset, "pack": pack, **({"r1": r1} if r1 else {})}
                    out.append(core.Run(f"{dataset}_{'r1_' if r1 else ''}pack{pack}_seed{seed}",
                                        args, row, seed=seed, steps=steps))
        return out

    curve = ("reverse KL of the mode histogram to uniform", "log")
    curve_goal = {dataset: goal[2] for dataset, goal in GOALS.items()}

    @staticmethod
    def _coverage(run, model):
        from ganzoo.data import toy
        from ganzoo.metrics import mode_coverage

        points = np.asarray(model.generate(NUM_SAMPLES, seed=1000 + run.seed))
        modes, std = toy.mixture(run.row["dataset"])
        return points, mode_coverage(points, modes, std)

    def score(self, run, workdir, quick):
        points, cover = self._coverage(run, core.load_run_model(workdir))
        np.save(f"{workdir}/points.npy", points)
        return {k: cover[k] for k in ("modes_captured", "num_modes", "high_quality", "reverse_kl",
                                      "counts")}

    def checkpoint_metric(self, run, workdir, model, quick):
        return self._coverage(run, model)[1]["reverse_kl"]

    def curve_panel(self, run):
        return run.row["dataset"]

    def curve_label(self, run):
        return run_label(run)

    def report(self, results, quick, figures):
        import os

        from ganzoo.data import toy
        from ganzoo.images import save_scatter
        from ganzoo.metrics.modes import HIGH_QUALITY_STDS

        lines = ["## Results", "",
                 f"{NUM_SAMPLES} samples a run (from the EMA generator), mean ± standard "
                 "deviation over seeds (the paper: ± standard error over 10 trials). *modes*: "
                 "modes with at least a fifth of a uniform share of the samples (ring "
                 f"{NUM_SAMPLES / 5 / 8:g}, grid {NUM_SAMPLES / 5 / 25:g}), the rule the goal is "
                 "judged on; *any sample*: modes with at least one, the count PacGAN's released "
                 "code makes (`MetricLogger` in its synthetic_data_experiments). *GAN + R1*: "
                 "the unpacked GAN with R1's gradient penalty on D's real inputs (Mescheder et "
                 "al. 2018; not in the papers' table), gamma in the papers' units; D reads the "
                 "data times s (ring 2.5, grid 5), so the commands' `r1_gamma` is gamma / s^2.",
                 ""]
        folder = os.path.basename(figures)
        for dataset in ("ring8", "grid25"):
            rows = []
            target_modes, target_hq, target_kl = GOALS[dataset]
            for name, (m, hq, kl) in PAPER[dataset].items():
                rows.append([f"{name} (paper)", f"{m}", "", f"{hq}%", f"{kl}", ""])
            ours = [r for r in results if r[0].row["dataset"] == dataset]
            if not ours:
                lines += [f"### {dataset}", "", "No run finished yet.", ""]
                continue
            for variant in sorted({_variant(r[0]) for r in ours}):
                runs = [r for r in ours if _variant(r[0]) == variant]
                group = [r[2] for r in runs]
                modes = [g["modes_captured"] for g in group]
                touched = [modes_touched(g) for g in group]
                hq = [100 * g["high_quality"] for g in group]
                kl = [g["reverse_kl"] for g in group]
                met = (np.mean(modes) >= target_modes and np.mean(hq) >= 100 * target_hq
                       and np.mean(kl) <= target_kl)
                label = run_label(runs[0][0])
                rows.append([f"**ganzoo {label}** ({core.seeds_phrase(len(group))})",
                             core.fmt_mean_std(modes, 1),
                             core.fmt_mean_std(touched, 1),
                             core.fmt_mean_std(hq, 1) + "%", core.fmt_mean_std(kl, 3),
                             "met" if met else "not met"])
            lines += [f"### {dataset} (goal: {target_modes} modes, >= {100 * target_hq:.0f}% "
                      f"high quality, reverse KL <= {target_kl})", "",
                      core.markdown_table(["model", "modes", "any sample", "high quality",
                                           "reverse KL", "goal"], rows)]
            # pictures: every run's samples over the modes, one figure a run
            modes_xy, mode_std = toy.mixture(dataset)
            pictures = []
            for run, workdir, score, _ in ours:
                points = np.load(f"{workdir}/points.npy")
                png = f"{run.name}.png"
                save_scatter(points, os.path.join(figures, png), modes=modes_xy, mode_std=mode_std,
                             title=f"{dataset} {run_label(run)} seed {run.seed}: "
                                   f"{score['modes_captured']}/{score['num_modes']} modes, "
                                   f"{100 * score['high_quality']:.1f}% HQ")
                pictures.append(f"![{run.name}]({folder}/{png})")
            histogram = f"{dataset}_histograms.png"
            _histograms(ours, os.path.join(figures, histogram))
            lines += ["Samples (blue) over the mixture's modes (red circles: within "
                      f"{HIGH_QUALITY_STDS:g} std of a mode, a high-quality sample), every run:",
                      "",
                      " ".join(pictures), "",
                      "High-quality samples per mode (the histogram behind the reverse KL):", "",
                      f"![{dataset} histograms]({folder}/{histogram})", ""]
        return "\n".join(lines) + "\n" + core.commands_section(results)


def pack_label(pack):
    """The paper's name of a GAN whose discriminator judges ``pack`` samples at once."""
    return "GAN" if pack == 1 else f"PacGAN{pack}"


def run_label(run):
    """The row a run belongs to: the paper's name of its GAN, with R1 and its gamma (in the
    papers' units) when it has the penalty."""
    r1 = run.row.get("r1", 0.0)
    return pack_label(run.row["pack"]) + (f" + R1 (gamma {r1:g})" if r1 else "")


def _variant(run):
    """Sort key of a run's row: packing first, then R1."""
    return run.row["pack"], run.row.get("r1", 0.0)


def modes_touched(score):
    """Modes with at least one high-quality sample (PacGAN's code's count), from a run's
    per-mode counts."""
    return int(np.count_nonzero(score["counts"]))


def _histograms(results, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ganzoo.images import atomic_write

    n = len(results)
    cols = min(n, 3)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 2.4 * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.axis("off")
    for ax, (run, _, score, _) in zip(axes.flat, results):
        counts = np.asarray(score["counts"])
        ax.bar(np.arange(len(counts)), counts, color="tab:blue")
        ax.axhline(NUM_SAMPLES / len(counts), color="tab:red", lw=0.8, ls="--")
        ax.set_title(f"{run_label(run)} seed {run.seed}: KL {score['reverse_kl']:.3f}",
                     fontsize=8)
        ax.tick_params(labelsize=6)
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=80, format="png"), suffix=".png")
    plt.close(fig)
