"""Test setup: two logical CPU devices (for MirroredStrategy tests), quiet TensorFlow logs."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# reference statistics the tests compute go to a throw-away cache, not the user's ~/.cache
_CACHE = tempfile.mkdtemp(prefix="ganzoo-test-cache-")
os.environ["GANZOO_CACHE"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)
# converted fid_inception weights of this machine (tests that compare against them read them
# here); every other test sees an empty $GANZOO_HOME, as on a fresh install
USER_FID_DIR = os.path.join(os.path.expanduser(os.environ.get("GANZOO_HOME") or "~/.cache/ganzoo"),
                            "fid_inception")
os.environ["GANZOO_HOME"] = os.path.join(_CACHE, "home")

import pytest  # noqa: E402

from ganzoo._quiet_tf import import_tensorflow  # noqa: E402

import_tensorflow()  # without its C++ start-up lines (each pytest-xdist worker would print them)
import tensorflow as tf  # noqa: E402

_cpus = tf.config.list_physical_devices("CPU")
tf.config.set_logical_device_configuration(
    _cpus[0], [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()]
)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_MNIST = os.path.join(REPO, "..", "shared", "data", "mnist")


@pytest.fixture
def two_cpus():
    return [d.name for d in tf.config.list_logical_devices("CPU")][:2]


_MIRRORED = []


@pytest.fixture
def mirrored(two_cpus):
    """One MirroredStrategy over two logical CPUs for the whole session: TensorFlow numbers
    collective ops per process, and a second strategy object would reuse the first's keys."""
    if not _MIRRORED:
        _MIRRORED.append(tf.distribute.MirroredStrategy(two_cpus))
    return _MIRRORED[0]


def tiny_args(name, **extra):
    """Constructor arguments of a small instance of a zoo entry (its ``tiny_args``; 3 classes
    for an entry that is always conditional)."""
    from ganzoo.registry import get_model_class

    cls = get_model_class(name)
    args = dict(cls.tiny_args)
    if cls.conditioning == "required":
        args.setdefault("num_classes", 3)
    args.update(extra)
    return args


def tiny(name, **extra):
    """A small instance of a zoo entry (see ``tiny_args``)."""
    import ganzoo

    return ganzoo.build(name, **tiny_args(name, **extra))


def fixed_sources(model, n, seed=123):
    """n source images for a paired model, float32 in [-1, 1]."""
    import numpy as np

    return np.random.default_rng(seed).uniform(-1, 1, (n,) + model.source_shape).astype(np.float32)


def draw(model, n, seed=0, use_ema=True, labels=None):
    """n outputs of a zoo model: ``generate`` for latent models, ``translate`` of n fixed
    sources for paired ones (pix2pix), whose noise is its dropout masks."""
    if model.paired:
        return model.translate(fixed_sources(model, n), seed=seed, use_ema=use_ema)
    return model.generate(n, seed=seed, use_ema=use_ema, labels=labels)
