"""The PyTorch twin that tools/benchmark.py --torch times against must hold the same layers as
ganzoo's DCGAN-MNIST default: same weight shapes layer by layer and the same activations' shapes.
Skipped where PyTorch is not installed (CI); the benchmark itself refuses a twin whose parameter
counts differ."""

import os
import sys

import numpy as np
import pytest

torch = pytest.importorskip(
    "torch", reason="the PyTorch twin needs PyTorch, an optional extra: pip install -e '.[fid]'")

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))

import ganzoo  # noqa: E402
from torch_twin import Twin, networks  # noqa: E402


def keras_shapes(net):
    """Weight shapes in PyTorch's layout (dense: out x in; conv: out x in x h x w; transposed
    conv: in x out x h x w), trainable weights only, in layer order."""
    shapes = []
    for layer in net.layers:
        for w in layer.trainable_weights:
            s = tuple(w.shape)
            if len(s) == 2:
                s = (s[1], s[0])
            elif len(s) == 4 and "transpose" in layer.name:
                s = (s[3], s[2], s[0], s[1])  # Keras: h, w, out, in
            elif len(s) == 4:
                s = (s[3], s[2], s[0], s[1])  # Keras: h, w, in, out
            shapes.append(s)
    return shapes


def test_twin_has_ganzoo_dcgan_layers():
    from zoo_configs import dcgan_mnist

    model = ganzoo.build("dcgan", image_shape=(28, 28, 1), **dcgan_mnist.get_config().arch.to_dict())
    g, d = networks()
    assert [tuple(p.shape) for p in g.parameters()] == keras_shapes(model.generator)
    assert [tuple(p.shape) for p in d.parameters()] == keras_shapes(model.discriminator)
    with torch.no_grad():
        fake = g(torch.zeros(3, 100).normal_())
        assert tuple(fake.shape) == (3, 1, 28, 28)
        assert float(fake.abs().max()) <= 1.0  # tanh, as ganzoo's G
        assert tuple(d(fake).shape) == (3, 1)
    assert model.generator.output_shape == (None, 28, 28, 1)


def test_twin_step_trains_both_networks():
    twin = Twin(batch_size=8, policy="float32")
    g0 = [p.detach().clone() for p in twin.g.parameters()]
    d0 = [p.detach().clone() for p in twin.d.parameters()]
    d_loss, g_loss = twin.step()
    assert np.isfinite(d_loss) and np.isfinite(g_loss)
    assert all(not torch.equal(a, b) for a, b in zip(g0, twin.g.parameters()))
    assert all(not torch.equal(a, b) for a, b in zip(d0, twin.d.parameters()))
    assert all(p.requires_grad for p in twin.d.parameters())  # G's update froze D only meanwhile
