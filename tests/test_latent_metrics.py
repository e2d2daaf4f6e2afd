"""Latent-space tools against closed forms, and mode coverage against a hand count."""

import numpy as np
import pytest

import ganzoo
from ganzoo import latent
from ganzoo.metrics import mode_coverage


def test_slerp_keeps_the_angle_uniform_and_ends_fixed():
    z0, z1 = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
    path = latent.interpolate(z0, z1, steps=5, method="slerp")
    np.testing.assert_allclose(path[0], z0, atol=1e-6)
    np.testing.assert_allclose(path[-1], z1, atol=1e-6)
    angles = np.arctan2(path[:, 1], path[:, 0])  # closed form: equal steps of 90/4 degrees
    np.testing.assert_allclose(np.diff(angles), np.pi / 8, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), 1.0, atol=1e-6)  # on the sphere
    linear = latent.interpolate(z0, z1, steps=5, method="linear")
    np.testing.assert_allclose(linear[2], (z0 + z1) / 2, atol=1e-7)
    with pytest.raises(ValueError, match="valid: linear, slerp"):
        latent.interpolate(z0, z1, method="cubic")


def test_arithmetic_is_a_minus_b_plus_c_of_group_means():
    rng = np.random.default_rng(0)
    a, b, c = rng.normal(size=(3, 4)), rng.normal(size=(2, 4)), rng.normal(size=(1, 4))
    np.testing.assert_allclose(latent.arithmetic(a, b, c), a.mean(0) - b.mean(0) + c.mean(0), rtol=1e-6)


def test_grids_from_a_model():
    model = ganzoo.build("acgan", **ganzoo.registry.get_model_class("acgan").tiny_args)
    images = latent.interpolation_grid(model, rows=3, steps=4, method="linear")
    assert images.shape == (12,) + model.image_shape
    grid, width = latent.arithmetic_grid(model, [0, 1], [2], [3, 4, 5], pool=8, variations=4)
    assert width == 4 and grid.shape == (16,) + model.image_shape
    assert np.all(grid[5:8] == 1.0) and not np.all(grid[4] == 1.0)  # b's row: 1 image, 3 blanks
    with pytest.raises(ValueError, match="indices of a"):
        latent.arithmetic_grid(model, [9], [0], [1], pool=8)


def test_mode_coverage_counts_by_hand():
    modes = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    std = 0.01
    samples = np.array([[0.0, 0.02], [0.01, 0.0], [0.0, -0.029], [1.0, 0.01], [0.5, 0.5], [1.0, 0.04]])
    result = mode_coverage(samples, modes, std, min_count=1)
    # within 3 std = 0.03: the first three (mode 0) and the fourth (mode 1); the rest are off
    assert result["counts"] == [3, 1, 0]
    assert result["modes_captured"] == 2
    assert result["high_quality"] == pytest.approx(4 / 6)
    p = np.array([3 / 4, 1 / 4])
    assert result["reverse_kl"] == pytest.approx(np.sum(p * np.log(p * 3)))
    assert mode_coverage(samples, modes, std)["min_count"] == pytest.approx(0.2 * 6 / 3)
    uniform = mode_coverage(np.repeat(modes, 10, axis=0), modes, std)
    assert uniform["modes_captured"] == 3 and uniform["reverse_kl"] == pytest.approx(0.0)
    with pytest.raises(ValueError, match="share D"):
        mode_coverage(samples[:, :1], modes, std)
