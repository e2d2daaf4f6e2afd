"""Stacked MNIST: VEEGAN Table 2 / PacGAN Table 3 (Lin et al. 2018, Table 2 of its arXiv v4).

Three MNIST digits stacked as the channels of one 28x28x3 image make 1,000 modes. DCGAN and
DCGAN with packing (PacDCGAN, m = 2; D sees 64 inputs a step either way, as in PacGAN's code)
train on ``stacked_mnist``; 26,000 samples a run are read channel by channel by ganzoo's MNIST
classifier, and ``ganzoo.metrics.stacked_mnist_modes`` counts the modes with at least one sample
and the KL of the mode histogram to uniform.
"""

import os

import numpy as np

from ganzoo.reproduce import core

# PacGAN's table (arXiv v4 Table 2): modes (max 1000), KL
PAPER = [("DCGAN (VEEGAN's figure)", "99.0", "3.40"), ("ALI", "16.0", "5.40"),
         ("Unrolled GAN", "48.7", "4.32"), ("VEEGAN", "150.0", "2.95"),
         ("DCGAN (PacGAN's run)", "78.9 ± 6.46", "4.50 ± 0.127"),
         ("PacDCGAN2", "1000.0 ± 0.00", "0.06 ± 0.003"), ("PacDCGAN3", "1000.0 ± 0.00", "0.06 ± 0.003"),
         ("PacDCGAN4", "1000.0 ± 0.00", "0.07 ± 0.005")]
GOAL_MODES, GOAL_KL = 1000, 0.1
# PacGAN's code (stacked_MNIST_experiments/VEEGAN_experiment/model.py) feeds D 64 inputs a step,
# each of m stacks when packed: G draws 64 * m samples a step, so a packed run's batch is 64 * m
# examples (cutting a batch of 64 into 32 packs would halve D's inputs; mode_collapse does the same
# with its 100 inputs a step)
BATCH_PACKS = 64
NUM_SAMPLES = 26_000


def read_digits(images, batch_size=1000):
    """[N, 28, 28, 3] images in [-1, 1] -> [N, 3] digits the MNIST classifier reads, a channel
    at a time."""
    from ganzoo.metrics import features

    classifier = features.get_extractor("mnist")
    digits = []
    for k in range(images.shape[-1]):
        _, probs = classifier(images[..., k:k + 1], batch_size=batch_size)
        digits.append(np.argmax(probs, axis=1))
    return np.stack(digits, axis=1)


class StackedMNIST(core.Table):
    name = "stacked_mnist"
    artifacts = ("grid.npy",)  # what the report reads of each run
    title = "Stacked MNIST: 1,000 modes (VEEGAN Table 2, PacGAN Table 3)"
    paper = ("Lin et al. 2018, PacGAN, https://arxiv.org/abs/1712.04086, Stacked-MNIST table; "
             "Srivastava et al. 2017, VEEGAN, https://arxiv.org/abs/1705.07761, Table 2")
    goal = f"all {GOAL_MODES} modes and KL <= {GOAL_KL} (PacDCGAN2: 1000 / 0.06)"
    packs = (1, 2)
    seeds = (0, 1)
    steps = 3000
    paper_steps = 100_000  # PacGAN's code: 50 epochs of 128,000 stacks, batch 64
    minutes = 75.0  # 4 runs: 61 min of training before packed runs drew 64 x m a step, now ~1.3x
    quick_minutes = 1.5

    def runs(self, quick):
        out = []
        for pack in self.packs:
            for seed in (self.seeds[:1] if quick else self.seeds):
                steps = 20 if quick else self.steps
                args = ["--model", "dcgan", "--dataset", "stacked_mnist",
                        "--config.arch.ema_decay=0.999", f"--config.arch.pack={pack}",
                        f"--steps={steps}", f"--seed={seed}", "--config.eval.every=0",
                        f"--config.log.checkpoint_every={min(steps, 500)}"]
                if pack > 1:  # the default batch (64) is BATCH_PACKS inputs unpacked
                    args += [f"--config.train.batch_size={BATCH_PACKS * pack}"]
                if quick:
                    args += ["--config.arch.g_filters=8", "--config.arch.d_filters=8",
                             "--config.log.sample_every=1000"]
                out.append(core.Run(f"pack{pack}_seed{seed}", args, {"pack": pack}, seed=seed,
                                    steps=steps))
        return out

    curve = ("modes captured (of 1,000)", "linear")
    curve_goal = GOAL_MODES

    @staticmethod
    def _modes(run, model, quick):
        from ganzoo.metrics import stacked_mnist_modes

        n = 2000 if quick else NUM_SAMPLES
        samples = np.asarray(model.generate(n, seed=1000 + run.seed))
        return samples, stacked_mnist_modes(read_digits(samples))

    def score(self, run, workdir, quick):
        samples, out = self._modes(run, core.load_run_model(workdir), quick)
        np.save(os.path.join(workdir, "grid.npy"), samples[:64])
        return {"modes_captured": out["modes_captured"], "kl": out["kl"],
                "num_samples": len(samples), "counts": out["counts"]}

    def checkpoint_metric(self, run, workdir, model, quick):
        return self._modes(run, model, quick)[1]["modes_captured"]

    def curve_label(self, run):
        return "DCGAN" if run.row["pack"] == 1 else f"PacDCGAN{run.row['pack']}"

    def real_baseline(self, root, quick):
        """The protocol on as many real test stacks as samples: the floor of the KL."""
        from ganzoo import data as data_lib
        from ganzoo.evaluation import source_arrays
        from ganzoo.metrics import stacked_mnist_modes

        def compute():
            n = 2000 if quick else NUM_SAMPLES
            images, labels = source_arrays(data_lib.sources.stacked_mnist("test", size=n))
            digits = read_digits(images)
            truth = np.stack([labels // 100, labels // 10 % 10, labels % 10], axis=1)
            out = stacked_mnist_modes(digits)
            return {"modes_captured": out["modes_captured"], "kl": out["kl"], "count": n,
                    "read_correctly": float(np.mean(np.all(digits == truth, axis=1)))}

        return core.cached_json(os.path.join(root, "real_baseline.json"), compute)

    def report(self, results, quick, figures):
        root = os.path.dirname(results[0][1].rstrip(os.sep))
        real = self.real_baseline(root, quick)
        rows = [[f"{name} (paper)", modes, kl, ""] for name, modes, kl in PAPER]
        for pack in sorted({r[0].row["pack"] for r in results}):
            group = [r[2] for r in results if r[0].row["pack"] == pack]
            modes = [g["modes_captured"] for g in group]
            kls = [g["kl"] for g in group]
            met = np.mean(modes) >= GOAL_MODES and np.mean(kls) <= GOAL_KL
            label = "DCGAN" if pack == 1 else f"PacDCGAN{pack}"
            rows.append([f"**ganzoo {label}** ({core.seeds_phrase(len(group))})",
                         core.fmt_mean_std(modes, 1),
                         core.fmt_mean_std(kls, 3), "met" if met else "not met"])
        rows.append([f"real test stacks ({real['count']:,})", str(real["modes_captured"]),
                     f"{real['kl']:.3f}", ""])
        pictures = core.sample_pictures(results, figures, nrow=8)
        n = results[0][2]["num_samples"]
        lines = [
            "## Results", "",
            f"{n:,} samples a run (EMA generator), each channel read by ganzoo's MNIST classifier "
            f"(it reads all three digits of {100 * real['read_correctly']:.1f}% of real test "
            "stacks right); modes: triples with at least one sample; KL(p || uniform) of the "
            "samples' mode histogram. Mean ± standard deviation over seeds (the paper: ± "
            "standard error over 10 trials).", "",
            core.markdown_table(["model", "modes (of 1000)", "KL", "goal"], rows),
            "Samples (64 a run):", "", *pictures, "",
        ]
        return "\n".join(lines) + "\n" + core.commands_section(results)
