"""Turn a finished training run into a preset: evaluated, with its model card.

    python tools/publish.py --workdir runs/presets/dcgan_mnist --name dcgan_mnist
        [--out runs/presets/published] [--num_samples 10000] [--register] [--ship] [--install]

1. loads the run's newest checkpoint (a zoo model; nothing else is accepted);
2. scores it with ``python -m ganzoo.evaluate --workdir WORKDIR`` (10,000 samples against the
   test split in the evaluator's features; all held-out pairs for pix2pix), the command and its
   figures going into the metadata and the card;
3. writes the preset folder ``OUT/NAME`` (config.json, model.weights.h5, metadata.json with the
   sha256 of every file, samples.png = the run's final grid, README.md = the model card) and
   the archive ``OUT/NAME.tar.gz``;
4. prints the registry entry (name, files, sha256, size, sources) for
   ``ganzoo/pretrained/index.json``; ``--register`` writes it there, ``--ship`` copies the preset
   into the package (``ganzoo/pretrained/NAME``: it loads offline on a fresh install, and it is
   in the wheel: for small presets only), ``--install`` into ``$GANZOO_HOME/presets/NAME``.
"""

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from ganzoo._quiet_tf import import_tensorflow  # noqa: E402

import_tensorflow()

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

import ganzoo  # noqa: E402
from ganzoo import callbacks as cb  # noqa: E402
from ganzoo import presets  # noqa: E402
from ganzoo.images import atomic_write_text  # noqa: E402

PAPERS = {
    "gan": ("Goodfellow et al. 2014, Generative Adversarial Nets", "https://arxiv.org/abs/1406.2661"),
    "dcgan": ("Radford et al. 2015, Unsupervised Representation Learning with Deep Convolutional "
              "GANs", "https://arxiv.org/abs/1511.06434"),
    "acgan": ("Odena et al. 2016, Conditional Image Synthesis with Auxiliary Classifier GANs",
              "https://arxiv.org/abs/1610.09585"),
    "sngan": ("Miyato et al. 2018, Spectral Normalization for GANs; Miyato & Koyama 2018, cGANs "
              "with Projection Discriminator", "https://arxiv.org/abs/1802.05957"),
    "sagan": ("Zhang et al. 2018, Self-Attention GANs", "https://arxiv.org/abs/1805.08318"),
    "pix2pix": ("Isola et al. 2017, Image-to-Image Translation with Conditional Adversarial "
                "Networks", "https://arxiv.org/abs/1611.07004"),
}
DATA_LICENCES = {
    "mnist": "MNIST (LeCun, Cortes & Burges, http://yann.lecun.com/exdb/mnist/), as embedded in ganzoo",
    "fashion_edges": "Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, MIT licence), via Debian's "
                     "dataset-fashion-mnist, edge maps made by ganzoo",
    "ring8": "synthetic (ganzoo.data.toy)",
    "grid25": "synthetic (ganzoo.data.toy)",
}
# The README's figures of each entry's default 10-minute run (MNIST test split, 10,000 samples):
# a published MNIST preset aims below these FIDs.
DEFAULT_FID = {"gan": 10.50, "dcgan": 5.15, "acgan": 2.44, "sngan": 4.08, "sagan": 2.51}
TARGETS = {"recall": 0.6, "class_consistency": 0.97}
HEADLINE = ("fid", "kid", "is", "precision", "recall", "class_consistency", "modes_captured",
            "high_quality", "reverse_kl", "l1", "psnr", "ssim", "classifier_score")


def targets_of(entry, dataset, conditional, results):
    """[(what, target, reached, met)] for an MNIST preset; [] for the others."""
    if dataset != "mnist":
        return []
    rows = [("FID", f"< {DEFAULT_FID[entry]} (the default run's)", results.get("fid"),
             results.get("fid", 1e9) < DEFAULT_FID[entry]),
            ("recall", f">= {TARGETS['recall']}", results.get("recall"),
             results.get("recall", 0) >= TARGETS["recall"])]
    if conditional:
        value = results.get("class_consistency")
        rows.append(("class consistency", f">= {TARGETS['class_consistency']}", value,
                     value is not None and value >= TARGETS["class_consistency"]))
    return rows


def fmt(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)


def model_card(meta):
    m = meta["metrics"]
    lines = [f"# {meta['name']}", "", meta["description"] + ".", "",
             f"- entry: `{meta['entry']}` ({meta['paper'][0]}, {meta['paper'][1]})",
             f"- data: `{meta['dataset']}`, {meta['split']} split; {meta['data_licence']}",
             f"- trained: {meta['steps']} steps x {meta['config']['train']['batch_size']}, seed "
             f"{meta['config']['seed']}" + (f", {meta['train_minutes']} min on {meta['machine']}"
                                            if meta.get("train_minutes") else ""),
             f"- EMA generator: {'yes, decay ' + str(meta['config']['arch']['ema_decay']) if meta['config']['arch'].get('ema_decay') else 'no'}",
             f"- versions: ganzoo {meta['versions']['ganzoo']}, Keras {meta['versions']['keras']}, "
             f"TensorFlow {meta['versions']['tensorflow']}", "",
             "## Use", "", "```python", "import ganzoo",
             f"model = ganzoo.load({meta['name']!r})"]
    if meta["entry"] == "pix2pix":
        lines.append("images = model.translate(edge_maps)   # uint8 or [-1, 1], [N, 32, 32, 1]")
    elif meta["dataset"] in ("ring8", "grid25"):
        lines.append("points = model.generate(1000)   # float32 [1000, 2]")
    elif meta["conditional"]:
        lines.append("images = model.generate(16, labels=[3] * 16)   # float32 in [-1, 1]")
    else:
        lines.append("images = model.generate(16)   # float32 in [-1, 1]")
    lines += ["```", "", f"Serve it: `python -m ganzoo.export --preset {meta['name']} --out serving`.",
              "", "## Measured", "", f"`{m['command']}` ({m['num_samples']} "
              + ("held-out pairs" if meta["entry"] == "pix2pix" else "samples") +
              f" against the {m['split']} split, features: {m['extractor']}):", "",
              "| metric | value |", "|---|---|"]
    for key in HEADLINE:
        if key in m["results"]:
            value = m["results"][key]
            std = m["results"].get(f"{key}_std")
            lines.append(f"| {key} | {fmt(value)}" + (f" ± {fmt(std)}" if std is not None else "")
                         + " |")
    if meta["targets"]:
        lines += ["", "Targets of the published MNIST presets:", "",
                  "| target | aim | reached | met |", "|---|---|---|---|"]
        for what, aim, reached, met in meta["targets"]:
            lines.append(f"| {what} | {aim} | {fmt(reached)} | {'yes' if met else 'no'} |")
    lines += ["", "## Training command", "", "```", meta["command"], "```", "",
              "![samples](samples.png)", "", "## Licence", "", meta["licence"], ""]
    return "\n".join(lines)


def evaluate(workdir, num_samples, log):
    command = ["python", "-m", "ganzoo.evaluate", "--workdir", workdir]
    if num_samples != 10_000:
        command += ["--num_samples", str(num_samples)]
    with open(log, "a") as out:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            p for p in (REPO, os.environ.get("PYTHONPATH")) if p))
        status = subprocess.call([sys.executable] + command[1:], stdout=out,
                                 stderr=subprocess.STDOUT, env=env)
    if status:
        sys.exit(f"publish.py: {' '.join(command)} failed (exit {status}); see {log}")
    with open(os.path.join(workdir, "metrics.json")) as f:
        return " ".join(command), json.load(f)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", required=True, help="a finished ganzoo.run workdir")
    parser.add_argument("--name", required=True, help="the preset's name")
    parser.add_argument("--out", default="runs/presets/published", help="where the preset "
                        "folder and its archive go")
    parser.add_argument("--num_samples", type=int, default=10_000)
    parser.add_argument("--register", action="store_true", help="write the entry into "
                        "ganzoo/pretrained/index.json")
    parser.add_argument("--ship", action="store_true", help="copy the preset into the package")
    parser.add_argument("--install", action="store_true", help="copy it into $GANZOO_HOME/presets")
    args = parser.parse_args(argv)
    index = presets.registry()
    if args.name not in index:
        parser.error(f"{args.name} is not in ganzoo/pretrained/index.json (add its recipe "
                     f"first); presets: {', '.join(index)}")
    entry = index[args.name]
    found = cb.list_checkpoints(os.path.join(args.workdir, "checkpoints"))
    config_path = os.path.join(args.workdir, "config.json")
    if not found or not os.path.exists(config_path):
        parser.error(f"{args.workdir} holds no finished run (no checkpoints or config.json)")
    with open(config_path) as f:
        config = json.load(f)
    step, checkpoint = found[-1]
    if step != config["train"]["steps"]:
        parser.error(f"{args.workdir} stopped at step {step} of {config['train']['steps']}: "
                     "finish it first (run its command again)")
    model = presets.load_keras_file(checkpoint)
    print(f"publish.py: {args.name}: {type(model).__name__} at step {step} from {checkpoint}")
    command, record = evaluate(args.workdir, args.num_samples,
                               os.path.join(args.workdir, "publish.log"))
    results = record["results"]
    timing = {}
    if os.path.exists(os.path.join(args.workdir, "train_time.json")):
        with open(os.path.join(args.workdir, "train_time.json")) as f:
            timing = json.load(f)
    dataset = config["dataset"]
    targets = [list(t) for t in targets_of(model.zoo_name, dataset, model.conditional, results)]
    meta = {
        "name": args.name, "entry": model.zoo_name, "description": entry["description"],
        "paper": list(PAPERS[model.zoo_name]), "dataset": dataset,
        "split": config["data"]["split"], "conditional": bool(model.conditional),
        "command": entry["command"], "config": config, "steps": step,
        "train_minutes": round(timing["seconds"] / 60, 1) if timing.get("seconds") else None,
        "machine": "a 2-core x86 CPU (AVX-512), no GPU",
        "versions": {"ganzoo": ganzoo.__version__, "keras": keras.__version__,
                     "tensorflow": tf.__version__},
        "metrics": {"command": command, "results": results, "num_samples": record["num_samples"],
                    "split": record.get("split", "test"), "extractor": record["extractor"]},
        "targets": targets,
        "data_licence": DATA_LICENCES.get(dataset, dataset),
        "licence": ("Weights: released with ganzoo, under ganzoo's licence. Data: "
                    + DATA_LICENCES.get(dataset, dataset) + "."),
        "published": datetime.date.today().isoformat(),
    }
    folder = os.path.join(args.out, args.name)
    samples = os.path.join(args.workdir, "samples.png")
    meta = presets.save_preset(model, folder, meta, samples if os.path.exists(samples) else None,
                               model_card)
    archive = presets.make_archive(folder, os.path.join(args.out, args.name + ".tar.gz"))
    # a round trip through the loader, checking every file
    loaded = presets.load(folder)
    probe = (loaded.generate(4, seed=1) if not loaded.paired else None)
    if probe is not None:
        reference = model.generate(4, seed=1)
        if not (probe == reference).all():
            sys.exit("publish.py: the preset does not reproduce the run's samples")
    files = dict(meta["files"], **{presets.METADATA: presets.sha256_file(
        os.path.join(folder, presets.METADATA))})
    size = sum(os.path.getsize(os.path.join(folder, n)) for n in files)
    summary = {k: results[k] for k in HEADLINE if k in results}
    new_entry = dict(entry, files=files, size_mb=round(size / 1e6, 1),
                     archive_sha256=presets.sha256_file(archive), metrics=summary,
                     metrics_command=f"python -m ganzoo.evaluate --preset {args.name}"
                     + ("" if args.num_samples == 10_000 else f" --num_samples {args.num_samples}"),
                     shipped=bool(args.ship or entry.get("shipped")), urls=entry.get("urls", []))
    print(json.dumps({args.name: new_entry}, indent=1))
    print(f"publish.py: wrote {folder} ({size / 1e6:.1f} MB) and {archive}")
    if args.register:
        index[args.name] = new_entry
        atomic_write_text(presets.INDEX, json.dumps(index, indent=1) + "\n", ".json")
        print(f"publish.py: registered {args.name} in {presets.INDEX}")
    for flag, target in ((args.ship, os.path.join(presets.PACKAGE_DIR, args.name)),
                         (args.install, os.path.join(presets.home(), "presets", args.name))):
        if flag:
            if os.path.exists(target):
                shutil.rmtree(target)
            shutil.copytree(folder, target)
            print(f"publish.py: copied the preset to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
