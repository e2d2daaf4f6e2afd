"""AC-GAN's class consistency and intra-class diversity (Odena et al. 2016, Sec. 4.1-4.2,
Figs. 8-9), on MNIST with the published ``acgan_mnist`` preset.

For every class: 1,000 samples asked for that class, the fraction the MNIST classifier reads as
that class (the paper's Inception accuracy, per class), and the mean MS-SSIM of 100 random pairs
of the class's samples (Fig. 8's measure: lower is more diverse) beside the same figure on the
class's real test digits (Fig. 9 plots one against the other, a point a class).
"""

import numpy as np

from ganzoo.reproduce import core

PER_CLASS = 1000
PAIRS = 100
GOAL = 0.97


class ACGANTable(core.Table):
    name = "acgan"
    title = "AC-GAN: per-class consistency and MS-SSIM diversity (Odena et al. 2016)"
    paper = ("Odena et al. 2016, Conditional Image Synthesis with Auxiliary Classifier GANs, "
             "https://arxiv.org/abs/1610.09585, Sec. 4.1-4.2, Figs. 8-9")
    goal = (f"class consistency >= {GOAL} for every class; samples' MS-SSIM near the real digits' "
            "(the paper: 84.7% of ImageNet classes below the 0.25 threshold of real data's "
            "most homogeneous class)")
    minutes = 1.0
    quick_minutes = 0.5

    def runs(self, quick):
        return [core.Run("acgan_mnist", [], {"model": "acgan"}, seed=0, preset="acgan_mnist")]

    def score(self, run, workdir, quick):
        import ganzoo
        from ganzoo import data as data_lib
        from ganzoo.evaluation import source_arrays
        from ganzoo.metrics import class_consistency
        from ganzoo.metrics import diversity
        from ganzoo.metrics import features

        per_class = 100 if quick else PER_CLASS
        pairs = 20 if quick else PAIRS
        model = ganzoo.load(run.preset)
        labels = np.repeat(np.arange(model.num_classes), per_class)
        samples = np.asarray(model.generate(len(labels), seed=run.seed, labels=labels))
        _, probs = features.get_extractor("mnist")(samples)
        consistency = class_consistency(probs, labels)
        real, real_labels = source_arrays(data_lib.load("mnist", "test"))
        fake_div = diversity.class_diversity(samples, labels, pairs, seed=run.seed,
                                             **diversity.MNIST_SETTINGS)
        real_div = diversity.class_diversity(real, real_labels, pairs, seed=run.seed,
                                             **diversity.MNIST_SETTINGS)
        np.savez_compressed(f"{workdir}/grid.npz", images=samples.reshape(
            model.num_classes, per_class, *samples.shape[1:])[:, :10])
        return {"class_consistency": consistency["accuracy"],
                "per_class": consistency["per_class"],
                "min_class": float(min(consistency["per_class"])),
                "ms_ssim_samples": [fake_div[c][0] for c in sorted(fake_div)],
                "ms_ssim_samples_se": [fake_div[c][1] for c in sorted(fake_div)],
                "ms_ssim_real": [real_div[c][0] for c in sorted(real_div)],
                "ms_ssim_real_se": [real_div[c][1] for c in sorted(real_div)],
                "per_class_samples": per_class, "pairs": pairs}

    def report(self, results, quick, figures):
        import os

        from ganzoo.images import save_image_grid

        run, workdir, score, _ = results[0]
        folder = os.path.basename(figures)
        rows = []
        for c, acc in enumerate(score["per_class"]):
            rows.append([str(c), f"{acc:.3f}", "yes" if acc >= GOAL else "**no**",
                         f"{score['ms_ssim_samples'][c]:.3f} ± {score['ms_ssim_samples_se'][c]:.3f}",
                         f"{score['ms_ssim_real'][c]:.3f} ± {score['ms_ssim_real_se'][c]:.3f}"])
        met = score["min_class"] >= GOAL
        grid = np.load(f"{workdir}/grid.npz")["images"]
        save_image_grid(grid.reshape(-1, *grid.shape[2:]), os.path.join(figures, "samples.png"),
                        nrow=grid.shape[1])
        _scatter(score, os.path.join(figures, "ms_ssim.png"))
        less_diverse = sum(f > r for f, r in zip(score["ms_ssim_samples"], score["ms_ssim_real"]))
        lines = [
            "## Results", "",
            f"`ganzoo.load('{run.preset}')`, {score['per_class_samples']} samples a class (seed "
            f"{run.seed}, EMA generator); consistency read by ganzoo's MNIST classifier (99.6% on "
            f"the real test digits); MS-SSIM of {score['pairs']} random pairs a class "
            "(± standard error) on [0, 1] pixels, 3 scales (28, 14, 7) with a 7-pixel Gaussian "
            "window (`ganzoo.metrics.diversity.MNIST_SETTINGS`: the paper's 128x128 images took "
            "5 scales and an 11-pixel window, which 28x28 digits cannot).", "",
            f"Overall class consistency {score['class_consistency']:.4f}; lowest class "
            f"{score['min_class']:.3f}: goal (every class >= {GOAL}) "
            f"{'met' if met else 'not met'}. Samples less diverse than the real digits "
            f"(higher MS-SSIM) in {less_diverse} of {len(score['per_class'])} classes.", "",
            core.markdown_table(["class", "consistency", f">= {GOAL}", "MS-SSIM samples",
                                 "MS-SSIM real test digits"], rows),
            "Samples, one row a class (the first 10 of each):", "",
            f"![samples]({folder}/samples.png)", "",
            "MS-SSIM of samples against real digits, a point a class (the paper's Fig. 9; above "
            "the diagonal: less diverse than the data):", "",
            f"![ms-ssim]({folder}/ms_ssim.png)", "",
        ]
        return "\n".join(lines) + "\n" + core.commands_section(results)


def _scatter(score, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ganzoo.images import atomic_write

    real, fake = score["ms_ssim_real"], score["ms_ssim_samples"]
    fig, ax = plt.subplots(figsize=(4.5, 4.5), dpi=100)
    ax.scatter(real, fake, c="tab:blue")
    for c, (x, y) in enumerate(zip(real, fake)):
        ax.annotate(str(c), (x, y), textcoords="offset points", xytext=(4, 2), fontsize=8)
    low = min(min(real), min(fake)) - 0.02
    high = max(max(real), max(fake)) + 0.02
    ax.plot([low, high], [low, high], "k--", lw=0.8)
    ax.set_xlim(low, high)
    ax.set_ylim(low, high)
    ax.set_xlabel("MS-SSIM of real test digits")
    ax.set_ylabel("MS-SSIM of AC-GAN samples")
    ax.set_title("intra-class diversity (lower: more diverse)", fontsize=9)
    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", bbox_inches="tight"), suffix=".png")
    plt.close(fig)
