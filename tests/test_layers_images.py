"""The Maxout layer and the image-grid helper against NumPy."""

import keras
import numpy as np
import pytest
from PIL import Image

from ganzoo.images import image_grid, save_image_grid
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
