"""The PyTorch twin that tools/benchmark.py --torch times against must hold the same layers as
ganzoo's DCGAN-MNIST default: same weight shapes layer by layer and the same activations' shapes.
Skipped where PyTorch is not installed (CI); the benchmark itself refuses a twin whose parameter
counts differ. The same for tools/ssgan_authors_twin.py (the authors' semi-supervised recipe):
ganzoo's ssgan widths, the paper's init and the authors' Adam update."""

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


def test_ssgan_authors_twin_has_ganzoo_ssgan_widths_and_the_papers_init():
    """tools/ssgan_authors_twin.py compares like with like: the widths of ganzoo's ssgan networks
    (zoo config), and the data-dependent init leaves every layer's pre-activations on the init
    batch with mean 0 and standard deviation 1 (noise off, to measure them exactly)."""
    from ssgan_authors_twin import HIDDEN, Twin as AuthorsTwin
    from zoo_configs import ssgan_mnist

    arch = ssgan_mnist.get_config().arch
    assert HIDDEN == tuple(arch.d_units)
    model = ganzoo.build("ssgan", image_shape=(28, 28, 1), num_classes=10, latent_dim=arch.latent_dim,
                         g_units=arch.g_units, d_units=arch.d_units)
    torch.manual_seed(0)
    twin = AuthorsTwin(torch)
    widths = [twin.d[f"v{i}"].shape[1] for i in range(6)]
    keras_widths = [layer.units for layer in model.discriminator.layers if hasattr(layer, "units")]
    assert widths == keras_widths == [1000, 500, 250, 250, 250, 10]
    assert [twin.g[f"w{i}"].shape[1] for i in range(3)] == [*arch.g_units, 784]
    assert tuple(twin.generate(4).shape) == (4, 784)
    x = torch.rand(200, 784)
    with torch.no_grad():
        twin.discriminate(x, noise=False, init=True)
        # after the init, each layer's pre-activations on the same batch: mean 0, std 1
        h = x
        for i in range(6):
            length = twin.d["len5"] if i == 5 else twin.fixed_len[i]
            v = twin.d[f"v{i}"]
            a = h @ (v * (length / torch.sqrt((v ** 2).sum(0)))) + twin.d[f"b{i}"]
            np.testing.assert_allclose(a.mean(0).numpy(), 0.0, atol=1e-4)
            np.testing.assert_allclose(torch.sqrt((a * a).mean(0)).numpy(), 1.0, atol=1e-3)
            h = torch.relu(a)


def test_ssgan_authors_twin_adam_is_the_authors_update():
    """The authors' Adam (nn.adam_updates): bias-corrected moments and 1e-8 under the square
    root, against the update written out by hand for two steps."""
    from ssgan_authors_twin import AuthorsAdam

    p = torch.tensor([1.0, -2.0, 0.5])
    opt = AuthorsAdam(torch, [p], lr=0.003)
    grads = [np.array([0.1, -1e-5, 0.0]), np.array([0.3, 2e-5, 1e-3])]
    ref, m, v = np.array([1.0, -2.0, 0.5]), np.zeros(3), np.zeros(3)
    for k, g in enumerate(grads, 1):
        opt.step([torch.tensor(g, dtype=torch.float32)])
        m = 0.5 * m + 0.5 * g
        v = 0.999 * v + 0.001 * g * g
        ref = ref - 0.003 * (m / (1 - 0.5 ** k)) / np.sqrt(v / (1 - 0.999 ** k) + 1e-8)
    np.testing.assert_allclose(p.numpy(), ref, rtol=1e-5, atol=1e-7)
