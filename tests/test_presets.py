"""Pretrained presets: ganzoo.load from every kind of address, sha256 checks, safety, the cache,
GANZOO_OFFLINE, the registry's published presets, fine-tuning and the publishing tool."""

import http.server
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import threading
import time
import zipfile

import numpy as np
import pytest

import ganzoo
from conftest import REPO, tiny
from ganzoo import presets


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    """A throw-away $GANZOO_HOME, online unless a test says otherwise."""
    path = tmp_path / "home"
    monkeypatch.setenv("GANZOO_HOME", str(path))
    monkeypatch.delenv("GANZOO_OFFLINE", raising=False)
    return path


@pytest.fixture(scope="module")
def acgan_preset(tmp_path_factory):
    """A small conditional model with an EMA generator, trained one step, saved as a preset."""
    import tensorflow as tf

    model = tiny("acgan", ema_decay=0.9)
    model.compile()
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (8,) + model.image_shape).astype(np.float32)
    labels = rng.integers(0, model.num_classes, 8).astype(np.int32)
    model.fit(tf.data.Dataset.from_tensors((images, labels)), epochs=1, verbose=0)
    folder = tmp_path_factory.mktemp("presets") / "acgan_tiny"
    presets.save_preset(model, folder, {"name": "acgan_tiny", "config": {"train": {
        "optimizer": "adam", "lr_g": 3e-4, "lr_d": 1e-4, "beta1": 0.5, "beta2": 0.999,
        "momentum": 0.0, "lr_schedule": "constant", "lr_decay": 1.0, "lr_decay_start": 0,
        "steps": 10, "loss": "hinge", "d_steps": 1, "label_smoothing": 0.0}}},
        card="# acgan_tiny\n")
    return model, str(folder)


def same_samples(a, b):
    labels = np.arange(6) % a.num_classes
    return np.array_equal(a.generate(6, seed=3, labels=labels), b.generate(6, seed=3, labels=labels))


def test_save_and_load_a_preset_folder(acgan_preset):
    model, folder = acgan_preset
    assert sorted(os.listdir(folder)) == ["README.md", "config.json", "metadata.json", "model.weights.h5"]
    meta = json.load(open(os.path.join(folder, "metadata.json")))
    for name in ("README.md", "config.json", "model.weights.h5"):
        assert meta["files"][name] == presets.sha256_file(os.path.join(folder, name))
    loaded = ganzoo.load(folder)
    assert type(loaded) is type(model) and loaded.get_config() == model.get_config()
    assert same_samples(loaded, model)  # the EMA generator
    assert np.array_equal(loaded.generate(4, seed=1, use_ema=False), model.generate(4, seed=1, use_ema=False))
    for a, b in zip(loaded.discriminator.weights, model.discriminator.weights):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert loaded.g_optimizer is None  # compile=False by default


def test_compile_true_uses_the_presets_training_recipe(acgan_preset):
    _, folder = acgan_preset
    loaded = ganzoo.load(folder, compile=True)
    assert loaded.loss_name == "hinge"
    np.testing.assert_allclose(float(np.asarray(loaded.g_optimizer.learning_rate)), 3e-4, rtol=1e-6)
    np.testing.assert_allclose(float(np.asarray(loaded.d_optimizer.learning_rate)), 1e-4, rtol=1e-6)


def test_every_changed_byte_is_refused_naming_the_file(acgan_preset, tmp_path):
    _, folder = acgan_preset
    for name in ("model.weights.h5", "config.json", "README.md"):
        copy = tmp_path / f"copy-{name}"
        shutil.copytree(folder, copy)
        with open(copy / name, "r+b") as f:
            f.seek(-1, 2)
            last = f.read(1)
            f.seek(-1, 2)
            f.write(bytes([last[0] ^ 1]))
        with pytest.raises(presets.PresetError, match=f"sha256 mismatch: .*{name}"):
            ganzoo.load(str(copy))


def test_registry_digests_win_over_the_presets_own(acgan_preset, monkeypatch, home):
    _, folder = acgan_preset
    shutil.copytree(folder, home / "presets" / "acgan_tiny")
    files = json.load(open(os.path.join(folder, "metadata.json")))["files"]
    entry = {"entry": "acgan", "description": "d", "command": "c", "size_mb": 0.4,
             "files": dict(files, **{"metadata.json": presets.sha256_file(os.path.join(folder, "metadata.json"))})}
    monkeypatch.setattr(presets, "registry", lambda: {"acgan_tiny": entry})
    assert same_samples(ganzoo.load("acgan_tiny"), acgan_preset[0])
    entry["files"]["model.weights.h5"] = "0" * 64  # a registry that expects other weights
    with pytest.raises(presets.PresetError, match="sha256 mismatch"):
        ganzoo.load("acgan_tiny")


def test_archive_by_path_and_file_url_unpacks_once_into_the_cache(acgan_preset, tmp_path, home):
    model, folder = acgan_preset
    archive = presets.make_archive(folder, str(tmp_path / "acgan_tiny.tar.gz"))
    assert same_samples(ganzoo.load(archive), model)
    assert same_samples(ganzoo.load("file://" + archive), model)
    assert len(os.listdir(home / "downloads")) == 1  # the file:// copy
    assert not [n for n in os.listdir(home / "unpacked") if n.startswith(".")]  # no leftovers
    zipped = tmp_path / "acgan_tiny.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        for name in os.listdir(folder):
            z.write(os.path.join(folder, name), f"acgan_tiny/{name}")
    assert same_samples(ganzoo.load(str(zipped)), model)


def test_keras_file_loads_and_foreign_classes_are_refused(acgan_preset, tmp_path):
    import keras

    model, folder = acgan_preset
    path = str(tmp_path / "m.keras")
    model.save(path)
    assert same_samples(ganzoo.load(path), model)
    # a .keras file of another class: refused before Keras builds anything
    other = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    other.save(str(tmp_path / "other.keras"))
    with pytest.raises(presets.PresetError, match="is not a zoo entry"):
        ganzoo.load(str(tmp_path / "other.keras"))
    # a preset whose config.json names a class outside the zoo
    bad = tmp_path / "bad"
    shutil.copytree(folder, bad)
    spec = json.load(open(bad / "config.json"))
    spec.update(zoo_name="evil", class_name="Evil")
    json.dump(spec, open(bad / "config.json", "w"))
    meta = json.load(open(bad / "metadata.json"))
    meta["files"]["config.json"] = presets.sha256_file(bad / "config.json")
    json.dump(meta, open(bad / "metadata.json", "w"))
    with pytest.raises(presets.PresetError, match="refusing a preset of class 'evil': not a zoo entry"):
        ganzoo.load(str(bad))


def _tar_with(path, name, kind="file"):
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo(name)
        if kind == "symlink":
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(info)
        else:
            data = b"x"
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


@pytest.mark.parametrize("member, kind, message", [
    ("../evil.txt", "file", "outside its folder"),
    ("p/../../evil.txt", "file", "outside its folder"),
    ("/tmp/evil.txt", "file", "outside its folder"),
    ("p/link", "symlink", "is a link or a special file"),
])
def test_unsafe_archives_are_refused_and_nothing_is_unpacked(tmp_path, home, member, kind, message):
    archive = str(tmp_path / "evil.tar.gz")
    if member.startswith("/"):
        member = str(tmp_path / "abs" / "evil.txt")
    _tar_with(archive, member, kind)
    with pytest.raises(presets.PresetError, match=message):
        ganzoo.load(archive)
    assert not os.path.exists(tmp_path / "evil.txt") and not os.path.exists(tmp_path / "abs")
    assert not (home / "unpacked").exists() or os.listdir(home / "unpacked") == []


class _Server:
    """An HTTP server on 127.0.0.1 serving one body; ``truncate`` sends only half of it while
    announcing all of it; ``stall`` accepts the connection and never answers."""

    def __init__(self, body, truncate=False, stall=False):
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                if stall:
                    time.sleep(30)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if truncate else body)
                owner.requests += 1

            def log_message(self, *args):
                pass

        self.requests = 0
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/acgan_tiny.tar.gz"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_http_download_is_cached_and_a_truncated_one_keeps_nothing(acgan_preset, tmp_path, home):
    model, folder = acgan_preset
    body = open(presets.make_archive(folder, str(tmp_path / "a.tar.gz")), "rb").read()
    broken = _Server(body, truncate=True)
    try:
        with pytest.raises(presets.PresetError, match="truncated|broke off"):
            ganzoo.load(broken.url)
        assert os.listdir(home / "downloads") == []  # no partial file left behind
    finally:
        broken.close()
    good = _Server(body)
    try:
        assert same_samples(ganzoo.load(good.url), model)
        assert same_samples(ganzoo.load(good.url), model)
        assert good.requests == 1  # the second load came from the cache
    finally:
        good.close()


def test_a_server_that_never_answers_fails_within_seconds(monkeypatch, home):
    stalled = _Server(b"", stall=True)
    monkeypatch.setattr(presets, "CONNECT_TIMEOUT", 1.0)
    try:
        start = time.time()
        with pytest.raises(presets.PresetError, match="no answer from .* within 1 s"):
            ganzoo.load(stalled.url)
        assert time.time() - start < 5
    finally:
        stalled.close()


def test_offline_never_touches_the_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("network used while GANZOO_OFFLINE=1")

    monkeypatch.setenv("GANZOO_OFFLINE", "1")
    monkeypatch.setattr("urllib.request.urlopen", no_network)
    with pytest.raises(presets.PresetError, match="GANZOO_OFFLINE is set: not downloading https://"):
        ganzoo.load("https://example.invalid/p.tar.gz")
    entry = {"entry": "dcgan", "description": "d", "command": "python -m ganzoo.run ...",
             "size_mb": 7.5, "files": {"config.json": "0" * 64}, "urls": ["https://example.invalid/x.tar.gz"]}
    monkeypatch.setattr(presets, "registry", lambda: {"remote_preset": entry})
    with pytest.raises(presets.PresetError, match="not in this install and GANZOO_OFFLINE is set: put"):
        ganzoo.load("remote_preset")


def test_hub_handles_need_their_packages(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def without_hubs(name, *args, **kwargs):
        if name in ("huggingface_hub", "kagglehub"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_hubs)
    with pytest.raises(presets.PresetError, match=r"hf:// presets need huggingface_hub \(pip install 'ganzoo\[hub\]'\)"):
        ganzoo.load("hf://ganzoo/presets/dcgan_mnist")
    with pytest.raises(presets.PresetError, match="kaggle:// presets need kagglehub"):
        ganzoo.load("kaggle://ganzoo/dcgan/keras/mnist")


def test_names_the_registry_does_not_publish_say_what_to_do():
    with pytest.raises(presets.PresetError, match="unknown preset 'dcgan_mnst'; did you mean 'dcgan_mnist'"):
        ganzoo.load("dcgan_mnst")
    for name in ("sngan_cifar10", "sngan_imagenet", "sagan_imagenet"):
        with pytest.raises(presets.PresetError) as error:
            ganzoo.load(name)
        text = str(error.value)
        assert "has no published weights yet" in text and "python -m ganzoo.run --config zoo_configs/" in text
        assert "python tools/publish.py" in text and "\n" not in text
    assert "weights not published" in ganzoo.list_presets()["sngan_imagenet"]


def test_registry_entries_are_complete():
    entries = presets.registry()
    descriptions = ganzoo.list_presets()
    assert list(descriptions) == list(entries)
    for name, entry in entries.items():
        assert entry["entry"] in ganzoo.list_models(), name
        assert entry["command"].startswith("python -m ganzoo.run"), name
        if entry.get("files"):
            assert set(entry["files"]) == set(presets.PRESET_FILES), name
            assert entry["metrics"] and entry["metrics_command"].endswith(f"--preset {name}")
        if entry.get("shipped"):
            presets.verify(os.path.join(presets.PACKAGE_DIR, name), entry["files"])


def shipped():
    return [n for n, e in presets.registry().items() if e.get("shipped")]


@pytest.mark.parametrize("name", shipped())
def test_shipped_presets_load_offline_and_sample(name, monkeypatch):
    monkeypatch.setenv("GANZOO_OFFLINE", "1")
    model = ganzoo.load(name)
    meta = model.preset_metadata
    assert meta["name"] == name and meta["entry"] == model.zoo_name
    if model.paired:
        out = model.translate(np.zeros((2,) + model.source_shape, np.uint8))
    else:
        out = model.generate(16)
    assert np.isfinite(out).all() and out.min() >= -1 and out.max() <= 1
    assert out.std() > 0.05  # not a constant image


def test_readme_quick_start_line_on_a_fresh_process(tmp_path):
    """The README's one-liner, offline, with an empty cache."""
    env = dict(os.environ, PYTHONPATH=REPO, GANZOO_OFFLINE="1", GANZOO_HOME=str(tmp_path / "h"),
               TF_CPP_MIN_LOG_LEVEL="3")
    code = "import ganzoo; print(ganzoo.load('dcgan_mnist').generate(16).shape)"
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "(16, 28, 28, 1)"


def run_module(module, args, cwd, env_extra=None, timeout=600):
    env = dict(os.environ, PYTHONPATH=REPO, TF_CPP_MIN_LOG_LEVEL="3", **(env_extra or {}))
    return subprocess.run([sys.executable, *(["-m", module] if "/" not in module else [module]), *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def test_run_preset_fine_tunes_from_the_presets_weights(tmp_path):
    import keras

    preset = ganzoo.load("dcgan_mnist")
    result = run_module("ganzoo.run", ["--preset", "dcgan_mnist", "--steps", "1", "--batch_size", "8",
                                       "--workdir", "w", "--config.log.verbose=0",
                                       "--config.eval.every=0"], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    config = json.load(open(tmp_path / "w" / "config.json"))
    assert config["preset"] == "dcgan_mnist" and config["model"] == "dcgan"
    for key, value in preset.preset_metadata["config"]["arch"].items():  # the preset's architecture
        assert config["arch"][key] == value, key
    tuned = keras.saving.load_model(str(tmp_path / "w" / "checkpoints" / "ckpt-00000001.keras"))
    assert int(np.asarray(tuned.step)) == 1  # the fine-tune counts its own steps
    fresh = ganzoo.build("dcgan", image_shape=(28, 28, 1), seed=5)
    for t, p, f in zip(tuned.generator.trainable_weights, preset.generator.trainable_weights,
                       fresh.generator.trainable_weights):
        moved = np.abs(np.asarray(t) - np.asarray(p)).max()
        assert moved < 2e-3  # one Adam step of lr 2e-4 away from the preset
        if np.asarray(f).std() > 0:
            assert np.abs(np.asarray(f) - np.asarray(p)).max() > 10 * moved


def test_evaluate_preset_scores_it_on_its_own_data(tmp_path):
    result = run_module("ganzoo.evaluate", ["--preset", "gan_ring8", "--num_samples", "500"], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "GAN from preset gan_ring8" in result.stdout and "modes_captured" in result.stdout
    assert os.listdir(tmp_path) == []  # printed only, unless --out
    result = run_module("ganzoo.evaluate", ["--preset", "gan_ring8", "--model", "gan"], tmp_path)
    assert result.returncode == 2 and "--preset takes no --workdir" in result.stderr


def test_publish_turns_a_run_into_a_preset_that_loads(tmp_path):
    result = run_module("ganzoo.run", ["--model", "gan", "--dataset", "ring8", "--steps", "20",
                                       "--workdir", "run", "--config.log.verbose=0",
                                       "--config.eval.every=0"], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    result = run_module(os.path.join(REPO, "tools", "publish.py"),
                        ["--workdir", "run", "--name", "gan_ring8", "--out", "pub", "--num_samples", "300"],
                        tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    printed = json.loads(result.stdout[result.stdout.index("{"): result.stdout.rindex("}") + 1])
    entry = printed["gan_ring8"]
    folder = tmp_path / "pub" / "gan_ring8"
    assert set(entry["files"]) == set(presets.PRESET_FILES) == set(os.listdir(folder))
    presets.verify(str(folder), entry["files"])
    assert entry["archive_sha256"] == presets.sha256_file(tmp_path / "pub" / "gan_ring8.tar.gz")
    meta = presets.read_metadata(str(folder))
    record = json.load(open(tmp_path / "run" / "metrics.json"))
    assert meta["metrics"]["results"] == record["results"] and meta["steps"] == 20
    assert meta["metrics"]["command"] == "python -m ganzoo.evaluate --workdir run --num_samples 300"
    card = open(folder / "README.md").read()
    assert "| modes_captured |" in card and meta["command"] in card
    run = presets.load_keras_file(str(tmp_path / "run" / "checkpoints" / "ckpt-00000020.keras"))
    for address in (str(folder), str(tmp_path / "pub" / "gan_ring8.tar.gz")):
        np.testing.assert_array_equal(ganzoo.load(address).generate(50, seed=2), run.generate(50, seed=2))
    # an unfinished run is refused
    result = run_module(os.path.join(REPO, "tools", "publish.py"),
                        ["--workdir", "nowhere", "--name", "gan_ring8"], tmp_path)
    assert result.returncode == 2 and "holds no finished run" in result.stderr


def test_a_paired_preset_translates_and_exports_by_path(tmp_path):
    import tensorflow as tf

    from conftest import fixed_sources

    model = tiny("pix2pix")
    folder = str(tmp_path / "p2p_tiny")
    presets.save_preset(model, folder, {"name": "p2p_tiny"})
    loaded = ganzoo.load(folder)
    sources = fixed_sources(model, 3)
    np.testing.assert_array_equal(loaded.translate(sources, seed=4), model.translate(sources, seed=4))
    with pytest.raises(ValueError, match="call model.translate"):
        loaded.generate(2)
    path = ganzoo.export(folder, str(tmp_path / "serving"))  # a preset by path: named after it
    assert path == str(tmp_path / "serving" / "p2p_tiny" / "1")
    out = tf.saved_model.load(path).signatures["serving_default"](
        images=tf.constant(ganzoo.serving.to_uint8(sources)))
    assert out["images"].shape == (3,) + model.image_shape
