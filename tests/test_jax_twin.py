"""tools/ssgan_authors_twin_jax.py (the authors' semi-supervised MNIST recipe in JAX, for a GPU)
states the computation of tools/ssgan_authors_twin.py: ganzoo's ssgan widths, the authors'
data-dependent init and Adam, their losses on one batch of 300 equal to the losses of three
separate batches, their labelled draw. Skipped where JAX is not installed (CI: it is no
dependency of ganzoo); the reading of IDX files and the argument errors need no JAX."""

import gzip
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))

import ssgan_authors_twin_jax as twin  # noqa: E402


def _jax():
    jax = pytest.importorskip("jax", reason="the JAX twin needs JAX (not a ganzoo dependency)")
    jax.config.update("jax_default_matmul_precision", "highest")
    import jax.numpy as jnp

    return jax, jnp, twin.build(jax, jnp)


def test_twin_has_ganzoo_ssgan_widths():
    from zoo_configs import ssgan_mnist

    arch = ssgan_mnist.get_config().arch
    assert twin.HIDDEN == tuple(arch.d_units)
    assert twin.SIZES == (784, *arch.d_units, 10)
    # ganzoo's three changes, as the zoo config states them
    g_lr, bn_scale, logit_scale = twin.VARIANTS["ganzoo"]
    assert g_lr == ssgan_mnist.get_config().train.lr_g
    assert twin.VARIANTS["authors"] == (3e-3, 0.0, 1.0)
    assert (bn_scale, logit_scale) == (1.0, 0.1)


@pytest.mark.parametrize("logit_scale", [1.0, 0.1])
def test_init_gives_every_layer_mean_0_and_std_1_on_the_init_batch(logit_scale):
    """With the noise off (to measure exactly), each layer's pre-activations on the init batch
    after the init: mean 0 and standard deviation 1, the logits' ``logit_scale``."""
    jax, jnp, fns = _jax()
    x = jnp.asarray(np.random.RandomState(0).rand(300, 784).astype(np.float32))
    g, d, fixed = fns["init"](jax.random.PRNGKey(0), x, logit_scale, noise=False)
    assert [d[f"v{i}"].shape for i in range(6)] == list(zip(twin.SIZES[:-1], twin.SIZES[1:]))
    h = np.asarray(x, np.float64)
    for i in range(6):
        v = np.asarray(d[f"v{i}"], np.float64)
        length = np.asarray(d["len5"] if i == 5 else fixed[i], np.float64)
        a = h @ (v * length / np.sqrt((v * v).sum(0))) + np.asarray(d[f"b{i}"], np.float64)
        scale = logit_scale if i == 5 else 1.0
        np.testing.assert_allclose(a.mean(0), 0.0, atol=2e-4 * scale)
        np.testing.assert_allclose(a.std(0), scale, rtol=2e-3)
        h = np.maximum(a, 0.0)
    # G's weights: Lasagne's Glorot uniform, shifts 0, scales and the output length 1
    limit = np.sqrt(6.0 / (100 + 500))
    assert np.abs(np.asarray(g["w0"])).max() <= limit
    assert np.asarray(g["w0"]).std() == pytest.approx(limit / np.sqrt(3), rel=0.02)
    assert float(np.abs(np.asarray(g["b0"])).max()) == 0.0
    assert np.all(np.asarray(g["len2"]) == 1.0) and np.all(np.asarray(g["s1"]) == 1.0)


def test_adam_is_the_authors_update():
    """nn.adam_updates written out by hand for two steps: beta_1 0.5, bias-corrected moments,
    1e-8 under the square root."""
    jax, jnp, fns = _jax()
    p = {"w": jnp.asarray([1.0, -2.0, 0.5])}
    m = {"w": jnp.zeros(3)}
    v = {"w": jnp.zeros(3)}
    grads = [np.array([0.1, -1e-5, 0.0]), np.array([0.3, 2e-5, 1e-3])]
    ref, rm, rv = np.array([1.0, -2.0, 0.5]), np.zeros(3), np.zeros(3)
    for t, grad in enumerate(grads, 1):
        p, m, v = fns["adam"](p, {"w": jnp.asarray(grad, jnp.float32)}, m, v, float(t), 0.003)
        rm = 0.5 * rm + 0.5 * grad
        rv = 0.999 * rv + 0.001 * grad * grad
        ref = ref - 0.003 * (rm / (1 - 0.5 ** t)) / np.sqrt(rv / (1 - 0.999 ** t) + 1e-8)
    np.testing.assert_allclose(np.asarray(p["w"]), ref, rtol=1e-5, atol=1e-7)


def _np_logits(d, fixed, x):
    """D's logits and last hidden layer, noise off, in float64 NumPy."""
    h, features = np.asarray(x, np.float64), None
    for i in range(6):
        v = np.asarray(d[f"v{i}"], np.float64)
        length = np.asarray(d["len5"] if i == 5 else fixed[i], np.float64)
        h = h @ (v * length / np.sqrt((v * v).sum(0))) + np.asarray(d[f"b{i}"], np.float64)
        if i < 5:
            h = np.maximum(h, 0.0)
        if i == 4:
            features = h
    return h, features


def _np_lse(a):
    top = a.max(1)
    return top + np.log(np.exp(a - top[:, None]).sum(1))


def test_losses_on_one_batch_are_the_authors_on_three():
    """D's loss on [labelled; unlabelled; generated] as one batch equals the authors' loss_lab +
    loss_unl computed on each batch apart (float64 NumPy, noise off); G's feature matching
    equals the squared gap of the two batches' mean features."""
    jax, jnp, fns = _jax()
    rs = np.random.RandomState(1)
    x_lab, x_unl, fake, x_unl2 = (jnp.asarray(rs.rand(100, 784).astype(np.float32))
                                  for _ in range(4))
    y = jnp.asarray(rs.randint(0, 10, 100).astype(np.int32))
    g, d, fixed = fns["init"](jax.random.PRNGKey(2), x_unl, 1.0, noise=False)
    total, (loss_lab, loss_unl) = fns["d_loss"](d, fixed, fake, x_lab, y, x_unl, None)
    out_lab, _ = _np_logits(d, fixed, x_lab)
    out_unl, _ = _np_logits(d, fixed, x_unl)
    out_fake, _ = _np_logits(d, fixed, fake)
    softplus = lambda a: np.logaddexp(0.0, a)  # noqa: E731
    ref_lab = -out_lab[np.arange(100), np.asarray(y)].mean() + _np_lse(out_lab).mean()
    z = _np_lse(out_unl)
    ref_unl = 0.5 * (-z.mean() + softplus(z).mean() + softplus(_np_lse(out_fake)).mean())
    assert float(loss_lab) == pytest.approx(ref_lab, rel=1e-4)
    assert float(loss_unl) == pytest.approx(ref_unl, rel=1e-4)
    assert float(total) == pytest.approx(ref_lab + ref_unl, rel=1e-4)

    # G: the squared gap between its samples' mean features and the real batch's
    key = jax.random.PRNGKey(3)
    loss_gen = fns["g_loss"](g, d, fixed, x_unl2, key, 0.0, noise=False)
    # the samples g_loss draws: its first split of the key goes to the generator
    samples = fns["generate"](g, jax.random.split(key)[0], 100, 0.0)
    _, f_fake = _np_logits(d, fixed, samples)
    _, f_real = _np_logits(d, fixed, x_unl2)
    assert float(loss_gen) == pytest.approx(((f_fake.mean(0) - f_real.mean(0)) ** 2).mean(),
                                            rel=1e-4)
    # and G gets a gradient through its samples
    grads = jax.grad(fns["g_loss"])(g, d, fixed, x_unl2, key, 0.0, False)
    assert float(jnp.abs(grads["w0"]).max()) > 0.0


def test_generator_batch_norm_has_a_shift_only_for_the_authors_recipe():
    """bn_scale 0 (the authors') ignores G's batch-norm scale; 1 (ganzoo's) applies it."""
    jax, jnp, fns = _jax()
    g, _, _ = fns["init"](jax.random.PRNGKey(4), jnp.ones((10, 784)), 1.0, noise=False)
    key = jax.random.PRNGKey(5)
    base = np.asarray(fns["generate"](g, key, 50, 0.0))
    scaled = dict(g, s0=g["s0"] * 3.0)
    np.testing.assert_array_equal(np.asarray(fns["generate"](scaled, key, 50, 0.0)), base)
    assert not np.allclose(np.asarray(fns["generate"](scaled, key, 50, 1.0)), base)
    assert base.shape == (50, 784) and 0.0 < base.min() and base.max() < 1.0


def test_labelled_draw_is_the_first_ten_of_each_class_after_the_permutation():
    rs = np.random.RandomState(0)
    x = rs.rand(1000, 784).astype(np.float32)
    y = rs.randint(0, 10, 1000).astype(np.int32)
    x_lab, y_lab, x_init = twin.labelled_draw(x, y, seed_data=7)
    order = np.random.RandomState(7).permutation(1000)
    assert np.array_equal(np.bincount(y_lab, minlength=10), np.full(10, 10))
    for c in range(10):
        first = order[y[order] == c][:10]
        np.testing.assert_array_equal(x_lab[y_lab == c], x[first])
    np.testing.assert_array_equal(x_init, x[order[:500]])


def test_load_reads_mnist_through_ganzoos_idx_reader(tmp_path):
    """The twin reads IDX files with ganzoo/data/idx.py (without importing the package) and
    refuses, in one line, a folder that is not the full MNIST."""
    rs = np.random.RandomState(0)
    for prefix, n in (("train", 3), ("t10k", 2)):
        images = rs.randint(0, 256, (n, 28, 28)).astype(np.uint8)
        head = b"\x00\x00\x08\x03" + np.array([n, 28, 28], ">i4").tobytes()
        with gzip.open(tmp_path / f"{prefix}-images-idx3-ubyte.gz", "wb") as f:
            f.write(head + images.tobytes())
        labels = np.arange(n, dtype=np.uint8)
        (tmp_path / f"{prefix}-labels-idx1-ubyte").write_bytes(
            b"\x00\x00\x08\x01" + np.array([n], ">i4").tobytes() + labels.tobytes())
    idx = twin._idx_reader()
    images, labels = idx.load_idx_split(str(tmp_path), "train")
    assert images.shape == (3, 28, 28, 1) and labels.tolist() == [0, 1, 2]
    with pytest.raises(SystemExit, match="expected MNIST's 60,000 / 10,000 digits"):
        twin.load(str(tmp_path))
    with pytest.raises(SystemExit, match="--mnist_dir: no train-images-idx3-ubyte"):
        twin.load(str(tmp_path / "nothing"))


def test_bad_arguments_name_the_valid_choices(capsys):
    with pytest.raises(SystemExit) as stop:
        twin.parse_args(["--mnist_dir", "x", "--variants", "authors,ganzo"])
    assert stop.value.code == 2
    assert "unknown ganzo; valid: authors, ganzoo" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        twin.parse_args([])
    assert "give --mnist_dir" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="--from_csv: no file"):
        twin.main(["--from_csv", "/no/such/twin.csv"])


def test_summary_and_plot_read_a_written_csv(tmp_path):
    """--from_csv: each variant's mean and spread at the runs' last common step."""
    path = tmp_path / "twin.csv"
    lines = ["epoch,step,seconds,variant,draw,loss_lab,loss_unl,loss_gen,errors_raw,"
             "errors_authors_average,errors_debiased_average"]
    for e, errors in [(1, (300, 200, 100)), (2, (120, 90, 60))]:
        for k, err in enumerate(errors):
            lines.append(f"{e},{600 * e},1,authors,{k},0,0,0,{err + 1},{err},{err}")
    path.write_text("\n".join(lines) + "\n")
    (line,) = twin.summary(twin.read_csv(str(path)))
    assert "authors: test errors at step 1200 over 3 draws" in line
    assert "authors' average 90.0 ± 30.0" in line and "as trained 91.0 ± 30.0" in line
    png = tmp_path / "curves.png"
    twin.main(["--from_csv", str(path), "--plot", str(png)])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
