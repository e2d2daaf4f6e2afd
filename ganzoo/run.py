"""Train a zoo entry: ``python -m ganzoo.run --model dcgan``.

config (zoo config + overrides) -> data -> strategy -> model -> ``fit``, writing into the
workdir (default ``runs/<model>``): ``checkpoints/``, ``samples/step-N.png`` (the fixed latent
batch every ``log.sample_every`` steps), ``tb/`` (TensorBoard: losses, learning rates, samples),
``losses.csv``, ``loss_curve.png``, ``config.json`` (the resolved config), ``fixed_latents.npz``
(paired models: ``fixed_pairs.npz``, held-out pairs shown as source / translation / target rows),
``eval.json`` (every ``eval.every`` steps: FID/KID/IS/... or mode coverage, also in TensorBoard)
and the final ``samples.png``. Running the same command again resumes from the newest
checkpoint; ``--steps`` is the total.

Flags: ``--model --dataset --steps --batch_size --workdir --seed --strategy``, ``--config FILE``
(default ``zoo_configs/<model>_<dataset>.py``, else the model's default: ``<model>_mnist.py``,
``pix2pix_fashion_edges.py``) and
``--config.a.b=value`` for any field. A wrong name or value prints one line saying what is valid
and exits with status 2, before anything is written.
"""

import json
import math
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from absl import app, flags, logging  # noqa: E402

from ganzoo import registry  # noqa: E402

CONFIG_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "zoo_configs")
PROG = "ganzoo.run"

FLAGS = flags.FLAGS
flags.DEFINE_string("model", "dcgan", f"zoo entry: {', '.join(registry.list_models())}")
flags.DEFINE_string("dataset", None, "dataset name or path (default: the config's, mnist)")
flags.DEFINE_integer("steps", None, "total training steps (default: the config's)")
flags.DEFINE_integer("batch_size", None, "global batch size (default: the config's)")
flags.DEFINE_string("workdir", None, "output directory (default: runs/<model>)")
flags.DEFINE_integer("seed", None, "random seed (default: the config's, 0)")
flags.DEFINE_string("strategy", None, "default, mirrored, multi_worker or tpu")
flags.DEFINE_string("preset", None, "fine-tune a pretrained preset (a name from "
                    "ganzoo.list_presets(), or a preset folder or archive): its entry and "
                    "architecture, its weights at step 0, on --dataset (default: its own)")


class UsageError(ValueError):
    """Bad input from the user: reported as one line, exit status 2."""


class Diverged(RuntimeError):
    """Training produced a non-finite loss: reported as one line, exit status 1."""


def fail(message):
    print(f"{PROG}: error: {message}", file=sys.stderr)
    sys.exit(2)


def default_config_path(model, dataset):
    """zoo_configs/<model>_<dataset>.py if it exists, else the model's default config
    (zoo_configs/<model>_mnist.py; pix2pix: pix2pix_fashion_edges.py)."""
    if dataset:
        path = os.path.join(CONFIG_DIR, f"{model}_{dataset}.py")
        if os.path.exists(path):
            return path
    return os.path.join(CONFIG_DIR, f"{model}_{registry.default_dataset(model)}.py")


def _prescan(argv, name):
    """The value of --name in argv (before absl parses it), or None."""
    for i, arg in enumerate(argv):
        if arg == f"--{name}" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(f"--{name}="):
            return arg.split("=", 1)[1]
    return None


HELP_FLAGS = ("-h", "-?", "--help", "--helpshort", "--helpfull")
CONFIG_HELP = ("zoo config file (default: zoo_configs/<model>_<dataset>.py if it exists, else "
               "the model's default, zoo_configs/<model>_mnist.py or "
               "pix2pix_fashion_edges.py); --config.a.b=value overrides any field")


def print_help():
    """The command's description and flags, on stdout; exit status 0."""
    from ml_collections import config_flags

    if "config" not in FLAGS:
        config_flags.DEFINE_config_file("config", default=None, help_string=CONFIG_HELP)
    print(__doc__.strip())
    print()
    # absl heads the list with this file's path: say "flags:" instead
    lines = [("flags:" if line.strip().endswith(".py:") else line)
             for line in FLAGS.main_module_help().strip().splitlines()]
    print("\n".join(lines))
    sys.exit(0)


def _missing_field_message(error, overrides):
    """One clean line for an override naming a field the config does not have."""
    import re

    text = str(error.args[0] if error.args else error)
    names = re.findall(r"[\w.]+", text)
    field = names[0] if names else text
    suggestion = re.search(r'Did you mean "([\w.]+)"', text)
    culprit = [o for o in overrides if field in o.split("=", 1)[0]] or overrides
    message = f"bad --config override {' '.join(culprit)}: the config has no field {field!r}"
    if suggestion:
        message += f"; did you mean {suggestion.group(1)!r}?"
    return message


_PRESET = {}
# model config fields that are not architecture arguments of a zoo config
PRESET_DATA_FIELDS = ("name", "trainable", "image_shape", "num_classes", "seed", "source_channels")


def _preset_model(preset, model, dataset):
    """(entry, dataset) of a --preset run; keeps the preset's architecture for resolve_config."""
    import ganzoo

    ganzoo.import_all()  # a preset's files are read with Keras
    from ganzoo import presets

    try:
        entry, arch, metadata = presets.preset_spec(preset)
    except presets.PresetError as error:
        fail(f"--preset: {error}")
    if model is not None and model != entry:
        fail(f"--preset {preset} is a {entry}; leave out --model {model}")
    _PRESET.update(entry=entry, arch=arch)
    if dataset is None:
        dataset = ((metadata.get("config") or {}).get("dataset")
                   or registry.default_dataset(entry))
    _PRESET["dataset"] = dataset
    return entry, dataset


def parse_flags(argv):
    """absl flag parsing that reports errors in one line with exit status 2."""
    from ml_collections import config_flags

    if any(arg in HELP_FLAGS for arg in argv[1:]):
        print_help()
    model = _prescan(argv, "model") or FLAGS["model"].default
    try:
        registry.check_model_name(model)
    except ValueError as error:
        fail(error)
    dataset = _prescan(argv, "dataset")
    preset = _prescan(argv, "preset")
    if preset is not None:
        model, dataset = _preset_model(preset, _prescan(argv, "model"), dataset)
    config_file = _prescan(argv, "config")
    if config_file is None:
        config_file = default_config_path(model, dataset)
    if not os.path.exists(config_file.split(":")[0]):
        fail(f"config file {config_file} does not exist")
    overrides = [a for a in argv[1:] if a.startswith("--config.")]
    try:
        if "config" not in FLAGS:
            # reads the overrides from argv here, and applies them on first access
            config_flags.DEFINE_config_file("config", default=config_file,
                                            help_string=CONFIG_HELP, lock_config=True)
        remaining = FLAGS(argv)
        FLAGS.config  # noqa: B018 - overrides are applied (and fail) on first access
    except flags.Error as error:
        fail(str(error).replace("\n", " "))
    except (AttributeError, KeyError) as error:
        fail(_missing_field_message(error, overrides))
    except Exception as error:  # noqa: BLE001 - config files and overrides raise many kinds
        fail(f"bad --config or override: {type(error).__name__}: {str(error).splitlines()[0]}")
    if not FLAGS["verbosity"].present:
        # libraries (TFDS) log INFO lines through absl; keep the console to ganzoo's own output
        logging.set_verbosity(logging.WARNING)
    return remaining


def resolve_config():
    """The zoo config with the short flags applied (they win over --config.* values)."""
    config = FLAGS.config
    with config.unlocked():
        config.model = _PRESET.get("entry", FLAGS.model)
        if FLAGS.dataset is not None:
            config.dataset = FLAGS.dataset
        if FLAGS.preset is not None:
            # the preset's architecture, whatever the zoo config says
            config.preset = FLAGS.preset
            config.dataset = _PRESET["dataset"]
            for key, value in _PRESET["arch"].items():
                if key in PRESET_DATA_FIELDS:
                    continue  # from the data: shapes and classes must fit the preset's
                old = config.arch.get(key)
                config.arch[key] = type(old)(value) if isinstance(old, (tuple, list)) else value
            if "num_classes" in _PRESET["arch"]:
                config.conditional = _PRESET["arch"]["num_classes"] > 0
            if "seed" in _PRESET["arch"] and FLAGS.seed is None:
                config.seed = _PRESET["arch"]["seed"]
        if FLAGS.steps is not None:
            config.train.steps = FLAGS.steps
        if FLAGS.batch_size is not None:
            config.train.batch_size = FLAGS.batch_size
        if FLAGS.workdir is not None:
            config.workdir = FLAGS.workdir
        if FLAGS.seed is not None:
            config.seed = FLAGS.seed
        if FLAGS.strategy is not None:
            config.strategy = FLAGS.strategy
        if not config.workdir:
            config.workdir = os.path.join("runs", config.model)
    return config


def _positive(name, value):
    if not isinstance(value, int) or value <= 0:
        raise UsageError(f"{name} must be a positive integer, got {value!r}")


def parse_image_size(text):
    if not text:
        return None
    try:
        size = tuple(int(v) for v in str(text).replace("x", ",").split(","))
    except ValueError:
        size = ()
    if len(size) != 2 or min(size) <= 0:
        raise UsageError(f"data.image_size must be 'H,W' with positive H and W, got {text!r}")
    return size


OPTIMIZERS = ("adam", "sgd")
PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16")  # Keras dtype policies
SCHEDULES = ("constant", "exponential", "linear")


def precision(config):
    """The Keras dtype policy of a config (configs older than the switch: float32)."""
    return config.train.get("mixed_precision", "float32")


def validate(config):
    """Every check that needs no data and no TensorFlow device; UsageError on the first fault."""
    from ganzoo import data as data_lib
    from ganzoo import distribute, losses

    registry.check_model_name(config.model)
    distribute.check_strategy_name(config.strategy)
    train = config.train
    _positive("--steps (train.steps)", train.steps)
    _positive("--batch_size (train.batch_size)", train.batch_size)
    _positive("train.d_steps", train.d_steps)
    if not isinstance(config.seed, int) or not 0 <= config.seed < 2 ** 31:
        raise UsageError(f"--seed must be an integer in [0, 2^31), got {config.seed!r}")
    for key in ("log_every", "sample_every", "checkpoint_every", "keep_checkpoints", "num_samples"):
        _positive(f"log.{key}", config.log[key])
    losses.check_loss(train.loss, train.label_smoothing)
    if train.optimizer not in OPTIMIZERS:
        raise UsageError(f"unknown optimizer {train.optimizer!r}; valid optimizers: {', '.join(OPTIMIZERS)}")
    for key in ("lr_g", "lr_d"):
        if not train[key] > 0:
            raise UsageError(f"train.{key} must be > 0, got {train[key]}")
    if not train.get("r1_gamma", 0.0) >= 0:
        raise UsageError(f"train.r1_gamma must be >= 0 (0: no R1 penalty), got {train.r1_gamma}")
    if train.lr_schedule not in SCHEDULES:
        raise UsageError(f"unknown train.lr_schedule {train.lr_schedule!r}; valid schedules: "
                         f"{', '.join(SCHEDULES)}")
    if not 0 < train.lr_decay <= 1:
        raise UsageError(f"train.lr_decay must be in (0, 1], got {train.lr_decay}")
    if train.lr_decay != 1.0 and train.lr_schedule != "exponential":
        raise UsageError("train.lr_decay applies to --config.train.lr_schedule=exponential, "
                         f"not {train.lr_schedule}")
    if precision(config) not in PRECISIONS:
        raise UsageError(f"unknown train.mixed_precision {precision(config)!r}; valid policies: "
                         f"{', '.join(PRECISIONS)}")
    if not isinstance(train.lr_decay_start, int) or not 0 <= train.lr_decay_start < train.steps:
        raise UsageError(f"train.lr_decay_start must be an integer in [0, train.steps), got "
                         f"{train.lr_decay_start!r}")
    if config.data.split not in data_lib.SPLITS:
        raise UsageError(f"unknown split {config.data.split!r}; valid splits: {', '.join(data_lib.SPLITS)}")
    parse_image_size(config.data.image_size)
    if config.data.get("cache", "auto") not in data_lib.CACHE_MODES:
        raise UsageError(f"unknown data.cache {config.data.cache!r}; valid: "
                         f"{', '.join(data_lib.CACHE_MODES)}")
    if config.log.verbose not in (0, 1, 2):
        raise UsageError(f"log.verbose must be 0, 1 or 2, got {config.log.verbose!r}")
    if is_paired(config):
        if config.data.get("direction") not in data_lib.DIRECTIONS:
            raise UsageError(f"unknown data.direction {config.data.get('direction')!r}; valid "
                             f"directions: {', '.join(data_lib.DIRECTIONS)}")
        data_lib.check_paired_name(config.dataset)
    else:
        data_lib.check_name(config.dataset)
    if not isinstance(config.eval.every, int) or config.eval.every < 0:
        raise UsageError(f"eval.every must be an integer >= 0, got {config.eval.every!r}")
    if config.eval.every:
        _positive("eval.num_samples", config.eval.num_samples)
        if config.eval.split not in data_lib.SPLITS:
            raise UsageError(f"unknown eval.split {config.eval.split!r}; valid splits: "
                             f"{', '.join(data_lib.SPLITS)}")


def is_paired(config):
    """Whether the config's model translates paired images (pix2pix)."""
    return registry.get_model_class(config.model).paired


def warn(message):
    print(f"{PROG}: warning: {message}", file=sys.stderr)


def make_evaluator(config):
    """The periodic evaluator of a config (None when eval.every is 0). A wrong metric,
    extractor or split is a UsageError; an extractor whose weights are not on this machine
    turns periodic evaluation off with one warning line: a run on the user's own data trains
    whatever the evaluation needs."""
    if not config.eval.every:
        return None
    from ganzoo import evaluation
    from ganzoo.metrics.features import WeightsUnavailable

    try:
        if is_paired(config):
            return evaluation.PairedEvaluator(
                config.dataset, config.eval.split, config.eval.extractor, config.eval.num_samples,
                config.eval.metrics, config.eval.cache_dir or None, seed=config.seed,
                direction=config.data.direction)
        return evaluation.Evaluator(config.dataset, config.eval.split, config.eval.extractor,
                                    config.eval.num_samples, config.eval.metrics,
                                    config.eval.cache_dir or None, seed=config.seed)
    except ValueError as error:
        raise UsageError(f"eval: {error} (or turn periodic evaluation off: --config.eval.every=0)") from None
    except WeightsUnavailable as error:
        reason = str(error).splitlines()[0]
        warn(f"periodic evaluation is off for this run: {reason} (then it runs every "
             f"{config.eval.every} steps; --config.eval.every=0 silences this line)")
        return None


def make_optimizer(train, lr):
    """The optimizer of one network; a schedule counts training steps (GANModel.compile makes
    D's advance once per d_steps updates)."""
    import keras

    from ganzoo.schedules import LinearDecay

    if train.lr_schedule == "exponential":
        lr = keras.optimizers.schedules.ExponentialDecay(lr, decay_steps=1, decay_rate=train.lr_decay)
    elif train.lr_schedule == "linear":
        lr = LinearDecay(lr, decay_steps=train.steps - train.lr_decay_start,
                         start_step=train.lr_decay_start)
    if train.optimizer == "sgd":
        optimizer = keras.optimizers.SGD(learning_rate=lr, momentum=train.momentum)
    else:
        optimizer = keras.optimizers.Adam(learning_rate=lr, beta_1=train.beta1, beta_2=train.beta2)
    if train.get("mixed_precision") == "mixed_float16":
        # dynamic loss scaling: float16 gradients underflow without it (a step whose scaled
        # gradients overflow is skipped and the scale halved)
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


def conditional_models():
    classes = {name: registry.get_model_class(name) for name in registry.list_models()}
    return [name for name, cls in classes.items()
            if cls.conditioning != "none" and not getattr(cls, "semi_supervised", False)]


def build_model(config, source):
    """The zoo model for a config and a data source (shape and classes come from the data)."""
    import ganzoo

    cls = registry.get_model_class(config.model)
    arch = config.arch.to_dict()
    num_classes = 0
    if cls.paired:
        shape = dict(image_shape=source.target_shape, source_channels=source.source_shape[-1])
    else:
        shape = dict(image_shape=source.element_shape)
    if cls.conditioning == "required" or config.conditional:
        if cls.conditioning == "none":
            raise UsageError(f"{config.model} is unconditional; conditional models: "
                             f"{', '.join(conditional_models())}")
        if not source.num_classes:
            raise UsageError(f"{config.model} needs class labels and dataset {config.dataset} "
                             "has none")
        num_classes = source.num_classes
    try:
        if num_classes:
            arch["num_classes"] = num_classes
        model = ganzoo.build(config.model, seed=config.seed, **shape, **arch)
    except (TypeError, ValueError) as error:
        raise UsageError(f"cannot build {config.model} on {config.dataset}: {error}") from None
    try:
        compile_for_training(model, config.train, jit_compile=config.train.jit_compile)
    except ValueError as error:
        raise UsageError(f"cannot train {config.model}: {error}") from None
    return model


def compile_for_training(model, train, jit_compile=False):
    """``model.compile`` with a config's ``train`` section (optimizers, loss, D steps, label
    smoothing, R1 weight; ``r1_gamma`` absent from configs saved before it: 0)."""
    model.compile(g_optimizer=make_optimizer(train, train.lr_g),
                  d_optimizer=make_optimizer(train, train.lr_d), loss=train.loss,
                  d_steps=train.d_steps, label_smoothing=train.label_smoothing,
                  r1_gamma=train.get("r1_gamma", 0.0), jit_compile=jit_compile)


def architecture_fields(config):
    """What must match for a workdir's checkpoints to load into this run's model."""
    fields = {"model": config.model, "dataset": config.dataset, "arch": config.arch.to_dict(),
              "seed": config.seed, "conditional": config.conditional}
    if "direction" in config.data:
        fields["direction"] = config.data.direction
    return fields


def check_workdir(config):
    """UsageError if the workdir holds a run this config cannot resume."""
    path = os.path.join(config.workdir, "config.json")
    if not os.path.exists(path):
        return
    with open(path) as f:
        stored = json.load(f)
    new = json.loads(json.dumps(architecture_fields(config)))
    old = {k: (stored.get("data") or {}).get(k) if k == "direction" else stored.get(k)
           for k in new}
    if isinstance(old.get("arch"), dict):
        # an argument the zoo gained after the run was made: the run had its default
        from ganzoo.presets import constructor_defaults

        defaults = json.loads(json.dumps(
            constructor_defaults(registry.get_model_class(config.model)), default=list))
        old["arch"] = {**{k: defaults[k] for k in new["arch"]
                          if k not in old["arch"] and k in defaults}, **old["arch"]}
    if old != new:
        changed = sorted(k for k in new if old.get(k) != new[k])
        raise UsageError(
            f"workdir {config.workdir} holds a run with a different {', '.join(changed)}; "
            "resume it with the same settings or pass a new --workdir"
        )


def fixed_latents(model, path, config):
    """The fixed latent batch (and labels) of the sample grids: made once, kept in the workdir."""
    import numpy as np

    from ganzoo.images import atomic_savez

    if os.path.exists(path):
        with np.load(path) as stored:
            return stored["latents"], (stored["labels"] if "labels" in stored.files else None)
    n = 2000 if len(model.image_shape) == 1 else config.log.num_samples
    latents = model.sample_latents(n, seed=config.seed + 1)
    labels = None
    if model.conditional:
        per_row = max(1, n // model.num_classes)
        labels = np.repeat(np.arange(model.num_classes), per_row)[:n]
        latents = latents[: len(labels)]
    arrays = {"latents": latents} if labels is None else {"latents": latents, "labels": labels}
    atomic_savez(path, **arrays)
    return latents, labels


def fixed_pairs(model, path, config):
    """The held-out pairs of the sample grids: the first ``log.num_samples`` pairs of the test
    split (float32 in [-1, 1]), kept in the workdir."""
    import numpy as np

    from ganzoo import data as data_lib
    from ganzoo.evaluation import paired_arrays
    from ganzoo.images import atomic_savez

    if os.path.exists(path):
        with np.load(path) as stored:
            return stored["sources"], stored["targets"]
    held_out = data_lib.load_paired(config.dataset, "test", config.data.direction)
    sources, targets = paired_arrays(held_out, config.log.num_samples)
    atomic_savez(path, sources=sources, targets=targets)
    return sources, targets


def load_source(config):
    """The training data of a config: a DataSource, or a PairedSource for paired models."""
    from ganzoo import data as data_lib

    if is_paired(config):
        return data_lib.load_paired(config.dataset, config.data.split, config.data.direction)
    return data_lib.load(config.dataset, config.data.split, tfds_dir=config.data.tfds_dir or None,
                         image_size=parse_image_size(config.data.image_size),
                         toy_size=config.data.toy_size, seed=config.seed)


def setup(config):
    """Everything before training that can fail on bad input: validation, data, strategy, model,
    workdir check. Writes nothing. Raises UsageError."""
    from ganzoo import distribute

    try:
        validate(config)
        # first: multi-worker collectives must be configured before TensorFlow runs any op
        strategy = distribute.get_strategy(config.strategy)
        source = load_source(config)
        replicas = strategy.num_replicas_in_sync
        if config.train.batch_size % replicas:
            raise UsageError(f"--batch_size {config.train.batch_size} must be divisible by the "
                             f"{replicas} replicas of --strategy {config.strategy}")
        check_workdir(config)
        import keras

        # the policy of every layer built from here on: networks compute in bfloat16 or float16,
        # their variables stay float32 (the models cast logits and losses to float32)
        keras.mixed_precision.set_global_policy(precision(config))
        with strategy.scope():
            model = build_model(config, source)
        if hasattr(model, "initialize_from_data"):  # data-dependent init (resuming overrides it)
            from ganzoo.evaluation import source_arrays

            model.initialize_from_data(source_arrays(source, 500)[0])
        if config.get("preset"):
            from ganzoo import presets

            try:  # checks the shapes and classes before anything is written
                presets.load_into(model, config.preset)
            except presets.PresetError as error:
                raise UsageError(f"--preset: {error}") from None
        evaluator = make_evaluator(config)
    except ValueError as error:
        raise UsageError(str(error)) from None
    return source, strategy, model, evaluator


def train(config):
    """Runs (or resumes) the training a resolved config describes. Returns the model."""
    import tensorflow as tf

    from ganzoo import callbacks as cb
    from ganzoo import data as data_lib
    from ganzoo import distribute
    from ganzoo.images import atomic_write_text

    source, strategy, model, evaluator = setup(config)
    # a 2-D mixture's modes and their std, drawn under its scatter plots (None for images)
    mixture = {"modes": getattr(source, "modes", None),
               "mode_std": getattr(source, "mode_std", None)}
    chief = distribute.is_chief(strategy)
    workdir = config.workdir
    ckpt_dir = os.path.join(workdir, "checkpoints")
    start = (cb.restore_latest(model, ckpt_dir) if os.path.isdir(ckpt_dir) else None) or 0
    total = config.train.steps
    if chief:
        try:
            os.makedirs(workdir, exist_ok=True)
        except OSError as error:
            raise UsageError(f"cannot create --workdir {workdir}: {error.strerror}") from None
        if not os.access(workdir, os.W_OK):
            raise UsageError(f"--workdir {workdir} is not writable")
        if start == 0 and cb.has_run_outputs(workdir):
            print(f"{PROG}: no checkpoint in {ckpt_dir}: training starts at step 0 (the "
                  "earlier run's logs, samples and TensorBoard events are removed)")
        cb.discard_after(workdir, start)  # one coherent history: nothing past the checkpoint
        atomic_write_text(os.path.join(workdir, "config.json"),
                          config.to_json_best_effort(indent=2, sort_keys=True), ".json")
    shape = (f"{source.source_shape} -> {source.target_shape}" if model.paired
             else f"{source.element_shape}")
    print(f"{PROG}: {config.model} on {config.dataset} ({source.size or '?'} examples, "
          f"shape {shape}), {strategy.num_replicas_in_sync} replica(s), "
          + (f"{precision(config)}, " if precision(config) != "float32" else "")
          + f"workdir {workdir}: "
          + (f"resuming at step {start} of {total}" if start else f"training {total} steps"))

    csv_path = os.path.join(workdir, "losses.csv")
    verbose = config.log.verbose
    # a progress bar redraws itself hundreds of times a second: in a log file, one line per
    # log interval instead
    lines = verbose == 1 and not sys.stdout.isatty()
    history = cb.LossHistory(config.log.log_every, rows=cb.LossHistory.read_csv(csv_path, start),
                             echo_total=total if lines else None)
    callbacks = [cb.StopAtStep(total), history]
    latents = labels = checkpoint = None
    if chief:
        if model.paired:  # the grids show held-out sources, translations and targets
            latents, labels = fixed_pairs(model, os.path.join(workdir, "fixed_pairs.npz"), config)
        else:
            latents, labels = fixed_latents(model, os.path.join(workdir, "fixed_latents.npz"),
                                            config)
        writer = tf.summary.create_file_writer(os.path.join(workdir, "tb"))
        history.writer = writer

        def after_save(step):
            history.write_csv(csv_path)
            history.plot(os.path.join(workdir, "loss_curve.png"))

        checkpoint = cb.Checkpoint(ckpt_dir, config.log.keep_checkpoints, on_save=after_save)
        callbacks += [
            cb.SampleGrid(latents, os.path.join(workdir, "samples"), config.log.sample_every,
                          labels=labels, writer=writer, **mixture),
            checkpoint,
        ]
        if evaluator is not None:
            eval_path = os.path.join(workdir, "eval.json")
            callbacks.append(cb.PeriodicEvaluation(
                evaluator, config.eval.every, writer=writer, path=eval_path, seed=config.seed + 2,
                rows=cb.PeriodicEvaluation.read(eval_path, start)))

    if start < total:
        # k minibatches per step; the data order is a function of the seed, and a resumed run
        # starts the stream where the uninterrupted run would be
        if getattr(model, "semi_supervised", False):
            dataset = data_lib.semi_supervised_pipeline(
                source, config.train.batch_size, config.data.get("num_labels", 0),
                label_seed=config.data.get("label_seed", 0), seed=config.seed, start_batch=start)
        else:
            make = data_lib.paired_pipeline if model.paired else data_lib.pipeline
            dataset = make(source, config.train.batch_size, d_steps=config.train.d_steps,
                           seed=config.seed, start_batch=start,
                           cache=config.data.get("cache", "auto"))
        chunk = min(config.log.checkpoint_every, total)
        initial_epoch = start // chunk
        epochs = initial_epoch + math.ceil((total - start) / chunk)
        model.fit(dataset, epochs=epochs, initial_epoch=initial_epoch, steps_per_epoch=chunk,
                  callbacks=callbacks, verbose=0 if lines else verbose, shuffle=False)
    if checkpoint is not None and checkpoint.diverged_at is not None:
        raise Diverged(f"training diverged: non-finite loss at step {checkpoint.diverged_at}; "
                       f"the newest checkpoint in {ckpt_dir} is the last sound state; lower "
                       "the learning rates (--config.train.lr_g/lr_d) or change the loss")
    if chief:
        step = cb.model_step(model)
        cb.render_samples(model, latents, labels, os.path.join(workdir, "samples.png"),
                          title=f"{config.model}, step {step}", **mixture)
        history.write_csv(csv_path)
        history.plot(os.path.join(workdir, "loss_curve.png"))
        print(f"{PROG}: done at step {step}; samples in {os.path.join(workdir, 'samples.png')}")
    return model


def main(argv):
    if len(argv) > 1:
        fail(f"unexpected arguments: {' '.join(argv[1:])}")
    config = resolve_config()
    import ganzoo

    ganzoo.import_all()  # TensorFlow, once the flags and the config have been read
    try:
        train(config)
    except UsageError as error:
        fail(error)
    except Diverged as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        sys.exit(1)


def console_main():
    app.run(main, flags_parser=parse_flags)


if __name__ == "__main__":
    console_main()
