"""Imports TensorFlow without its C++ start-up chatter.

TensorFlow 2.21 writes INFO lines (oneDNN notice, "Could not find cuda drivers", "failed call to
cuInit" on machines without a GPU) to the process's stderr before its logging is initialised,
whatever TF_CPP_MIN_LOG_LEVEL says. They bury ganzoo's one-line error messages, so stderr (file
descriptor 2) is pointed at /dev/null while TensorFlow loads and discovers devices. Python
exceptions are unaffected. Set GANZOO_TF_LOGS=1 to see those lines.
"""

import os
import sys


def import_tensorflow():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" in sys.modules or os.environ.get("GANZOO_TF_LOGS") == "1":
        import tensorflow  # noqa: F401

        return
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow as tf

        tf.config.list_physical_devices()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
