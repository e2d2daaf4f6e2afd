"""What a TPU rejects, checked without one: every entry's training step, traced with the
static batch shapes the pipelines give (``drop_remainder=True``), has a fully known shape on
every tensor and no host callback. XLA compiles the same steps on the CPU
(``test_precision.test_every_entry_trains_with_xla``); ``--strategy tpu`` without a TPU is a
one-line error (``test_cli``'s bad inputs)."""

import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from test_models import batches
from test_precision import _build

# ops a TPU cannot compile: Python callbacks, printing, strings, data-dependent shapes
REJECTED_OPS = {"PyFunc", "PyFuncStateless", "EagerPyFunc", "PrintV2", "Print", "Unique", "Where",
            "StringFormat"}


def tpu_problems(fn, specs):
    """[(op type, reason)] for every op of ``fn``'s graph (and the functions it calls, e.g.
    loop bodies) that a TPU would reject."""
    graph = fn.get_concrete_function(*specs).graph
    problems = [(op.type, "rejected op") for op in graph.get_operations() if op.type in REJECTED_OPS]
    problems += [(op.type, f"dynamic shape {out.shape}") for op in graph.get_operations()
                 for out in op.outputs if not out.shape.is_fully_defined()]
    for function in graph.as_graph_def().library.function:
        problems += [(node.op, "rejected op in " + function.signature.name)
                     for node in function.node_def if node.op in REJECTED_OPS]
    return problems


def test_the_check_finds_host_callbacks_and_dynamic_shapes():
    spec = [tf.TensorSpec((8, 4), tf.float32)]
    assert tpu_problems(tf.function(lambda x: x * 2), spec) == []
    callback = tpu_problems(tf.function(lambda x: tf.py_function(np.sin, [x], tf.float32)), spec)
    assert ("EagerPyFunc", "rejected op") in callback
    masked = tpu_problems(tf.function(lambda x: tf.boolean_mask(x, x[:, 0] > 0)), spec)
    assert any("dynamic shape" in reason for _, reason in masked)
    assert ("Where", "rejected op") in masked

    def looped(x):
        for _ in tf.range(2):
            tf.print(x)
        return x

    assert any(t == "PrintV2" for t, _ in tpu_problems(tf.function(looped), spec))


# SAGAN (spectral norm, attention) and pix2pix (paired) in the default suite, all of them slow
DEFAULT = ("sagan", "pix2pix")


@pytest.mark.parametrize("name", [pytest.param(n, marks=() if n in DEFAULT else pytest.mark.slow)
                                  for n in ganzoo.list_models()])
def test_every_training_step_has_static_shapes_and_no_host_ops(name):
    model = _build(name, "float32", {})
    example = next(iter(batches(model, steps=1)))
    specs = [tf.nest.map_structure(lambda t: tf.TensorSpec(t.shape, t.dtype), example)]
    assert tpu_problems(tf.function(model.train_step), specs) == []
