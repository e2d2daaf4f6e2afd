"""tools/mode_collapse_twin_jax.py (PacGAN's 2-D mixtures in JAX, for a GPU) states ganzoo's
mode_collapse recipe and the authors': the recipe's numbers as ganzoo's table runs them, padded
packs equal to unpadded ones, Keras' Adam and LinearDecay, Blocks' Adam, batch norm, ganzoo's
EMA warm-up and ganzoo's own mode scoring. The JAX tests are skipped where JAX is not installed
(CI: it is no ganzoo dependency); the arguments, the mixtures and the CSV summary need none."""

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))

import mode_collapse_twin_jax as twin  # noqa: E402


def _jax(total_steps=1000):
    jax = pytest.importorskip("jax", reason="the JAX twin needs JAX (not a ganzoo dependency)")
    jax.config.update("jax_default_matmul_precision", "highest")
    import jax.numpy as jnp

    modes, std = twin.mixture("grid25")
    return jax, jnp, twin.build(jax, jnp, modes, std, total_steps)


def _recipe_value(name):
    from ganzoo.reproduce import mode_collapse

    for arg in mode_collapse.RECIPE:
        key, value = arg.split("=", 1)
        if key.endswith("." + name):
            return value
    raise KeyError(name)


def test_twin_states_ganzoos_table_recipe():
    """The twin's ganzoo variant has the widths, pieces, initialisation, rates and EMA of
    ``ganzoo.reproduce.mode_collapse.RECIPE`` and its batch of 100 D inputs."""
    assert _recipe_value("g_units") == f"({','.join([str(twin.G_WIDTH)] * 4)})"
    assert _recipe_value("d_units") == f"({','.join([str(twin.D_WIDTH)] * 3)})"
    assert int(_recipe_value("d_pieces")) == twin.PIECES
    assert float(_recipe_value("g_init_range")) == float(_recipe_value("d_init_range")) == 0.035
    assert float(_recipe_value("lr_g")) == float(_recipe_value("lr_d")) == 1e-3
    assert float(_recipe_value("beta1")) == 0.5
    assert float(_recipe_value("ema_decay")) == 0.999
    assert int(_recipe_value("latent_dim")) == 2
    from ganzoo.reproduce import mode_collapse

    assert twin.NUM_SAMPLES == mode_collapse.NUM_SAMPLES
    for dataset, paper in mode_collapse.PAPER.items():
        for pack in (1, 2, 3, 4):
            name = "GAN" if pack == 1 else f"PacGAN{pack}"
            assert twin.PAPER[dataset][pack] == paper[name]


def test_mixtures_are_the_papers_in_their_units():
    modes, std = twin.mixture("grid25")
    expected = sorted((x, y) for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4))
    np.testing.assert_allclose(sorted(map(tuple, modes)), expected, atol=1e-6)
    assert std == pytest.approx(0.05)
    modes, std = twin.mixture("ring8")
    np.testing.assert_allclose(np.linalg.norm(modes, axis=1), 2.0, rtol=1e-6)
    assert std == pytest.approx(0.02)


def test_scoring_is_ganzoos_mode_coverage():
    """The twin scores with ganzoo/metrics/modes.py loaded from its file: the same figures as
    ``ganzoo.metrics.mode_coverage`` on the same points, in either units."""
    from ganzoo.data import toy
    from ganzoo.metrics import mode_coverage

    modes, std = twin.mixture("grid25")
    rng = np.random.default_rng(0)
    points = modes[rng.integers(0, 12, 2500)] + 0.1 * rng.standard_normal((2500, 2))
    loaded = twin.ganzoo_module("metrics", "modes.py").mode_coverage(points, modes, std)
    scaled_modes, scaled_std = toy.mixture("grid25")
    reference = mode_coverage(points / toy.paper_units("grid25"), scaled_modes, scaled_std)
    assert loaded["counts"] == reference["counts"]
    assert loaded["modes_captured"] == reference["modes_captured"] <= 12
    assert loaded["reverse_kl"] == pytest.approx(reference["reverse_kl"], rel=1e-9)


def _discriminate_np(d, x):
    h = x.astype(np.float64)
    for i in range(3):
        a = h @ np.asarray(d[f"w{i}"], np.float64) + np.asarray(d[f"b{i}"], np.float64)
        h = a.reshape(len(a), twin.D_WIDTH, twin.PIECES).max(-1)
    return (h @ np.asarray(d["w3"], np.float64) + np.asarray(d["b3"], np.float64))[:, 0]


@pytest.mark.parametrize("pack", [1, 2, 3])
def test_padded_pack_equals_an_unpadded_discriminator(pack):
    """A pack of m in four slots: D's loss is that of a D reading 2m columns (the first 2m rows
    of its first layer), computed in float64 NumPy, and the unused rows get zero gradients."""
    jax, jnp, fns = _jax()
    _, d = fns["init"](jax.random.PRNGKey(1), "ganzoo")
    d = jax.tree.map(lambda w: w + 0.01 * jax.random.normal(jax.random.PRNGKey(2), w.shape), d)
    rng = np.random.default_rng(pack)
    real = rng.standard_normal((twin.PACK_SLOTS, twin.BATCH, 2)).astype(np.float32) * 3
    fake = rng.standard_normal((twin.PACK_SLOTS, twin.BATCH, 2)).astype(np.float32) * 3
    mask = jnp.asarray([1.0 if j < pack else 0.0 for j in range(twin.PACK_SLOTS)])
    loss, grads = jax.value_and_grad(fns["d_loss"])(d, real, fake, mask)

    small = {k: np.asarray(v) for k, v in d.items()}
    small["w0"] = small["w0"][: 2 * pack]
    # example j of a pack in columns 2j, 2j + 1, as ganzoo's pack_examples
    packed = lambda x: np.concatenate([x[j] for j in range(pack)], axis=1)  # noqa: E731
    real_out = _discriminate_np(small, packed(real))
    fake_out = _discriminate_np(small, packed(fake))
    softplus = lambda a: np.logaddexp(0.0, a)  # noqa: E731
    expected = softplus(-real_out).mean() + softplus(fake_out).mean()
    assert float(loss) == pytest.approx(expected, rel=1e-5)
    assert np.all(np.asarray(grads["w0"])[2 * pack:] == 0.0)
    assert np.any(np.asarray(grads["w0"])[: 2 * pack] != 0.0)


@pytest.mark.parametrize("pack", [1, 3])
def test_r1_penalty_is_half_gamma_times_the_mean_squared_input_gradient(pack):
    """--r1_gamma: D's loss gains gamma / 2 times the mean over its real inputs of the squared
    gradient of its logit with respect to the input, the gradient taken here by central
    differences of the float64 NumPy D of the used slots; the unused slots stay untouched."""
    gamma = 5.0
    jax, jnp, plain = _jax()
    modes, std = twin.mixture("grid25")
    fns = twin.build(jax, jnp, modes, std, 1000, r1_gamma=gamma)
    _, d = fns["init"](jax.random.PRNGKey(3), "ganzoo")
    d = jax.tree.map(lambda w: w + 0.05 * jax.random.normal(jax.random.PRNGKey(4), w.shape), d)
    rng = np.random.default_rng(10 + pack)
    real = rng.standard_normal((twin.PACK_SLOTS, twin.BATCH, 2)).astype(np.float32) * 3
    fake = rng.standard_normal((twin.PACK_SLOTS, twin.BATCH, 2)).astype(np.float32) * 3
    mask = jnp.asarray([1.0 if j < pack else 0.0 for j in range(twin.PACK_SLOTS)])
    loss, grads = jax.value_and_grad(fns["d_loss"])(d, real, fake, mask)
    base = plain["d_loss"](d, real, fake, mask)

    small = {k: np.asarray(v, np.float64) for k, v in d.items()}
    small["w0"] = small["w0"][: 2 * pack]
    x = np.concatenate([real[j] for j in range(pack)], axis=1).astype(np.float64)
    eps = 1e-5
    grad = np.zeros_like(x)
    for column in range(x.shape[1]):  # every row's derivative along one coordinate at once
        step = np.zeros_like(x)
        step[:, column] = eps
        grad[:, column] = (_discriminate_np(small, x + step)
                           - _discriminate_np(small, x - step)) / (2 * eps)
    penalty = 0.5 * gamma * np.mean(np.sum(grad**2, axis=1))
    assert penalty > 1e-3 * float(base)  # large enough to be seen
    assert float(loss) - float(base) == pytest.approx(penalty, rel=1e-4)
    assert np.all(np.asarray(grads["w0"])[2 * pack:] == 0.0)


def test_keras_adam_and_linear_decay_are_ganzoos():
    """The ganzoo variant's update is Keras' Adam(beta_1 0.5, epsilon 1e-7) under ganzoo's
    LinearDecay (to 0 over the second half) for the same gradients."""
    jax, jnp, fns = _jax(total_steps=6)
    import keras

    from ganzoo.schedules import LinearDecay

    schedule = LinearDecay(1e-3, decay_steps=3, start_step=3)
    for step in range(7):
        assert float(fns["decayed"](1e-3, step)) == pytest.approx(float(schedule(step)), abs=1e-9)
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((3, 4)).astype(np.float32)
    grads = [rng.standard_normal((3, 4)).astype(np.float32) for _ in range(5)]
    variable = keras.Variable(w0)
    optimizer = keras.optimizers.Adam(learning_rate=schedule, beta_1=0.5, epsilon=1e-7)
    params, m, v = {"w": jnp.asarray(w0)}, {"w": jnp.zeros((3, 4))}, {"w": jnp.zeros((3, 4))}
    for t, g in enumerate(grads, start=1):
        optimizer.apply_gradients([(g, variable)])
        lr = fns["decayed"](1e-3, t - 1)
        params, m, v = fns["adam"](params, {"w": jnp.asarray(g)}, m, v, float(t), lr, 0.5, 1e-7,
                                   False)
        np.testing.assert_allclose(np.asarray(params["w"]), variable.numpy(), rtol=1e-5,
                                   atol=1e-7)


def test_blocks_adam_written_out():
    """Blocks' Adam (PacGAN's step rule): beta_1 decayed by (1 - 1e-8)^(t - 1), moments
    bias-corrected, epsilon added to the corrected root; two steps in float64 NumPy."""
    jax, jnp, fns = _jax()
    rng = np.random.default_rng(1)
    p = rng.standard_normal(5)
    grads = [rng.standard_normal(5) for _ in range(2)]
    mean, var, expected = np.zeros(5), np.zeros(5), p.copy()
    params, m, v = {"w": jnp.asarray(p, jnp.float32)}, {"w": jnp.zeros(5)}, {"w": jnp.zeros(5)}
    for t, g in enumerate(grads, start=1):
        b1 = 0.8 * (1 - 1e-8) ** (t - 1)
        mean = b1 * mean + (1 - b1) * g
        var = 0.999 * var + 0.001 * g * g
        expected = expected - 1e-4 * (mean / (1 - 0.8**t)) / (np.sqrt(var / (1 - 0.999**t)) + 1e-8)
        params, m, v = fns["adam"](params, {"w": jnp.asarray(g, jnp.float32)}, m, v, float(t),
                                   1e-4, 0.8, 1e-8, True)
    np.testing.assert_allclose(np.asarray(params["w"]), expected, rtol=1e-6, atol=1e-9)


def test_authors_generator_batch_norm():
    """The authors' G normalises each layer by the batch's mean and sqrt(var + 1e-4) (checked
    on layer 1 in NumPy), returns those statistics, and with them as population statistics
    gives the same points."""
    jax, jnp, fns = _jax()
    g, _ = fns["init"](jax.random.PRNGKey(3), "authors")
    assert "b0" not in g and set(np.unique(np.asarray(g["scale0"]))) == {1.0}
    z = jax.random.normal(jax.random.PRNGKey(4), (100, 2))
    points, (means, stds) = fns["generate"](g, z)
    a = np.asarray(z, np.float64) @ np.asarray(g["w0"], np.float64)
    np.testing.assert_allclose(np.asarray(means[0]), a.mean(0), rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(np.asarray(stds[0]), np.sqrt(a.var(0) + 1e-4), rtol=1e-4)
    again, _ = fns["generate"](g, z, (means, stds))
    np.testing.assert_allclose(np.asarray(again), np.asarray(points), rtol=1e-4, atol=1e-6)
    # ganzoo's G has biases and no normalisation: no statistics
    g_zoo, _ = fns["init"](jax.random.PRNGKey(3), "ganzoo")
    assert fns["generate"](g_zoo, z)[1] is None


def test_one_step_of_each_recipe():
    """ganzoo's step: the EMA after the first step is 0.1 * G's initial weights + 0.9 * the
    updated ones (ganzoo's warm-up, decay (1 + 0) / (10 + 0)); the authors' step: the running
    statistics move 5% of the way from (0, 1) to the used slots' mean statistics."""
    jax, jnp, fns = _jax()
    mask = jnp.asarray([1.0, 1.0, 0.0, 0.0])
    state = fns["start"](jax.random.PRNGKey(5), "ganzoo")
    new = fns["ganzoo_step"](state, mask)
    for name in state["g"]:
        expected = 0.1 * np.asarray(state["g"][name]) + 0.9 * np.asarray(new["g"][name])
        np.testing.assert_allclose(np.asarray(new["ema"][name]), expected, rtol=1e-5, atol=1e-7)
    assert not np.allclose(np.asarray(new["g"]["w4"]), np.asarray(state["g"]["w4"]))
    assert float(new["t"]) == 2.0

    state = fns["start"](jax.random.PRNGKey(5), "authors")
    new = fns["authors_step"](state, mask)
    means, stds = (np.asarray(s) for s in new["pop"])
    assert means.shape == stds.shape == (4, twin.G_WIDTH)
    # from 0 and 1: 0.05 * the slots' mean batch statistics (stds near 0.02 * sqrt(2) * |z|)
    assert np.all(np.abs(means) < 0.05) and np.any(means != 0)
    assert np.all(stds < 1.0) and np.all(stds > 0.95)
    assert not np.allclose(np.asarray(new["d"]["w0"][:4]), np.asarray(state["d"]["w0"][:4]))
    np.testing.assert_array_equal(np.asarray(new["d"]["w0"][4:]), np.asarray(state["d"]["w0"][4:]))


@pytest.mark.parametrize("argv, message", [
    (["--variants", "ganzoo,pacman"], "--variants: unknown pacman; valid: ganzoo, authors"),
    (["--dataset", "grid9"], "--dataset: unknown 'grid9'; valid: grid25, ring8"),
    (["--packs", "1,5"], "--packs: give comma-separated packs of 1 to 4"),
    (["--seeds", "0"], "must be positive"),
    (["--r1_gamma", "-1"], "--r1_gamma must be >= 0"),
    (["--variants", "ganzoo,authors", "--r1_gamma", "0.1"], "the authors' recipe has no R1"),
    (["--from_csv", "x.csv", "--scatter", "x.png"], "--scatter draws the samples of --samples"),
])
def test_bad_arguments_name_the_valid_choices(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        twin.parse_args(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_summary_and_plot_read_a_written_csv(tmp_path):
    path = tmp_path / "runs.csv"
    rows = ["step,seconds,variant,pack,seed,modes,modes_any,high_quality,reverse_kl",
            "100,1,ganzoo,2,0,20,22,0.9000,0.3000", "100,1,ganzoo,2,1,24,25,0.9400,0.1000",
            "200,2,ganzoo,2,0,25,25,0.9600,0.0200", "200,2,ganzoo,2,1,23,25,0.9200,0.0400"]
    path.write_text("\n".join(rows) + "\n")
    curves = twin.read_csv(str(path))
    assert curves[("ganzoo", 2, 1)][200] == (23, 25, 0.92, 0.04)
    (line,) = twin.summary(curves, "grid25")
    assert line.startswith("ganzoo pack 2, step 200, 2 seeds: modes 24.0 ± 1.4 (any sample 25.0)")
    assert "high quality 94.0 ± 2.8%" in line and "reverse KL 0.030 ± 0.014" in line
    assert line.endswith("paper 23.8 / 91.3% / 0.13")
    png = tmp_path / "curves.png"
    assert twin.main(["--from_csv", str(path), "--plot", str(png)]) == 0
    assert png.stat().st_size > 10_000
    with pytest.raises(SystemExit, match="no file"):
        twin.main(["--from_csv", str(tmp_path / "missing.csv")])


def test_scatter_draws_seed_0_of_each_pack(tmp_path):
    modes, _ = twin.mixture("grid25")
    points = np.repeat(modes[None, :4], 4, 0).astype(np.float32)  # 4 runs, 4 points each
    samples = tmp_path / "samples.npz"
    np.savez(samples, packs=np.array([1, 1, 2, 2]), seeds=np.array([0, 1, 0, 1]), ganzoo=points)
    png = tmp_path / "scatter.png"
    twin.scatter(str(samples), str(png), "grid25")
    import matplotlib.image

    assert matplotlib.image.imread(str(png)).shape[1] == 2 * 260  # a panel a pack, seed 0 only
    with pytest.raises(SystemExit, match="no samples of ganzoo, authors"):
        np.savez(tmp_path / "empty.npz", packs=np.array([1]), seeds=np.array([0]))
        twin.scatter(str(tmp_path / "empty.npz"), str(png), "grid25")


def test_twins_without_jax_stop_with_one_line(monkeypatch, tmp_path):
    """Both JAX twins import JAX through _twin_common: without it, one line naming the install
    (before any output file is opened)."""
    import _twin_common

    monkeypatch.setitem(sys.modules, "jax", None)
    with pytest.raises(SystemExit, match=r"^mode_collapse_twin_jax: needs JAX \(pip install jax"):
        twin.main(["--steps", "10", "--csv", str(tmp_path / "out.csv")])
    assert not (tmp_path / "out.csv").exists()
    with pytest.raises(SystemExit, match=r"^ssgan_authors_twin_jax: needs JAX"):
        _twin_common.import_jax("ssgan_authors_twin_jax", "highest")


def test_echo_prints_and_keeps_every_line(tmp_path, capsys):
    import _twin_common

    emit = _twin_common.Echo(str(tmp_path / "lines.csv"))
    emit("a,b")
    emit("1,2")
    assert (tmp_path / "lines.csv").read_text() == "a,b\n1,2\n"  # flushed before close
    emit.close()
    assert capsys.readouterr().out == "a,b\n1,2\n"


def test_keras_batch_norm_is_ganzoos_g_batch_norm():
    """The ganzoo_pacgan variant's batch norm against keras.layers.BatchNormalization as ganzoo's
    ``g_batch_norm`` builds it: the training output on a batch, and the moving statistics after
    one call (momentum 0.9, the batch's biased variance); only the rows marked 1 count."""
    jax, jnp, fns = _jax()
    import keras

    g, _ = fns["init"](jax.random.PRNGKey(6), "ganzoo_pacgan")
    assert {"b0", "scale0", "shift0"} <= set(g)
    assert np.abs(np.asarray(g["w1"])).max() <= twin.PACGAN_INIT_RANGE
    g = dict(g, b0=g["b0"] + 0.3, scale0=g["scale0"] * 1.5, shift0=g["shift0"] - 0.2)
    z = np.random.default_rng(7).standard_normal((300, 2)).astype(np.float32)
    rows = jnp.asarray(np.r_[np.ones(200), np.zeros(100)], jnp.float32)
    _, stats = fns["generate"](g, jnp.asarray(z), keras_bn=True, rows=rows)

    layer = keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5)
    a = z[:200] @ np.asarray(g["w0"]) + np.asarray(g["b0"])
    layer.build(a.shape)
    layer.gamma.assign(np.asarray(g["scale0"]))
    layer.beta.assign(np.asarray(g["shift0"]))
    out = np.asarray(layer(a, training=True))
    mean, var = np.asarray(stats[0][0]), np.asarray(stats[1][0])
    np.testing.assert_allclose(0.9 * 0 + 0.1 * mean, layer.moving_mean.numpy(), rtol=1e-4,
                               atol=1e-7)
    np.testing.assert_allclose(0.9 * 1 + 0.1 * var, layer.moving_variance.numpy(), rtol=1e-5)
    mine = (a - mean) / np.sqrt(var + 1e-5) * np.asarray(g["scale0"]) + np.asarray(g["shift0"])
    np.testing.assert_allclose(mine, out, rtol=1e-4, atol=1e-4)


def test_ganzoo_pacgan_step_moves_the_moving_statistics_twice():
    """ganzoo's step calls G twice in training (D's update, then G's, both with G's weights of
    the step's start): the moving statistics become 0.9 (0.9 start + 0.1 s1) + 0.1 s2, the two
    calls' statistics over the used slots' samples; D's unused rows stay; no EMA is kept."""
    jax, jnp, fns = _jax()
    state = fns["start"](jax.random.PRNGKey(8), "ganzoo_pacgan")
    assert "ema" not in state and state["pop"].shape == (2, 4, twin.G_WIDTH)
    mask = jnp.asarray([1.0, 0.0, 0.0, 0.0])
    new = fns["ganzoo_pacgan_step"](state, mask)
    # the step's own draws: key folded with t = 1, split into real, D's noise, G's noise
    _, k_zd, k_zg = jax.random.split(jax.random.fold_in(state["key"], 1), 3)
    rows = jnp.repeat(mask, twin.BATCH)
    s1, s2 = (np.asarray(fns["generate"](state["g"], jax.random.normal(k, (400, 2)),
                                         keras_bn=True, rows=rows)[1]) for k in (k_zd, k_zg))
    expected = 0.9 * (0.9 * np.asarray(state["pop"]) + 0.1 * s1) + 0.1 * s2
    np.testing.assert_allclose(np.asarray(new["pop"]), expected, rtol=1e-4, atol=1e-6)
    # only the first 100 samples count: statistics over them alone are the same
    z100 = jax.random.normal(k_zd, (400, 2))[:100]
    alone = np.asarray(fns["generate"](state["g"], z100, keras_bn=True)[1])
    np.testing.assert_allclose(s1, alone, rtol=1e-4, atol=1e-6)
    np.testing.assert_array_equal(np.asarray(new["d"]["w0"][2:]), np.asarray(state["d"]["w0"][2:]))
    assert float(new["t"]) == 2.0
