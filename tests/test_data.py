"""Data sources and the pipeline, on local data only."""

import gzip
import os

import numpy as np
import pytest
from PIL import Image

from conftest import SHARED_MNIST
from ganzoo import data
from ganzoo.data import idx, sources


def first_batch(dataset):
    return next(iter(dataset))


def test_read_idx_against_hand_written_file(tmp_path):
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    header = bytes([0, 0, 0x08, 3]) + np.array([2, 3, 4], ">u4").tobytes()
    path = tmp_path / "x-idx3-ubyte.gz"
    with gzip.open(path, "wb") as f:
        f.write(header + array.tobytes())
    np.testing.assert_array_equal(idx.read_idx(str(path)), array)
    (tmp_path / "bad").write_bytes(b"\x01\x02\x03\x04")
    with pytest.raises(ValueError, match="not an IDX file"):
        idx.read_idx(str(tmp_path / "bad"))


@pytest.mark.skipif(not os.path.isdir(SHARED_MNIST), reason="../shared/data/mnist is not beside the repo")
def test_embedded_mnist_is_the_official_data():
    full_images, full_labels = idx.load_idx_split(SHARED_MNIST, "train")
    assert full_images.shape == (60000, 28, 28, 1)
    train = data.embedded_mnist("train")
    assert train.size == 20000 and train.num_classes == 10
    images, labels = idx.load_idx_split(sources.EMBEDDED_DIR, "train")
    np.testing.assert_array_equal(images, full_images[:20000])
    np.testing.assert_array_equal(labels, full_labels[:20000])
    test_images, test_labels = idx.load_idx_split(sources.EMBEDDED_DIR, "test")
    shared_test = idx.load_idx_split(SHARED_MNIST, "test")
    np.testing.assert_array_equal(test_images, shared_test[0])
    np.testing.assert_array_equal(test_labels, shared_test[1])
    # every class is present in the embedded subset
    assert np.bincount(labels).min() > 1500


def test_pipeline_scales_to_minus_one_one_and_batches():
    images = np.array([[[[0]]], [[[255]]], [[[51]]], [[[204]]]], np.uint8)  # [4, 1, 1, 1]
    source = data.from_arrays(images, labels=[0, 1, 2, 3])
    x, y = first_batch(data.pipeline(source, 4, shuffle=False))
    np.testing.assert_allclose(np.asarray(x).ravel(), [-1.0, 1.0, 51 / 127.5 - 1, 204 / 127.5 - 1], rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(y), [0, 1, 2, 3])
    only_images = first_batch(data.pipeline(source, 3, labels=False))
    assert only_images.shape == (3, 1, 1, 1)
    unlabelled = data.from_arrays(images)
    assert not unlabelled.has_labels and first_batch(data.pipeline(unlabelled, 2)).shape == (2, 1, 1, 1)
    with pytest.raises(ValueError, match="has no labels"):
        data.pipeline(unlabelled, 2, labels=True)
    with pytest.raises(ValueError, match="batch_size"):
        data.pipeline(source, 0)


def test_arrays_float_ranges():
    source = data.from_arrays(np.array([[0.0, 0.5, 1.0]], np.float32), value_range=(0, 1))
    np.testing.assert_allclose(np.asarray(first_batch(data.pipeline(source, 1))), [[-1.0, 0.0, 1.0]])
    with pytest.raises(ValueError, match="value_range"):
        data.from_arrays(np.array([[0.0, 2.0]], np.float32))


def test_image_folder_with_class_subfolders(tmp_path):
    rng = np.random.default_rng(0)
    pictures = {}
    for cls in ("cats", "dogs"):
        (tmp_path / cls).mkdir()
        for i in range(3):
            pixels = rng.integers(0, 256, size=(8, 6, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(tmp_path / cls / f"{i}.png")
            pictures[(cls, i)] = pixels
    source = data.load(str(tmp_path))
    assert source.element_shape == (8, 6, 3) and source.num_classes == 2 and source.size == 6
    x, y = first_batch(data.pipeline(source, 6, shuffle=False))
    np.testing.assert_array_equal(np.asarray(y), [0, 0, 0, 1, 1, 1])
    expected = pictures[("dogs", 2)].astype(np.float32) / 127.5 - 1
    np.testing.assert_allclose(np.asarray(x)[5], expected, rtol=1e-6)
    resized = data.load(f"folder:{tmp_path}", image_size=(4, 4))
    assert first_batch(data.pipeline(resized, 2))[0].shape == (2, 4, 4, 3)


def test_flat_image_folder_has_no_labels(tmp_path):
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(tmp_path / "a.png")
    source = data.load(f"folder:{tmp_path}")
    assert source.element_shape == (4, 4, 1) and not source.has_labels


def test_npz_and_idx_directories(tmp_path):
    np.savez(tmp_path / "d.npz", images=np.zeros((5, 4, 4, 1), np.uint8), labels=np.arange(5) % 2)
    source = data.load(str(tmp_path / "d.npz"))
    assert source.size == 5 and source.num_classes == 2
    assert data.resolve(sources.EMBEDDED_DIR) == ("idx", sources.EMBEDDED_DIR)
    assert data.load(f"idx:{sources.EMBEDDED_DIR}", "test").size == 10000


@pytest.mark.parametrize("name, modes", [("ring8", 8), ("grid25", 25)])
def test_toy_mixtures(name, modes):
    centres, std = data.mixture(name)
    assert centres.shape == (modes, 2) and np.abs(centres).max() <= 0.8 + 1e-6
    source = data.load(name, toy_size=5000)
    x, y = first_batch(data.pipeline(source, 5000, shuffle=False))
    x, y = np.asarray(x), np.asarray(y)
    distance = np.linalg.norm(x - centres[y], axis=1)
    assert distance.max() < 5 * std  # every point sits by its own mode
    assert np.bincount(y, minlength=modes).min() > 5000 / modes / 2
    spacing = np.min([np.linalg.norm(a - b) for i, a in enumerate(centres) for b in centres[i + 1:]])
    # geometry of the papers: ring8 radius 2 / std 0.02, grid25 spacing 2 / std 0.05
    assert spacing / std == pytest.approx((2 * 2 * np.sin(np.pi / 8)) / 0.02 if name == "ring8" else 2 / 0.05, rel=1e-5)
    # paper_units takes the scaled modes back to the papers' coordinates: radius 2 / spacing 2
    from ganzoo.data import toy

    paper = centres * toy.paper_units(name)
    if name == "ring8":
        np.testing.assert_allclose(np.linalg.norm(paper, axis=1), 2.0, rtol=1e-6)
    else:
        assert sorted(set(np.round(paper[:, 0], 5))) == [-4, -2, 0, 2, 4]
    assert std * toy.paper_units(name) == pytest.approx(0.02 if name == "ring8" else 0.05)


def test_unknown_names_and_paths():
    with pytest.raises(ValueError, match="valid: mnist \\(embedded\\), ring8, grid25, any TFDS name"):
        data.check_name("no_such_dataset_xyz")
    with pytest.raises(ValueError, match="does not exist"):
        data.load("folder:/no/such/dir")
    with pytest.raises(ValueError, match="valid splits"):
        data.load("mnist", split="validation")


def test_tfds_not_prepared_and_offline_fails_fast_with_the_fix(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "_reachable", lambda host_port, timeout=3.0: False)
    with pytest.raises(ValueError, match=r"tfds build cifar10.*--config.data.tfds_dir"):
        data.load("cifar10", tfds_dir=str(tmp_path))


def test_reachability_probe_gives_up_on_a_closed_port():
    import socket

    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert sources._reachable(("127.0.0.1", port), timeout=1.0) is False


def test_cache_modes_change_neither_the_examples_nor_their_order(monkeypatch):
    rng = np.random.default_rng(3)
    source = data.from_arrays(rng.integers(0, 256, (37, 5, 5, 2), dtype=np.uint8),
                              labels=rng.integers(0, 10, 37))
    paired = data.from_paired_arrays(rng.integers(0, 256, (21, 8, 8, 1), dtype=np.uint8),
                                     rng.integers(0, 256, (21, 8, 8, 3), dtype=np.uint8))

    def stream(make, src, cache, batches=12):  # 12 batches of 8: several epochs, start_batch 3
        it = iter(make(src, 8, cache=cache, seed=5, start_batch=3))
        return [np.concatenate([np.asarray(t).ravel() for t in next(it)]) for _ in range(batches)]

    for make, src in ((data.pipeline, source), (data.paired_pipeline, paired)):
        reference = stream(make, src, "memory")
        np.testing.assert_array_equal(stream(make, src, "none"), reference)
        for budget in ("1", str(10 ** 9)):  # auto deciding either way
            monkeypatch.setenv("GANZOO_CACHE_BYTES", budget)
            np.testing.assert_array_equal(stream(make, src, "auto"), reference)
    with pytest.raises(ValueError, match="unknown cache 'disk'; valid: auto, memory, none"):
        data.pipeline(source, 8, cache="disk")
    monkeypatch.setenv("GANZOO_CACHE_BYTES", "4GB")
    with pytest.raises(ValueError, match="GANZOO_CACHE_BYTES must be a whole number of bytes"):
        data.pipeline(source, 8)


def test_auto_cache_keeps_what_fits_in_the_budget():
    import tensorflow as tf

    from ganzoo.data.pipeline import cached, example_bytes

    images = tf.zeros((50, 8, 8, 3), tf.uint8)  # 192 bytes an image
    dataset = tf.data.Dataset.from_tensor_slices((images, tf.zeros((50,), tf.int64)))  # + 8
    assert example_bytes(dataset) == 200
    assert cached(dataset, 50, "auto", budget=10_000) is not dataset  # 50 x 200 fits exactly
    assert cached(dataset, 50, "auto", budget=9_999) is dataset
    assert cached(dataset, None, "auto", budget=1) is not dataset  # size unknown: cached
    assert cached(dataset, 50, "none") is dataset and cached(dataset, 50, True) is not dataset
    # shapes unknown in the spec (a folder of mixed sizes): read from the first example
    ragged = tf.data.Dataset.from_generator(lambda: iter([np.zeros((4, 6, 3), np.uint8)] * 3),
                                            output_signature=tf.TensorSpec((None, None, 3), tf.uint8))
    assert example_bytes(ragged) == 72
