"""The pix2pix paper's Table 1 ablation (Isola et al. 2017) on the embedded edges -> objects task.

    python tools/pix2pix_ablation.py [--steps 1000] [--out docs/metrics/pix2pix_table1.json]

Trains each variant with the default zoo config (zoo_configs/pix2pix_fashion_edges.py) and the
same budget (``--steps`` training steps of batch 64, seed 0), then scores it with
``python -m ganzoo.evaluate`` on all 4,000 held-out pairs:

- ``L1``: lambda * L1 only, no discriminator (``--config.arch.gan_weight=0``);
- ``cGAN``: the conditional GAN only (``--config.arch.l1_weight=0``);
- ``L1+cGAN``: the paper's objective (the default);
- ``L1+cGAN, encoder-decoder``: the same without the U-Net's skips (``--config.arch.skips=False``,
  the paper's Fig. 5 / Table 2 comparison).

Runs go to ``runs/ablation/<variant>`` and are resumed, not redone, when the command is run
again. Writes the table as JSON (``--out``) and Markdown (beside it, ``.md``), and a figure of
the same held-out edges through every variant (``--figure``).
"""

import argparse
import json
import os
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VARIANTS = (
    ("l1", "L1", ["--config.arch.gan_weight=0"]),
    ("cgan", "cGAN", ["--config.arch.l1_weight=0"]),
    ("l1_cgan", "L1+cGAN", []),
    ("l1_cgan_encdec", "L1+cGAN, encoder-decoder", ["--config.arch.skips=False"]),
)
COLUMNS = (("l1", "L1 error", "{:.4f}"), ("psnr", "PSNR (dB)", "{:.2f}"), ("ssim", "SSIM", "{:.3f}"),
           ("fid", "FID (classifier)", "{:.2f}"), ("kid", "KID (classifier)", "{:.3f}"),
           ("classifier_score", "classifier score", "{:.3f}"))


def run(args, log):
    """A ganzoo command in a subprocess, its output appended to ``log``; exits on failure."""
    env = dict(os.environ, PYTHONPATH=REPO)
    with open(log, "a") as out:
        done = subprocess.run([sys.executable, "-m", *args], cwd=REPO, env=env, stdout=out,
                              stderr=subprocess.STDOUT)
    if done.returncode:
        sys.exit(f"pix2pix_ablation.py: {' '.join(args[:2])} failed (exit {done.returncode}); see {log}")


def markdown(rows, steps, reference):
    head = "| objective | " + " | ".join(title for _, title, _ in COLUMNS) + " | train time |"
    lines = [head, "|" + "---|" * (len(COLUMNS) + 2)]
    for row in rows:
        cells = [fmt.format(row["results"][key]) for key, _, fmt in COLUMNS]
        lines.append(f"| {row['title']} | " + " | ".join(cells) + f" | {row['train_seconds'] / 60:.1f} min |")
    truth = [" " for _ in COLUMNS]
    truth[-1] = f"{reference['classifier_score_of_targets']:.3f}"
    truth[0], truth[1], truth[2] = "0", "inf", "1"
    lines.append("| ground truth | " + " | ".join(truth) + " | |")
    return (f"{steps} training steps of batch 64 each, seed 0; {reference['count']} held-out "
            f"pairs (`{reference['dataset']}` {reference['split']}).\n\n" + "\n".join(lines) + "\n")


def figure(workdirs, titles, path, count=8):
    """Rows: held-out edges, each variant's translations, the ground truth."""
    import keras
    import numpy as np

    import ganzoo  # noqa: F401 - registers the zoo for load_model
    from ganzoo import callbacks as cb
    from ganzoo import data as data_lib
    from ganzoo.evaluation import paired_arrays
    from ganzoo.images import save_image_grid

    sources, targets = paired_arrays(data_lib.load_paired("fashion_edges", "test"), 400)
    pick = np.arange(0, 400, 400 // count)[:count]  # every class shows up
    rows = [sources[pick]]
    for workdir in workdirs:
        model = keras.saving.load_model(cb.list_checkpoints(os.path.join(workdir, "checkpoints"))[-1][1],
                                        compile=False)
        rows.append(model.translate(sources[pick], seed=0))
    rows.append(targets[pick])
    save_image_grid(np.concatenate(rows), path, nrow=count)
    print(f"pix2pix_ablation.py: wrote {path} (rows: edges, {', '.join(titles)}, ground truth)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--runs", default=os.path.join(REPO, "runs", "ablation"))
    parser.add_argument("--out", default=os.path.join(REPO, "docs", "metrics", "pix2pix_table1.json"))
    parser.add_argument("--figure", default=os.path.join(REPO, "docs", "images", "pix2pix_table1.png"))
    parser.add_argument("--only", default="", help="comma-separated variants (default: all): "
                        + ", ".join(v[0] for v in VARIANTS))
    args = parser.parse_args()
    if args.steps <= 0:
        parser.error(f"--steps must be positive, got {args.steps}")
    chosen = [v for v in VARIANTS if not args.only or v[0] in args.only.split(",")]
    unknown = set(filter(None, args.only.split(","))) - {v[0] for v in VARIANTS}
    if unknown:
        parser.error(f"unknown variants {sorted(unknown)}; valid: {', '.join(v[0] for v in VARIANTS)}")
    os.makedirs(args.runs, exist_ok=True)
    rows = []
    for key, title, flags in chosen:
        workdir = os.path.join(args.runs, key)
        log = os.path.join(args.runs, f"{key}.log")
        timing = os.path.join(workdir, "train_seconds.json")
        if not os.path.exists(timing):
            print(f"pix2pix_ablation.py: training {title} ({args.steps} steps) in {workdir}", flush=True)
            start = time.perf_counter()
            run(["ganzoo.run", "--model=pix2pix", f"--workdir={workdir}", f"--steps={args.steps}",
                 "--config.eval.every=0", "--config.log.verbose=0", *flags], log)
            with open(timing + ".tmp", "w") as f:
                json.dump({"seconds": time.perf_counter() - start}, f)
            os.replace(timing + ".tmp", timing)
        with open(timing) as f:
            seconds = json.load(f)["seconds"]
        metrics = os.path.join(workdir, "metrics.json")
        if not os.path.exists(metrics):
            run(["ganzoo.evaluate", f"--workdir={workdir}", "--num_samples=4000"], log)
        with open(metrics) as f:
            record = json.load(f)
        rows.append({"variant": key, "title": title, "flags": flags, "train_seconds": seconds,
                     "step": record["step"], "results": record["results"]})
        shown = ", ".join(f"{k} {record['results'][k]:.4g}" for k, _, _ in COLUMNS)
        print(f"pix2pix_ablation.py: {title}: {shown}", flush=True)
    reference = record["reference"]
    table = {"steps": args.steps, "command": "python tools/pix2pix_ablation.py --steps "
             f"{args.steps}", "reference": reference, "rows": rows}
    from ganzoo.images import atomic_write_text

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    atomic_write_text(args.out, json.dumps(table, indent=1), ".json")
    text = markdown(rows, args.steps, reference)
    atomic_write_text(os.path.splitext(args.out)[0] + ".md", text, ".md")
    print(text)
    figure([os.path.join(args.runs, v[0]) for v in chosen], [v[1] for v in chosen], args.figure)


if __name__ == "__main__":
    main()
