"""Evaluate a trained generator: ``python -m ganzoo.evaluate --workdir runs/dcgan``.

Loads the newest checkpoint of the workdir (or ``--checkpoint FILE.keras``; ``--model NAME``
means ``--workdir runs/NAME``), draws ``--num_samples`` samples (conditional models: classes in
turn) and scores them against as many examples of the dataset's ``--split`` (default: the
dataset the run trained on, its test split): FID, KID, Inception Score, precision/recall,
density/coverage and class consistency on images; mode coverage and the Fréchet distance of the
points on the 2-D mixtures; Parzen log-likelihood with ``--metrics ...,parzen``; the test errors
of a model that classifies (``ssgan``'s discriminator) on the split's examples. Paired models
(pix2pix) translate the held-out sources instead: L1, PSNR and SSIM against the ground truth,
FID/KID in the task's classifier features and the classifier score (``PairedEvaluator``). The reference
features are computed once and cached (``--cache_dir``, default ~/.cache/ganzoo/reference), keyed
by dataset, split, extractor (with its weights' digest) and count. Prints a table and writes
``metrics.json`` (into the workdir, or ``--out``) recording every choice behind the numbers.

``--preset NAME`` scores a pretrained preset (``ganzoo.load(NAME)``) on the data it was trained on,
printing the table (``--out`` to keep it).

``--baseline`` scores real examples of the training split in place of samples: the floor the
models' numbers compare with. A wrong name or value prints one line saying what is valid and
exits with status 2, with nothing written.
"""

import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from absl import app, flags  # noqa: E402

from ganzoo import _cli, registry  # noqa: E402

PROG = "ganzoo.evaluate"
FLAGS = flags.FLAGS
flags.DEFINE_string("workdir", None, "a training run's directory (default: runs/<model>)")
flags.DEFINE_string("model", None, f"shorthand for --workdir runs/<model>: {', '.join(registry.list_models())}")
flags.DEFINE_string("checkpoint", None, "a .keras checkpoint (default: the workdir's newest)")
flags.DEFINE_string("preset", None, "a pretrained preset: name (see ganzoo.list_presets()), folder, "
                    "archive or URL")
flags.DEFINE_string("dataset", None, "reference dataset (default: the run's, else mnist)")
flags.DEFINE_string("split", "test", "reference split: train or test")
flags.DEFINE_integer("num_samples", 10_000, "samples drawn and reference examples used")
flags.DEFINE_string("extractor", "auto", "auto (mnist for 28x28x1; fid_inception for other images "
                    "where converted, else inception; paired models: the task's classifier), mnist, "
                    "fashion, inception, fid_inception, none (paired)")
flags.DEFINE_string("metrics", "default", "comma-separated: fid,kid,is,pr,dc,class_consistency,parzen "
                    "for images; mode_coverage,fid for 2-D points; l1,psnr,ssim,fid,kid,"
                    "classifier_score for paired models; default: all but parzen")
flags.DEFINE_string("cache_dir", None, "reference-statistics cache (default: ~/.cache/ganzoo/reference)")
flags.DEFINE_string("out", None, "metrics JSON file (default: <workdir>/metrics.json)")
flags.DEFINE_integer("seed", 0, "seed of the latents and of KID's subsets")
flags.DEFINE_boolean("ema", True, "sample from the EMA generator when the model keeps one")
flags.DEFINE_boolean("baseline", False, "score real training-split examples instead of samples")
flags.DEFINE_integer("kid_subsets", 100, "KID: number of subsets")
flags.DEFINE_integer("kid_subset_size", 1000, "KID: examples per subset")
flags.DEFINE_integer("is_splits", 10, "Inception Score: number of splits")


class UsageError(ValueError):
    """Bad input from the user: reported as one line, exit status 2."""


def fail(message):
    _cli.fail(PROG, message)


def parse_flags(argv):
    return _cli.parse_flags(PROG, argv)


def resolve_run(workdir, model_name, checkpoint):
    """(workdir or None, checkpoint path, run config dict) from the three flags."""
    from ganzoo import callbacks as cb

    if model_name is not None:
        try:
            registry.check_model_name(model_name)
        except ValueError as error:
            raise UsageError(str(error)) from None
    if checkpoint is not None:
        if not os.path.isfile(checkpoint) or not checkpoint.endswith(".keras"):
            raise UsageError(f"--checkpoint {checkpoint} is not a .keras file")
        if workdir is None:
            parent = os.path.dirname(os.path.dirname(os.path.abspath(checkpoint)))
            workdir = parent if os.path.exists(os.path.join(parent, "config.json")) else None
    else:
        if workdir is None and model_name is None:
            raise UsageError("give --workdir DIR, --model NAME or --checkpoint FILE.keras")
        workdir = workdir or os.path.join("runs", model_name)
        found = cb.list_checkpoints(os.path.join(workdir, "checkpoints"))
        if not found:
            raise UsageError(f"no checkpoints in {os.path.join(workdir, 'checkpoints')}; train "
                             f"first (python -m ganzoo.run --model {model_name or 'NAME'} "
                             f"--workdir {workdir}) or pass --checkpoint FILE.keras")
        checkpoint = found[-1][1]
    config = {}
    if workdir is not None and os.path.exists(os.path.join(workdir, "config.json")):
        with open(os.path.join(workdir, "config.json")) as f:
            config = json.load(f)
    if model_name is not None and config.get("model") not in (None, model_name):
        raise UsageError(f"{workdir} holds a {config['model']} run, not {model_name}")
    return workdir, checkpoint, config


def load_generator(checkpoint):
    import keras

    try:
        return keras.saving.load_model(checkpoint, compile=False)
    except Exception as error:  # noqa: BLE001 - any unreadable file is the user's input
        raise UsageError(f"cannot load {checkpoint}: {type(error).__name__}: "
                         f"{str(error).splitlines()[0] if str(error) else ''}") from None


def format_table(results):
    rows = []
    for key, value in results.items():
        if isinstance(value, list):
            value = " ".join(f"{v:.2f}" for v in value)
        elif isinstance(value, float):
            value = f"{value:.4g}"
        rows.append(f"  {key:<30}{value}")
    return "\n".join(rows)


def evaluate(argv_flags):
    import numpy as np

    from ganzoo import data as data_lib
    from ganzoo import evaluation
    from ganzoo.metrics import features

    f = argv_flags
    if f.num_samples < 2:
        raise UsageError(f"--num_samples must be at least 2, got {f.num_samples}")
    model = None
    if f.preset is not None:
        if f.baseline or f.workdir or f.model or f.checkpoint:
            raise UsageError("--preset takes no --workdir, --model, --checkpoint or --baseline")
        from ganzoo import presets

        try:
            model = presets.load(f.preset)
        except presets.PresetError as error:
            raise UsageError(str(error)) from None
        workdir, checkpoint = None, f"preset {f.preset}"
        config = dict(model.preset_metadata.get("config") or {}, model=model.zoo_name)
    elif f.baseline:
        workdir, checkpoint, config = f.workdir, None, {}
    else:
        workdir, checkpoint, config = resolve_run(f.workdir, f.model, f.checkpoint)
    out = f.out or (os.path.join(workdir, "metrics.json") if workdir else None)
    if out is None and f.preset is None:
        raise UsageError("--baseline and a --checkpoint outside a workdir need --out FILE.json")
    name = config.get("model") or f.model
    if name is None and not f.baseline:
        model = load_generator(checkpoint)  # a bare checkpoint: its class says what it is
        paired = bool(getattr(model, "paired", False))
    else:
        paired = name in registry.list_models() and registry.get_model_class(name).paired
    dataset = f.dataset or config.get("dataset") or (
        registry.default_dataset("pix2pix") if paired else "mnist")
    if paired and f.baseline:
        raise UsageError("--baseline scores real images as samples; a paired model's floor is "
                         "in its metrics.json (reference: classifier_score_of_targets)")
    try:  # the Evaluator checks the dataset name, the split, the metrics and the extractor
        if paired:
            evaluator = evaluation.PairedEvaluator(
                dataset, f.split, f.extractor, f.num_samples, f.metrics, f.cache_dir,
                seed=f.seed, direction=(config.get("data") or {}).get("direction", "AtoB"),
                kid_subsets=f.kid_subsets, kid_subset_size=f.kid_subset_size)
        else:
            evaluator = evaluation.Evaluator(
                dataset, f.split, f.extractor, f.num_samples, f.metrics, f.cache_dir,
                kid_subsets=f.kid_subsets, kid_subset_size=f.kid_subset_size,
                is_splits=f.is_splits, seed=f.seed)
    except (ValueError, features.WeightsUnavailable) as error:
        raise UsageError(str(error)) from None
    num_samples = evaluator.num_samples  # a paired set has as many as its held-out pairs
    record = {"dataset": dataset, "num_samples": num_samples, "extractor": evaluator.extractor_id}
    if f.baseline:
        source = data_lib.load(dataset, "train", seed=f.seed)
        real, labels = evaluation.source_arrays(source, f.num_samples)
        print(f"{PROG}: {len(real)} real {dataset} training examples vs {f.num_samples} of its "
              f"{f.split} split ({evaluator.extractor_id})")
        results = evaluator.score(real, labels if source.has_labels else None)
        record.update(baseline=True, source_split="train", source_count=int(len(real)))
    else:
        model = model or load_generator(checkpoint)
        step = int(np.asarray(model.step)) if hasattr(model, "step") else None
        what = "translations of held-out pairs" if paired else "samples"
        print(f"{PROG}: {type(model).__name__} from {checkpoint} (step {step}), {num_samples} "
              f"{what} vs {dataset} {f.split} ({evaluator.extractor_id})")
        try:
            results = evaluator.score_model(model, seed=f.seed, use_ema=f.ema)
        except ValueError as error:
            raise UsageError(str(error)) from None
        record.update(checkpoint=checkpoint if f.preset else os.path.abspath(checkpoint), step=step,
                      model=config.get("model", type(model).__name__.lower()),
                      conditional=bool(getattr(model, "conditional", False)), ema=f.ema)
    record.update(evaluator.describe())
    record["results"] = results
    ref = evaluator.reference_info
    print(f"reference: {ref['count']} {ref['split']} examples "
          f"({'cached' if ref['cache_hit'] else 'computed and cached'} in {ref['cache']})")
    print(format_table(results))
    if out is not None:
        evaluation.write_json(out, record)
        print(f"{PROG}: wrote {out}")
    return record


def main(argv):
    if len(argv) > 1:
        fail(f"unexpected arguments: {' '.join(argv[1:])}")
    import ganzoo

    ganzoo.import_all()  # TensorFlow, once the flags have been read
    try:
        evaluate(FLAGS)
    except UsageError as error:
        fail(error)


def console_main():
    app.run(main, flags_parser=parse_flags)


if __name__ == "__main__":
    console_main()
