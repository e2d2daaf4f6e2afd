"""What the JAX twins (``ssgan_authors_twin_jax.py``, ``mode_collapse_twin_jax.py``) share: they
run where TensorFlow is absent (the lent GPU machine), so they load ganzoo's NumPy-only modules
from their files instead of importing the package, import JAX with a one-line error when it is
missing, echo their CSV lines to a file and draw with matplotlib's file backend."""

import importlib.util
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ganzoo_module(*parts):
    """A NumPy-only module of ganzoo (e.g. ``"data", "idx.py"``) loaded from its file: importing
    the ``ganzoo`` package would import TensorFlow."""
    path = os.path.join(ROOT, "ganzoo", *parts)
    spec = importlib.util.spec_from_file_location("ganzoo_" + parts[-1][:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def import_jax(tool, precision):
    """(jax, jax.numpy) with float32 matrix products at ``precision``; SystemExit naming the
    install when JAX is missing."""
    try:
        import jax
    except ImportError:
        raise SystemExit(f"{tool}: needs JAX (pip install jax; jax[cuda12] or jax[cuda13] for a "
                         "GPU)") from None
    jax.config.update("jax_default_matmul_precision", precision)
    import jax.numpy as jnp

    return jax, jnp


class Echo:
    """Prints lines at once and, given a path, also writes them there (flushed a line at a time,
    so a run cut short keeps what it printed); ``close`` when done."""

    def __init__(self, path=None):
        self.file = open(path, "w") if path else None

    def __call__(self, line):
        print(line, flush=True)
        if self.file:
            self.file.write(line + "\n")
            self.file.flush()

    def close(self):
        if self.file:
            self.file.close()
            self.file = None


def add_run_arguments(parser, precision_help, time_limit_help):
    """The arguments every twin takes: --precision, --time_limit, --csv, --from_csv, --plot."""
    parser.add_argument("--precision", default="highest", choices=("default", "high", "highest"),
                        help=precision_help)
    parser.add_argument("--time_limit", type=float, default=0.0, help=time_limit_help)
    parser.add_argument("--csv", default=None, help="also write the CSV lines to this file")
    parser.add_argument("--from_csv", default=None,
                        help="train nothing: summarise (and --plot) the CSV of an earlier run")


def parse_packs(parser, text, largest):
    """Sorted packs from "1,2,...", each 1 to ``largest``; a parser error otherwise."""
    try:
        packs = sorted({int(p) for p in text.split(",") if p})
    except ValueError:
        packs = []
    if not packs or packs[0] < 1 or packs[-1] > largest:
        parser.error(f"--packs: give comma-separated packs of 1 to {largest}, got {text!r}")
    return packs


def read_curves(path, key, values):
    """{key(row): {step: values(row)}} of the rows of a CSV a twin wrote; SystemExit when the
    file is missing or has no rows."""
    import csv

    if not os.path.isfile(path):
        raise SystemExit(f"--from_csv: no file {path}")
    curves = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            curves.setdefault(key(row), {})[int(row["step"])] = values(row)
    if not curves:
        raise SystemExit(f"{path}: no rows")
    return curves


def pyplot():
    """matplotlib.pyplot on the Agg (file) backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save(fig, path):
    plt = pyplot()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
