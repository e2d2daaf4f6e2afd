"""The command line of ``ganzoo.export`` (``ganzoo/serving.py``): a SavedModel for TF Serving.

    python -m ganzoo.export --preset dcgan_mnist --out serving
    python -m ganzoo.export --workdir runs/dcgan --out serving [--name NAME] [--version N]
    python -m ganzoo.export --checkpoint runs/dcgan/checkpoints/ckpt-00002000.keras --out serving

writes serving/NAME/VERSION/ (the version defaults to one past the newest there); the
signatures are described in ganzoo/serving.py and the README.
"""

import os

from absl import app, flags

import ganzoo
from ganzoo import _cli

ganzoo.import_all()  # its flags' help names the signatures: TensorFlow before they are defined

from ganzoo.serving import SAMPLE_SIGNATURE, export  # noqa: E402

PROG = "ganzoo.export"

# -- command line --------------------------------------------------------------------------------

FLAGS = flags.FLAGS
flags.DEFINE_string("preset", None, "a preset name, folder, archive or URL (see ganzoo.list_presets())")
flags.DEFINE_string("workdir", None, "a training run: its newest checkpoint")
flags.DEFINE_string("checkpoint", None, "a .keras checkpoint")
flags.DEFINE_string("out", None, "export folder: writes OUT/NAME/VERSION/")
flags.DEFINE_string("name", None, "model name in OUT (default: the preset's, else the entry's)")
flags.DEFINE_integer("version", None, "version folder (default: one past the newest in OUT/NAME)")
flags.DEFINE_boolean("ema", True, "export the EMA generator when the model keeps one")


class UsageError(Exception):
    pass


def fail(message):
    _cli.fail(PROG, message)


def parse_flags(argv):
    return _cli.parse_flags(PROG, argv)


def model_of(preset, workdir, checkpoint):
    from ganzoo import callbacks as cb
    from ganzoo import presets

    given = [f for f, v in (("--preset", preset), ("--workdir", workdir),
                            ("--checkpoint", checkpoint)) if v]
    if len(given) != 1:
        raise UsageError("give one of --preset NAME, --workdir DIR or --checkpoint FILE.keras"
                         + (f" (got {', '.join(given)})" if given else ""))
    if workdir:
        found = cb.list_checkpoints(os.path.join(workdir, "checkpoints"))
        if not found:
            raise UsageError(f"no checkpoints in {os.path.join(workdir, 'checkpoints')}")
        checkpoint = found[-1][1]
    if checkpoint and not (os.path.isfile(checkpoint) and checkpoint.endswith(".keras")):
        raise UsageError(f"--checkpoint {checkpoint} is not a .keras file")
    try:
        return presets.load(preset or checkpoint)
    except presets.PresetError as error:
        raise UsageError(str(error)) from None


def main(argv):
    if len(argv) > 1:
        fail(f"unexpected arguments: {' '.join(argv[1:])}")
    try:
        if not FLAGS.out:
            raise UsageError("--out DIR is required (the export lands in DIR/NAME/VERSION)")
        model = model_of(FLAGS.preset, FLAGS.workdir, FLAGS.checkpoint)
        try:
            path = export(model, FLAGS.out, FLAGS.name, FLAGS.version, FLAGS.ema)
        except (ValueError, OSError) as error:
            raise UsageError(str(error)) from None
    except UsageError as error:
        fail(error)
    kind = "paired" if model.paired else ("conditional" if model.conditional else "latent")
    print(f"{PROG}: wrote {path} ({type(model).__name__}, {kind}; signatures: "
          + ("serving_default" if model.paired else f"serving_default, {SAMPLE_SIGNATURE}") + ")")
    print(f"serve it: tensorflow_model_server --rest_api_port=8501 "
          f"--model_name={os.path.basename(os.path.dirname(path))} "
          f"--model_base_path={os.path.abspath(os.path.dirname(path))}")


def console_main():
    app.run(main, flags_parser=parse_flags)


if __name__ == "__main__":
    console_main()
