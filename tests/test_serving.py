"""TF Serving exports: the signatures as saved_model_cli sees them, a fresh TensorFlow-only
process reproducing generate/translate exactly, the REST bodies of tools/serving_request.py,
and the export command line."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from conftest import REPO, fixed_sources, tiny
from ganzoo import serving

sys.path.insert(0, os.path.join(REPO, "tools"))
import serving_request  # noqa: E402

KINDS = ("unconditional", "conditional", "paired")


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """kind -> (model, export path): a DCGAN with an EMA generator, an AC-GAN with uniform
    latents, a pix2pix."""
    out = tmp_path_factory.mktemp("serving")
    models = {"unconditional": tiny("dcgan", ema_decay=0.5),
              "conditional": tiny("acgan", latent_prior="uniform"), "paired": tiny("pix2pix")}
    result = {}
    for kind, model in models.items():
        model.compile()
        # one training step, so the EMA shadows differ from the raw generator
        data = (fixed_sources(model, 8), np.zeros((8,) + model.image_shape, np.float32)) \
            if model.paired else (np.zeros((8,) + model.image_shape, np.float32),
                                  np.zeros(8, np.int32))
        model.fit(tf.data.Dataset.from_tensors(data), epochs=1, verbose=0)
        result[kind] = (model, ganzoo.export(model, str(out), name=kind))
    return result


def saved_model_cli(*args):
    result = subprocess.run([sys.executable, "-m", "tensorflow.python.tools.saved_model_cli", *args],
                            capture_output=True, text=True, timeout=300,
                            env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def signature_block(text, name):
    start = text.index(f"signature_def['{name}']")
    end = text.find("signature_def['", start + 10)
    return text[start:end if end > 0 else None]


def test_layout_is_tf_servings_and_versions_count_up(exports, tmp_path):
    model, path = exports["unconditional"]
    assert os.path.basename(path) == "1" and os.path.basename(os.path.dirname(path)) == "unconditional"
    assert {"saved_model.pb", "variables"} <= set(os.listdir(path))
    second = ganzoo.export(model, os.path.dirname(os.path.dirname(path)), name="unconditional")
    assert os.path.basename(second) == "2"
    with pytest.raises(ValueError, match="exists; pick another --version"):
        ganzoo.export(model, os.path.dirname(os.path.dirname(path)), name="unconditional", version=1)
    assert sorted(os.listdir(os.path.dirname(path))) == ["1", "2"]  # no half-written folders


def test_saved_model_cli_lists_the_signatures_with_their_dtypes_and_shapes(exports):
    model, path = exports["unconditional"]
    text = saved_model_cli("show", "--dir", path, "--all")
    block = signature_block(text, "serving_default")
    latent, (h, w, c) = model.latent_dim, model.image_shape
    assert f"inputs['z'] tensor_info:\n        dtype: DT_FLOAT\n        shape: (-1, {latent})" in block
    assert f"outputs['images'] tensor_info:\n        dtype: DT_UINT8\n        shape: (-1, {h}, {w}, {c})" in block
    assert "outputs['images_float'] tensor_info:\n        dtype: DT_FLOAT" in block
    block = signature_block(text, "sample")
    assert "inputs['seed'] tensor_info:\n        dtype: DT_INT64\n        shape: ()" in block
    assert "inputs['num'] tensor_info:\n        dtype: DT_INT32\n        shape: ()" in block

    model, path = exports["conditional"]
    text = saved_model_cli("show", "--dir", path, "--all")
    for name in ("serving_default", "sample"):
        assert "inputs['label'] tensor_info:\n        dtype: DT_INT32\n        shape: (-1)" in signature_block(text, name)

    model, path = exports["paired"]
    text = saved_model_cli("show", "--dir", path, "--all")
    block = signature_block(text, "serving_default")
    h, w, c = model.source_shape
    assert f"inputs['images'] tensor_info:\n        dtype: DT_UINT8\n        shape: (-1, {h}, {w}, {c})" in block
    assert "signature_def['sample']" not in text


@pytest.mark.parametrize("kind, signature, arrays", [
    ("unconditional", "serving_default", {"z": "latents"}),
    ("unconditional", "sample", {"seed": np.int64(7), "num": np.int32(3)}),
    ("conditional", "serving_default", {"z": "latents", "label": np.array([0, 1, 2], np.int32)}),
    ("conditional", "sample", {"seed": np.int64(7), "num": np.int32(3),
                               "label": np.array([2, 1, 0], np.int32)}),
    ("paired", "serving_default", {"images": "sources"}),
])
def test_saved_model_cli_runs_each_signature(exports, tmp_path, kind, signature, arrays):
    model, path = exports[kind]
    given = []
    for name, value in arrays.items():
        if isinstance(value, str):
            value = (model.sample_latents(3, seed=1) if value == "latents"
                     else serving.to_uint8(fixed_sources(model, 3)))
        np.save(tmp_path / f"{name}.npy", value)
        given.append(f"{name}={tmp_path / name}.npy")
    out = tmp_path / "out"
    saved_model_cli("run", "--dir", path, "--tag_set", "serve", "--signature_def", signature,
                    "--inputs", ";".join(given), "--outdir", str(out))
    images = np.load(out / "images.npy")
    assert images.dtype == np.uint8 and images.shape == (3,) + model.image_shape


FRESH = """
import sys, numpy as np, tensorflow as tf
assert "ganzoo" not in sys.modules
loaded = tf.saved_model.load(sys.argv[1])
inputs = dict(np.load(sys.argv[2]))
signature = loaded.signatures[sys.argv[3]]
outputs = signature(**{k: tf.constant(v) for k, v in inputs.items()})
np.savez(sys.argv[4], **{k: v.numpy() for k, v in outputs.items()})
"""


def fresh_process(path, signature, inputs, tmp_path):
    np.savez(tmp_path / "in.npz", **inputs)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "-c", FRESH, path, str(tmp_path / "in.npz"), signature,
                             str(tmp_path / "out.npz")], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300, env=dict(env, TF_CPP_MIN_LOG_LEVEL="3"))
    assert result.returncode == 0, result.stderr[-2000:]
    return dict(np.load(tmp_path / "out.npz"))


def test_a_fresh_tensorflow_process_reproduces_generate(exports, tmp_path):
    for kind in ("unconditional", "conditional"):
        model, path = exports[kind]
        z = model.sample_latents(5, seed=11)
        inputs = {"z": z}
        labels = None
        if model.conditional:
            labels = np.array([0, 2, 1, 0, 2], np.int32)
            inputs["label"] = labels
        out = fresh_process(path, "serving_default", inputs, tmp_path)
        expected = model.generate_from_latents(z, labels)  # the EMA generator where kept
        np.testing.assert_array_equal(out["images_float"], expected)
        np.testing.assert_array_equal(out["images"], serving.to_uint8(expected))
        if model.ema_decay:
            assert not np.array_equal(expected, model.generate_from_latents(z, use_ema=False))
        # `sample` draws its latents in the graph from the model's prior, as serving_latents does
        inputs = {"seed": np.int64(3), "num": np.int32(4)}
        if model.conditional:
            inputs["label"] = np.array([1, 1, 0, 2], np.int32)
        out = fresh_process(path, "sample", inputs, tmp_path)
        z = serving.serving_latents(3, 4, model.latent_dim, model.latent_prior).numpy()
        np.testing.assert_array_equal(out["images"], serving.to_uint8(
            model.generate_from_latents(z, inputs.get("label"))))


def test_a_fresh_tensorflow_process_reproduces_translate(exports, tmp_path):
    model, path = exports["paired"]
    sources = np.random.default_rng(5).integers(0, 256, (6,) + model.source_shape).astype(np.uint8)
    out = fresh_process(path, "serving_default", {"images": sources}, tmp_path)
    expected = model.translate(sources, batch_size=len(sources))  # dropout on, masks from the seed
    np.testing.assert_array_equal(out["images"], serving.to_uint8(expected))
    # graph and eager kernels may differ in the last float bit; the dropout masks are the same
    gap = np.abs(out["images_float"] - expected).max()
    without_dropout = np.abs(model.translate(sources, batch_size=6, dropout=False) - expected).max()
    assert gap < 1e-6 and without_dropout > 1000 * max(gap, 1e-9)


def _unpack(body, specs):
    """The arrays a REST body carries, as TF Serving would read them."""
    if "instances" in body:
        return {name: np.array([row[name] for row in body["instances"]], dtype)
                for name, (dtype, _) in specs.items()}
    return {name: np.array(body["inputs"][name], dtype) for name, (dtype, _) in specs.items()}


@pytest.mark.parametrize("kind, signature", [("unconditional", "serving_default"),
                                             ("unconditional", "sample"),
                                             ("conditional", "serving_default"),
                                             ("conditional", "sample"),
                                             ("paired", "serving_default")])
def test_rest_bodies_match_the_signatures(exports, kind, signature):
    model, path = exports[kind]
    specs = serving_request.signature_inputs(path, signature)
    images = fixed_sources(model, 3) if model.paired else None
    if images is not None:
        images = serving.to_uint8(images)
    # the export names its latent prior (the conditional model's is uniform), and the helper
    # draws z from it
    prior = serving_request.latent_prior(path)
    assert prior == ("normal" if model.paired else model.latent_prior)
    inputs = serving_request.inputs_for(specs, signature, 3, 4, np.array([2, 0, 1]), images, prior)
    body = json.loads(json.dumps(serving_request.request_body(signature, inputs, specs)))
    assert body["signature_name"] == signature
    assert ("inputs" in body) == (signature == "sample")  # scalars: the columnar format
    arrays = _unpack(body, specs)
    assert set(arrays) == set(specs)
    for name, (dtype, shape) in specs.items():
        assert arrays[name].dtype == dtype and arrays[name].ndim == len(shape)
    loaded = tf.saved_model.load(path)
    out = loaded.signatures[signature](**{k: tf.constant(v) for k, v in arrays.items()})
    assert out["images"].shape[0] == 3
    if signature == "serving_default" and not model.paired:  # the helper draws sample_latents'
        np.testing.assert_array_equal(arrays["z"], model.sample_latents(3, seed=4))
        np.testing.assert_array_equal(out["images_float"].numpy(), model.generate_from_latents(
            arrays["z"], arrays.get("label")))
    with pytest.raises(ValueError, match="takes"):
        serving_request.request_body(signature, {"bogus": np.zeros(3)}, specs)


def run_export(args, cwd):
    env = dict(os.environ, PYTHONPATH=REPO, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run([sys.executable, "-m", "ganzoo.export", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_export_command_line(tmp_path, exports):
    model, _ = exports["conditional"]
    model.save(str(tmp_path / "m.keras"))
    result = run_export(["--checkpoint", "m.keras", "--out", "serving", "--name", "acgan_tiny"], tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "wrote serving/acgan_tiny/1" in result.stdout and "tensorflow_model_server" in result.stdout
    loaded = tf.saved_model.load(str(tmp_path / "serving" / "acgan_tiny" / "1"))
    assert set(loaded.signatures) == {"serving_default", "sample"}


@pytest.mark.parametrize("args, message", [
    (["--preset", "nope_preset", "--out", "s"], "unknown preset 'nope_preset'"),
    (["--preset", "sngan_imagenet", "--out", "s"], "has no published weights yet"),
    (["--out", "s"], "give one of --preset NAME, --workdir DIR or --checkpoint FILE.keras"),
    (["--preset", "gan_ring8", "--workdir", "w", "--out", "s"], "(got --preset, --workdir)"),
    (["--preset", "gan_ring8"], "--out DIR is required"),
    (["--workdir", "nowhere", "--out", "s"], "no checkpoints in nowhere/checkpoints"),
    (["--checkpoint", "x.txt", "--out", "s"], "is not a .keras file"),
    (["--preset", "gan_ring8", "--out", "s", "--version", "-1"], "version must be >= 0"),
])
def test_export_bad_input_one_line_exit_2_nothing_written(tmp_path, args, message):
    result = run_export(args, tmp_path)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2 and len(lines) == 1, result.stderr[-2000:]
    assert lines[0].startswith("ganzoo.export: error: ") and message in lines[0], lines[0]
    assert os.listdir(tmp_path) == []
