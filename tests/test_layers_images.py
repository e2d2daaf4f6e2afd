"""The Maxout layer, the image-grid helper against NumPy, and the 2-D scatter plot."""

import keras
import numpy as np
import pytest
from PIL import Image

from ganzoo.images import image_grid, save_image_grid, save_scatter
from ganzoo.layers import Maxout


def test_maxout_is_max_over_consecutive_pieces():
    x = np.random.default_rng(0).normal(size=(4, 12)).astype(np.float32)
    got = np.asarray(Maxout(3)(x))
    np.testing.assert_array_equal(got, x.reshape(4, 4, 3).max(-1))


def test_maxout_serializes_and_rejects_bad_shapes():
    layer = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(Maxout(5)))
    assert isinstance(layer, Maxout) and layer.pieces == 5
    with pytest.raises(ValueError, match="do not split"):
        Maxout(5).compute_output_shape((None, 12))


def test_image_grid_layout_and_scaling(tmp_path):
    images = np.stack([np.full((2, 3, 1), v, np.float32) for v in (-1.0, 0.0, 1.0)])
    grid = save_image_grid(images, str(tmp_path / "g.png"), nrow=2, padding=1)
    # 2 columns, 2 rows of 2x3 images with 1 px padding
    assert grid.shape == (2 * 3 + 1, 2 * 4 + 1, 1)
    assert grid[1, 1, 0] == 0 and grid[1, 5, 0] == 128 and grid[4, 1, 0] == 255
    # the unused 4th cell and the padding are white (pad_value 1.0)
    assert grid[4, 5, 0] == 255 and grid[0, 0, 0] == 255
    with Image.open(tmp_path / "g.png") as png:
        assert png.size == (9, 7) and png.mode == "L"
        np.testing.assert_array_equal(np.asarray(png), grid[..., 0])


def test_image_grid_rejects_empty():
    with pytest.raises(ValueError, match="non-empty"):
        image_grid(np.zeros((0, 2, 2, 1)))


@pytest.mark.parametrize("mode_std", [0.008, None])
def test_scatter_shows_samples_sitting_on_a_mode(tmp_path, mode_std):
    """A GAN collapsed onto one mode puts every sample on that mode's marker: the samples are
    drawn over the modes, so the picture shows them (blue pixels where a run with no sample in
    view has none)."""
    modes = np.array([[0.8, 0.0], [-0.8, 0.0], [0.0, 0.8]], np.float32)

    def render(points, name):
        save_scatter(points, str(tmp_path / name), modes=modes, mode_std=mode_std)
        with Image.open(tmp_path / name) as png:
            return np.asarray(png.convert("RGB")).astype(int)

    on_mode = render(np.tile(modes[:1], (500, 1)), "on.png")
    out_of_view = render(np.full((500, 2), 5.0, np.float32), "out.png")  # clipped by the axes
    assert on_mode.shape == out_of_view.shape
    changed = np.any(on_mode != out_of_view, axis=-1)
    assert changed.sum() >= 4
    r, b = on_mode[changed][:, 0], on_mode[changed][:, 2]
    assert np.all(b > r)  # the samples' blue over the modes' red and the white
    # the modes: three red markers in both pictures
    red = (out_of_view[..., 0] > 200) & (out_of_view[..., 1] < 80) & (out_of_view[..., 2] < 80)
    assert red.sum() > 3 * 10
