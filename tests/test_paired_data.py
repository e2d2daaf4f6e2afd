"""Paired data (pix2pix): the A|B, parallel-folder and npz readers, and the paper's jitter."""

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from ganzoo import data


def _save(path, array):
    Image.fromarray(array.squeeze() if array.shape[-1] == 1 else array).save(path)


def _pairs(n=5, size=8, seed=0):
    r = np.random.default_rng(seed)
    return (r.integers(0, 256, (n, size, size, 3), dtype=np.uint8),
            r.integers(0, 256, (n, size, size, 3), dtype=np.uint8))


def _all(dataset):
    return [tuple(np.asarray(x) for x in pair) for pair in dataset]


@pytest.mark.parametrize("direction", ["AtoB", "BtoA"])
def test_side_by_side_halves_and_direction(tmp_path, direction):
    a, b = _pairs()
    (tmp_path / "train").mkdir()
    for i in range(len(a)):  # the authors' layout: train/ val/ sub-folders of A|B images
        _save(tmp_path / "train" / f"{i}.png", np.concatenate([a[i], b[i]], axis=1))
    source = data.from_side_by_side(str(tmp_path), direction=direction, split="train")
    assert source.source_shape == source.target_shape == (8, 8, 3) and source.size == 5
    for i, (s, t) in enumerate(_all(source.dataset)):
        expected = (a[i], b[i]) if direction == "AtoB" else (b[i], a[i])
        np.testing.assert_array_equal(s, expected[0])
        np.testing.assert_array_equal(t, expected[1])
    with pytest.raises(ValueError, match="valid directions: AtoB, BtoA"):
        data.from_side_by_side(str(tmp_path), direction="AB")


def test_parallel_folders_pair_by_name(tmp_path):
    a, b = _pairs(3)
    (tmp_path / "src").mkdir()
    (tmp_path / "dst").mkdir()
    for i, name in enumerate(["x", "y", "z"]):
        _save(tmp_path / "src" / f"{name}.png", a[i][..., :1])  # 1-channel sources
        _save(tmp_path / "dst" / f"{name}.png", b[i])
    source = data.from_parallel_folders(str(tmp_path / "src"), str(tmp_path / "dst"))
    assert source.source_shape == (8, 8, 1) and source.target_shape == (8, 8, 3)
    for i, (s, t) in enumerate(_all(source.dataset)):
        np.testing.assert_array_equal(s[..., 0], a[i][..., 0])
        np.testing.assert_array_equal(t, b[i])
    _save(tmp_path / "dst" / "extra.png", b[0])
    with pytest.raises(ValueError, match="no partner of the same name.*'extra'"):
        data.from_parallel_folders(str(tmp_path / "src"), str(tmp_path / "dst"))


def test_paired_npz_and_its_errors(tmp_path):
    a, b = _pairs(4)
    np.savez(tmp_path / "p.npz", sources=a, targets=b)
    source = data.from_paired_npz(str(tmp_path / "p.npz"))
    assert source.size == 4
    np.testing.assert_array_equal(_all(source.dataset)[2][1], b[2])
    np.savez(tmp_path / "bad.npz", images=a)
    with pytest.raises(ValueError, match="no sources, targets array"):
        data.from_paired_npz(str(tmp_path / "bad.npz"))
    with pytest.raises(ValueError, match="same number of images"):
        data.from_paired_arrays(a, b[:3])


def test_jitter_crops_and_mirrors_both_halves_alike():
    """Targets equal to their sources (a 1-channel source against a 3-channel copy of it) stay
    equal through the jitter, which really crops (rows shift) and sometimes mirrors."""
    r = np.random.default_rng(1)
    gray = r.integers(0, 256, (64, 32, 32, 1), dtype=np.uint8)
    source = data.from_paired_arrays(gray, np.repeat(gray, 3, axis=-1))
    plain = data.paired_pipeline(source, 64, jitter_pairs=False, shuffle=False, repeat=False)
    jittered = data.paired_pipeline(source, 64, shuffle=False, repeat=False, seed=3)
    (s0, _), = [tuple(np.asarray(x) for x in b) for b in plain]
    (s, t), = [tuple(np.asarray(x) for x in b) for b in jittered]
    assert s.shape == (64, 32, 32, 1) and t.shape == (64, 32, 32, 3)
    for channel in range(3):
        np.testing.assert_allclose(t[..., channel:channel + 1], s, atol=1e-6)
    assert np.abs(s - s0).max() > 0.1  # the crop moved the pixels
    # a mirror of the un-jittered image correlates better with some outputs than the original:
    # both flips occur over 64 examples
    flipped = [np.corrcoef(s[i].ravel(), s0[i, :, ::-1].ravel())[0, 1] >
               np.corrcoef(s[i].ravel(), s0[i].ravel())[0, 1] for i in range(64)]
    assert 10 < sum(flipped) < 54


def test_jitter_of_a_constant_pair_is_the_identity_and_resumes_exactly():
    flat = np.full((6, 16, 16, 3), 200, np.uint8)
    source = data.from_paired_arrays(flat, flat)
    s, t = next(iter(data.paired_pipeline(source, 6, seed=0)))
    np.testing.assert_allclose(np.asarray(s), 200 / 127.5 - 1, atol=1e-5)
    a, b = _pairs(10, size=16)
    source = data.from_paired_arrays(a, b)
    full = [tuple(np.asarray(x) for x in batch) for batch in
            data.paired_pipeline(source, 4, seed=7).take(6)]
    resumed = [tuple(np.asarray(x) for x in batch) for batch in
               data.paired_pipeline(source, 4, seed=7, start_batch=3).take(3)]
    for (x, y), (u, v) in zip(full[3:], resumed):  # the same examples, the same jitter
        np.testing.assert_array_equal(x, u)
        np.testing.assert_array_equal(y, v)
    again = [np.asarray(batch[0]) for batch in data.paired_pipeline(source, 4, seed=7).take(2)]
    np.testing.assert_array_equal(again[1], full[1][0])  # deterministic from the seed
    assert tf.reduce_any(tf.not_equal(full[0][0], full[3][0]))
