"""Test setup: two logical CPU devices (for MirroredStrategy tests), quiet TensorFlow logs."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402
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
