"""Latent-space pictures of a trained model (Radford et al. 2015, Sections 6.1 and 6.3).

    python tools/latent.py pool        --workdir runs/dcgan --out pool.png          # latents 0..63
    python tools/latent.py interpolate --workdir runs/dcgan --out walk.png [--method slerp]
    python tools/latent.py arithmetic  --workdir runs/dcgan --a 3,17,40 --b 5,9,22 --c 1,30,61 \\
                                       --out sum.png
    python tools/latent.py classes     --workdir runs/acgan --out classes.png       # conditional

The model is the newest checkpoint of ``--workdir`` (or ``--checkpoint FILE.keras``). ``pool``
draws the latents that ``arithmetic`` indexes (same ``--seed`` and ``--pool``), labelled in
row-major order, so one picks exemplars of a concept from it. Bad input: one line on stderr,
exit status 2.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import ganzoo  # noqa: E402  (first: it imports TensorFlow with its start-up logs quietened)
import numpy as np  # noqa: E402
from ganzoo import callbacks, latent  # noqa: E402


def fail(message):
    print(f"latent.py: error: {message}", file=sys.stderr)
    sys.exit(2)


def indices(text):
    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None


def load(args):
    import keras

    path = args.checkpoint
    if not path:
        if not args.workdir:
            fail("give --workdir DIR or --checkpoint FILE.keras")
        found = callbacks.list_checkpoints(os.path.join(args.workdir, "checkpoints"))
        if not found:
            fail(f"no checkpoints in {os.path.join(args.workdir, 'checkpoints')}")
        path = found[-1][1]
    if not os.path.isfile(path):
        fail(f"no such checkpoint: {path}")
    return keras.saving.load_model(path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["pool", "interpolate", "arithmetic", "classes"])
    parser.add_argument("--workdir", default="")
    parser.add_argument("--checkpoint", default="")
    parser.add_argument("--out", required=True, help="PNG to write")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pool", type=int, default=64, help="latents in the pool")
    parser.add_argument("--method", choices=latent.METHODS, default="slerp")
    parser.add_argument("--rows", type=int, default=6)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--a", type=indices, default=None)
    parser.add_argument("--b", type=indices, default=None)
    parser.add_argument("--c", type=indices, default=None)
    parser.add_argument("--label", type=int, default=None, help="class of a conditional model")
    parser.add_argument("--per_class", type=int, default=8)
    args = parser.parse_args(argv)
    if not args.out.lower().endswith(".png"):
        fail(f"--out must name a .png file, got {args.out}")
    if args.rows < 1 or args.steps < 2 or args.pool < 1 or args.per_class < 1:
        fail("--rows, --pool and --per_class must be >= 1 and --steps >= 2")
    if args.mode == "arithmetic" and not (args.a and args.b and args.c):
        fail("arithmetic needs --a, --b and --c (indices into the pool; see the pool mode)")
    model = load(args)
    if len(model.image_shape) != 3:
        fail(f"latent pictures need an image model; this one makes {model.image_shape} points")
    if args.label is not None and not 0 <= args.label < max(model.num_classes, 1):
        fail(f"--label must be in [0, {model.num_classes}) for this model")
    if args.mode == "classes" and not model.conditional:
        fail("classes needs a conditional model (acgan, or sngan/sagan built with classes)")
    try:
        if args.mode == "pool":
            labels = None if not model.conditional else [args.label or 0] * args.pool
            images = model.generate_from_latents(model.sample_latents(args.pool, args.seed), labels)
            nrow = None
        elif args.mode == "interpolate":
            labels = None if args.label is None else [args.label] * args.rows
            images = latent.interpolation_grid(model, args.rows, args.steps, args.seed, args.method,
                                               labels)
            nrow = args.steps
        elif args.mode == "arithmetic":
            images, nrow = latent.arithmetic_grid(model, args.a, args.b, args.c, args.seed,
                                                  args.pool, label=args.label)
        else:
            z = model.sample_latents(args.per_class, args.seed)
            z = np.tile(z, (model.num_classes, 1))  # the same latents in every row
            labels = np.repeat(np.arange(model.num_classes), args.per_class)
            images, nrow = model.generate_from_latents(z, labels), args.per_class
    except ValueError as error:
        fail(str(error))
    ganzoo.save_image_grid(images, args.out, nrow=nrow)
    print(f"latent.py: wrote {args.out}")


if __name__ == "__main__":
    main()
