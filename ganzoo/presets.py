"""Pretrained presets: ``ganzoo.load(name_or_path)`` and the registry behind it.

A preset is a directory (the keras-hub layout)::

    config.json        {"zoo_name": "dcgan", "class_name": "DCGAN", "config": model.get_config()}
    model.weights.h5   generator, discriminator and (when kept) the EMA generator
    metadata.json      name, entry, dataset, training command and config, versions, measured
                       metrics with the command that measured them, licence, and the sha256
                       of every other file
    samples.png        samples of the published model
    README.md          the model card

``load`` takes a registered name (``list_presets()``), a preset directory, a ``.keras`` file,
an archive (``.tar.gz``/``.tgz``/``.zip``) by path or by ``file://``, ``http://`` or ``https://``
URL, ``hf://owner/repo[/folder]`` (needs ``huggingface_hub``) or ``kaggle://handle`` (needs
``kagglehub``). Downloads and unpacked archives live in one cache, ``$GANZOO_HOME`` (default
``~/.cache/ganzoo``), written atomically. Every load checks every file's sha256 (against the
registry for a registered name, else against the preset's own metadata) and refuses a
mismatch, naming the file. ``GANZOO_OFFLINE=1`` never touches the network. Loading never runs
code from a preset: its class must be a zoo entry and Keras' ``safe_mode`` stays on.
"""

import difflib
import hashlib
import json
import os
import shutil
import tarfile
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
import zipfile

from ganzoo.images import atomic_write

CONFIG = "config.json"
WEIGHTS = "model.weights.h5"
METADATA = "metadata.json"
SAMPLES = "samples.png"
CARD = "README.md"
PRESET_FILES = (CONFIG, WEIGHTS, METADATA, SAMPLES, CARD)
PACKAGE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pretrained")
INDEX = os.path.join(PACKAGE_DIR, "index.json")
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip")
CONNECT_TIMEOUT = 10.0  # seconds to a response's headers (name lookup included)
READ_TIMEOUT = 30.0  # seconds any one read of a download may wait


class PresetError(ValueError):
    """A preset that cannot be found, fetched, verified or loaded (one-line message)."""


# -- where things live ------------------------------------------------------------------------

def home():
    """The cache of downloads and unpacked presets: ``$GANZOO_HOME`` or ``~/.cache/ganzoo``."""
    return os.path.expanduser(os.environ.get("GANZOO_HOME") or os.path.join("~", ".cache", "ganzoo"))


def offline():
    """True when ``GANZOO_OFFLINE`` is set to anything but empty, 0 or false."""
    return os.environ.get("GANZOO_OFFLINE", "").strip().lower() not in ("", "0", "false", "no")


def registry():
    """name -> registry entry (dict): the zoo's presets, published or not."""
    with open(INDEX) as f:
        return json.load(f)


def _published(entry):
    return bool(entry.get("files"))


def list_presets():
    """name -> one-line description of every registered preset (those whose weights are not
    published say so)."""
    out = {}
    for name, entry in registry().items():
        line = entry["description"]
        if not _published(entry):
            line += f" [weights not published: needs {entry.get('needs', 'training elsewhere')}]"
        elif entry.get("shipped"):
            line += f" [ships with ganzoo, {entry['size_mb']} MB]"
        else:
            line += f" [{entry['size_mb']} MB, not shipped: {_where_hint(name)}]"
        out[name] = line
    return out


def _where_hint(name):
    return f"put it in {os.path.join(home(), 'presets', name)}"


# -- hashing and verification ----------------------------------------------------------------

def file_digest(path, algorithm="sha256"):
    """Hex digest of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_file(path):
    return file_digest(path, "sha256")


def verify(directory, expected=None):
    """Checks every file of a preset directory: against ``expected`` (name -> sha256, from the
    registry) when given, and always against the sha256s its metadata.json lists. PresetError
    naming the first file that is missing or differs."""
    meta_path = os.path.join(directory, METADATA)
    checks = dict(expected or {})
    if not os.path.isfile(meta_path):
        raise PresetError(f"{directory} is not a preset: no {METADATA}")
    try:
        with open(meta_path) as f:
            listed = json.load(f).get("files") or {}
    except (OSError, ValueError) as error:
        raise PresetError(f"{meta_path} is not valid JSON: {error}") from None
    for required in (CONFIG, WEIGHTS):
        if required not in listed:
            raise PresetError(f"{meta_path} lists no sha256 for {required}")
    for name, digest in listed.items():
        checks.setdefault(name, digest)
        if expected is not None and name in expected and expected[name] != digest:
            raise PresetError(f"sha256 mismatch: {os.path.join(directory, name)} is listed in "
                              f"{METADATA} with another digest than the registry's")
    for name, digest in sorted(checks.items()):
        path = os.path.join(directory, name)
        if os.path.basename(name) != name:
            raise PresetError(f"{meta_path} names a file outside the preset: {name!r}")
        if not os.path.isfile(path):
            raise PresetError(f"preset {directory} is missing {name}")
        got = sha256_file(path)
        if got != digest:
            raise PresetError(f"sha256 mismatch: {path} is {got[:12]}..., expected "
                              f"{digest[:12]}...; refusing to load it")


# -- building a model from a preset -----------------------------------------------------------

def _zoo_class(class_name=None, zoo_name=None):
    from ganzoo import registry as model_registry

    names = model_registry.list_models()
    if zoo_name is not None:
        if zoo_name not in names:
            raise PresetError(f"refusing a preset of class {zoo_name!r}: not a zoo entry "
                              f"({', '.join(names)})")
        cls = model_registry.get_model_class(zoo_name)
        if class_name is not None and cls.__name__ != class_name:
            raise PresetError(f"refusing a preset: class {class_name!r} is not the zoo's "
                              f"{zoo_name} ({cls.__name__})")
        return cls
    for name in names:
        cls = model_registry.get_model_class(name)
        if cls.__name__ == class_name:
            return cls
    raise PresetError(f"refusing a model of class {class_name!r}: not a zoo entry "
                      f"({', '.join(names)})")


def preset_config(model):
    """What config.json holds for a model."""
    return {"zoo_name": model.zoo_name, "class_name": type(model).__name__,
            "config": model.get_config()}


def _model_from_config(path):
    try:
        with open(path) as f:
            spec = json.load(f)
    except (OSError, ValueError) as error:
        raise PresetError(f"cannot read {path}: {error}") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("config"), dict):
        raise PresetError(f"{path} has no model config")
    cls = _zoo_class(spec.get("class_name"), spec.get("zoo_name"))
    config = dict(spec["config"])
    if not all(isinstance(v, (str, int, float, bool, list, type(None))) for v in config.values()):
        raise PresetError(f"refusing {path}: a zoo model's config holds plain values only")
    try:
        return cls.from_config(config)
    except (TypeError, ValueError) as error:
        raise PresetError(f"cannot build {cls.__name__} from {path}: {error}") from None


def _compile(model, metadata):
    """Compiles with the preset's training recipe (optimizers, loss, d_steps) when its
    metadata has one, else with the entry's paper defaults."""
    train = ((metadata or {}).get("config") or {}).get("train")
    if not train:
        model.compile()
        return
    import ml_collections

    from ganzoo.run import compile_for_training

    compile_for_training(model, ml_collections.ConfigDict(train))


def read_metadata(directory):
    with open(os.path.join(directory, METADATA)) as f:
        return json.load(f)


def load_preset_dir(directory, expected=None, compile=False):
    """The GANModel of a preset directory, every file checked first."""
    verify(directory, expected)
    model = _model_from_config(os.path.join(directory, CONFIG))
    try:
        model.load_weights(os.path.join(directory, WEIGHTS))
    except Exception as error:  # noqa: BLE001 - a file that does not fit its config
        raise PresetError(f"cannot load {os.path.join(directory, WEIGHTS)} into "
                          f"{type(model).__name__}: {str(error).splitlines()[0]}") from None
    model.preset_metadata = read_metadata(directory)
    if compile:
        _compile(model, model.preset_metadata)
    return model


def load_keras_file(path, compile=False):
    """A zoo model saved with ``model.save(path)``; refuses other classes before building."""
    import keras

    try:
        with zipfile.ZipFile(path) as archive:
            spec = json.loads(archive.read("config.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise PresetError(f"{path} is not a .keras file: {error}") from None
    module = str(spec.get("module", ""))
    if not module.startswith("ganzoo.models."):
        raise PresetError(f"refusing {path}: its model {spec.get('class_name')!r} (module "
                          f"{module!r}) is not a zoo entry")
    _zoo_class(spec.get("class_name"))
    try:
        return keras.saving.load_model(path, compile=compile, safe_mode=True)
    except Exception as error:  # noqa: BLE001
        raise PresetError(f"cannot load {path}: {type(error).__name__}: "
                          f"{str(error).splitlines()[0] if str(error) else ''}") from None


# -- saving ------------------------------------------------------------------------------------

def save_preset(model, directory, metadata=None, samples_png=None, card=None):
    """Writes a preset directory (atomically: a sibling temporary directory renamed into
    place; an existing directory is replaced only once the new one is whole). ``metadata``
    gains ``files`` (the sha256 of every other file) and ``sizes``. Returns the metadata."""
    directory = os.path.abspath(directory)
    parent = os.path.dirname(directory)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".preset-", dir=parent)
    try:
        with open(os.path.join(tmp, CONFIG), "w") as f:
            json.dump(preset_config(model), f, indent=1, sort_keys=True)
        model.save_weights(os.path.join(tmp, WEIGHTS))
        if samples_png is not None:
            shutil.copyfile(samples_png, os.path.join(tmp, SAMPLES))
        meta = dict(metadata or {})
        if card is not None:
            with open(os.path.join(tmp, CARD), "w") as f:
                f.write(card(meta) if callable(card) else card)
        names = sorted(n for n in os.listdir(tmp) if n != METADATA)
        meta["files"] = {n: sha256_file(os.path.join(tmp, n)) for n in names}
        meta["sizes"] = {n: os.path.getsize(os.path.join(tmp, n)) for n in names}
        with open(os.path.join(tmp, METADATA), "w") as f:
            json.dump(meta, f, indent=1, sort_keys=True)
        for name in os.listdir(tmp):
            with open(os.path.join(tmp, name), "rb") as f:
                os.fsync(f.fileno())
        if os.path.exists(directory):
            old = tempfile.mkdtemp(prefix=".old-preset-", dir=parent)
            os.replace(directory, os.path.join(old, "x"))
            os.replace(tmp, directory)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return meta


def make_archive(directory, archive_path):
    """``archive_path`` (.tar.gz, written atomically) holding the preset directory as its one
    top-level folder; owners and times zeroed, so the same files give the same members."""
    name = os.path.basename(os.path.abspath(directory))

    def write(tmp):
        with tarfile.open(tmp, "w:gz") as tar:
            for entry in sorted(os.listdir(directory)):
                info = tar.gettarinfo(os.path.join(directory, entry), arcname=f"{name}/{entry}")
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                info.mtime = 0
                with open(os.path.join(directory, entry), "rb") as f:
                    tar.addfile(info, f)

    atomic_write(archive_path, write, ".tar.gz")
    return archive_path


# -- archives and downloads --------------------------------------------------------------------

def _check_member(archive, name, is_file, is_dir):
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or ".." in parts:
        raise PresetError(f"refusing archive {archive}: member {name!r} would land outside "
                          "its folder (absolute path or '..')")
    if not (is_file or is_dir):
        raise PresetError(f"refusing archive {archive}: member {name!r} is a link or a "
                          "special file")


def extract_archive(archive, dest):
    """Unpacks a preset archive into ``dest`` (created atomically) after checking every
    member: no absolute paths, no '..', no links or devices. Returns the preset folder in it."""
    if os.path.isdir(dest):
        return _preset_root(dest, archive)
    parent = os.path.dirname(dest)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".unpack-", dir=parent)
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as z:
                for info in z.infolist():
                    mode = (info.external_attr >> 16) & 0o170000
                    _check_member(archive, info.filename, mode in (0, 0o100000) and not info.is_dir(),
                                  info.is_dir())
                z.extractall(tmp)
        else:
            try:
                with tarfile.open(archive) as tar:
                    members = tar.getmembers()
                    for m in members:
                        _check_member(archive, m.name, m.isfile(), m.isdir())
                    tar.extractall(tmp, members=members, filter="data")
            except (tarfile.TarError, EOFError, OSError) as error:
                raise PresetError(f"{archive} is not a readable preset archive ({error}); a "
                                  "truncated download? delete it and try again") from None
        os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return _preset_root(dest, archive)


def _preset_root(folder, archive):
    if os.path.isfile(os.path.join(folder, CONFIG)):
        return folder
    subs = [os.path.join(folder, d) for d in sorted(os.listdir(folder))
            if os.path.isfile(os.path.join(folder, d, CONFIG))]
    if len(subs) != 1:
        raise PresetError(f"archive {archive} holds no preset (no folder with {CONFIG})")
    return subs[0]


def _open_url(url, timeout):
    """urlopen with a deadline on everything up to the response headers (name lookup
    included, which socket timeouts do not cover)."""
    box = {}

    def target():
        try:
            box["response"] = urllib.request.urlopen(url, timeout=READ_TIMEOUT)
        except BaseException as error:  # noqa: BLE001 - handed to the caller
            box["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise PresetError(f"no answer from {url} within {timeout:.0f} s (no network? set "
                          "GANZOO_OFFLINE=1 to never try)")
    if "error" in box:
        error = box["error"]
        reason = getattr(error, "reason", None) or error
        raise PresetError(f"cannot download {url}: {reason}") from None
    return box["response"]


def download(url, dest, expected_sha256=None, timeout=None):
    """Fetches ``url`` to ``dest`` atomically (a temporary file renamed once whole). A body
    shorter than its Content-Length, or a sha256 other than ``expected_sha256``, leaves
    nothing at ``dest``."""
    if offline() and not url.startswith("file:"):
        raise PresetError(f"GANZOO_OFFLINE is set: not downloading {url} (put the file at "
                          f"{dest})")
    response = _open_url(url, CONNECT_TIMEOUT if timeout is None else timeout)

    def write(tmp):
        digest = hashlib.sha256()
        received = 0
        with open(tmp, "wb") as out, response:
            length = response.headers.get("Content-Length")
            while True:
                try:
                    block = response.read(1 << 20)
                except Exception as error:  # noqa: BLE001 - IncompleteRead, timeouts, resets
                    raise PresetError(f"download of {url} broke off after {received} bytes: "
                                      f"{type(error).__name__}") from None
                if not block:
                    break
                out.write(block)
                digest.update(block)
                received += len(block)
        if length is not None and received != int(length):
            raise PresetError(f"download of {url} is truncated: {received} of {length} bytes")
        if expected_sha256 and digest.hexdigest() != expected_sha256:
            raise PresetError(f"sha256 mismatch: {url} is {digest.hexdigest()[:12]}..., "
                              f"expected {expected_sha256[:12]}...; nothing kept")

    atomic_write(dest, write)
    return dest


def _url_key(url):
    base = os.path.basename(urllib.parse.urlparse(url).path) or "preset"
    return hashlib.sha256(url.encode()).hexdigest()[:12] + "-" + base


def _strip_archive_suffix(name):
    for suffix in ARCHIVE_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def fetch_archive_url(url, expected_sha256=None):
    """The unpacked preset folder of an archive URL (downloaded into the cache once)."""
    key = _url_key(url)
    archive = os.path.join(home(), "downloads", key)
    unpacked = os.path.join(home(), "unpacked", _strip_archive_suffix(key))
    if os.path.isdir(unpacked):
        return _preset_root(unpacked, url)
    if not os.path.isfile(archive):
        download(url, archive, expected_sha256)
    elif expected_sha256 and sha256_file(archive) != expected_sha256:
        raise PresetError(f"sha256 mismatch: cached {archive} differs from the registry's; "
                          "delete it and load again")
    return extract_archive(archive, unpacked)


def _hub(url):
    scheme, rest = url.split("://", 1)
    if scheme == "hf":
        try:
            import huggingface_hub
        except ImportError:
            raise PresetError(f"{url}: hf:// presets need huggingface_hub (pip install "
                              "'ganzoo[hub]')") from None
        parts = rest.strip("/").split("/")
        repo, folder = "/".join(parts[:2]), "/".join(parts[2:])
        try:
            path = huggingface_hub.snapshot_download(
                repo, allow_patterns=[f"{folder}/*" if folder else "*"],
                cache_dir=os.path.join(home(), "hf"), local_files_only=offline())
        except Exception as error:  # noqa: BLE001 - the hub's own errors, one line
            raise PresetError(f"cannot fetch {url}: {type(error).__name__}: "
                              f"{str(error).splitlines()[0] if str(error) else ''}") from None
        return os.path.join(path, folder) if folder else path
    try:
        import kagglehub
    except ImportError:
        raise PresetError(f"{url}: kaggle:// presets need kagglehub (pip install "
                          "'ganzoo[hub]')") from None
    if offline():
        raise PresetError(f"GANZOO_OFFLINE is set: not fetching {url}")
    try:
        return kagglehub.model_download(rest.strip("/"))
    except Exception as error:  # noqa: BLE001
        raise PresetError(f"cannot fetch {url}: {type(error).__name__}: "
                          f"{str(error).splitlines()[0] if str(error) else ''}") from None


# -- resolution ----------------------------------------------------------------------------------

def _registered(name, entry):
    """(directory, expected sha256s) of a registered preset, fetched if it must be."""
    if not _published(entry):
        why = "; ".join(x for x in (entry.get("paper"), entry.get("needs") and
                                    f"needs {entry['needs']}") if x)
        raise PresetError(
            f"preset {name!r} has no published weights yet" + (f" ({why})" if why else "")
            + f": train it with `{entry['command']}` "
            f"and publish it with `python tools/publish.py --workdir "
            f"runs/presets/{name} --name {name}`")
    expected = entry["files"]
    for folder in (os.path.join(PACKAGE_DIR, name), os.path.join(home(), "presets", name)):
        if os.path.isdir(folder):
            return folder, expected
    urls = entry.get("urls") or []
    if urls and not offline():
        errors = []
        for url in urls:
            try:
                return fetch_archive_url(url, entry.get("archive_sha256")), expected
            except PresetError as error:
                errors.append(str(error))
        raise PresetError(f"preset {name!r}: every source failed: {'; '.join(errors)}")
    how = (f"its archive ({', '.join(urls)})" if urls else "its files")
    raise PresetError(
        f"preset {name!r} ({entry['size_mb']} MB) is not in this install"
        + (" and GANZOO_OFFLINE is set" if urls and offline() else "")
        + f": put {how} in {os.path.join(home(), 'presets', name)}, or build it with "
        f"`{entry['command']}` then `python tools/publish.py --workdir runs/presets/{name} "
        f"--name {name} --install`")


def resolve(name_or_path):
    """('dir', folder, expected sha256s or None) or ('keras', file, None)."""
    target = os.fspath(name_or_path)
    if "://" in target:
        scheme = target.split("://", 1)[0].lower()
        if scheme in ("hf", "kaggle"):
            return "dir", _hub(target), None
        if scheme == "file":
            path = urllib.request.url2pathname(urllib.parse.urlparse(target).path)
            if not os.path.exists(path):
                raise PresetError(f"{target}: no such file")
            if path.endswith(".keras"):
                return "keras", path, None
            return "dir", (path if os.path.isdir(path) else fetch_archive_url(target)), None
        if scheme in ("http", "https"):
            return "dir", fetch_archive_url(target), None
        raise PresetError(f"unsupported address {target!r}: use a preset name, a path, "
                          "file://, http(s)://, hf:// or kaggle://")
    if os.path.isdir(target):
        return "dir", target, None
    if os.path.isfile(target):
        if target.endswith(".keras"):
            return "keras", target, None
        if target.endswith(ARCHIVE_SUFFIXES):
            key = _strip_archive_suffix(os.path.basename(target))
            digest = sha256_file(target)[:12]
            return "dir", extract_archive(target, os.path.join(home(), "unpacked",
                                                                f"{digest}-{key}")), None
        raise PresetError(f"{target} is neither a preset folder, a .keras file nor an archive "
                          f"({', '.join(ARCHIVE_SUFFIXES)})")
    entries = registry()
    if target in entries:
        folder, expected = _registered(target, entries[target])
        return "dir", folder, expected
    close = difflib.get_close_matches(target, list(entries), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise PresetError(f"unknown preset {target!r}{hint} (presets: {', '.join(entries)}; or a "
                      "preset folder, a .keras file, an archive or its URL)")


def _spec(directory):
    with open(os.path.join(directory, CONFIG)) as f:
        return json.load(f)


def preset_spec(name_or_path):
    """(zoo entry name, model config, metadata) of a preset, without building it (for the
    command line)."""
    kind, path, _ = resolve(name_or_path)
    if kind == "keras":
        raise PresetError(f"{path} is a .keras file: resume or evaluate it with --checkpoint; "
                          "--preset takes a preset name, folder or archive")
    spec = _spec(path)
    cls = _zoo_class(spec.get("class_name"), spec.get("zoo_name"))
    return cls.zoo_name, dict(spec.get("config") or {}), read_metadata(path)


def constructor_defaults(cls):
    """{argument: default} of a zoo class's constructor and its bases'."""
    import inspect

    from ganzoo.models.base import GANModel

    out = {}
    for klass in reversed(cls.__mro__):
        init = klass.__dict__.get("__init__")
        if init is None or not issubclass(klass, GANModel):
            continue
        for param in inspect.signature(init).parameters.values():
            if param.default is not param.empty:
                out[param.name] = list(param.default) if isinstance(param.default, tuple) else param.default
    return out


def load_into(model, name_or_path):
    """Loads a preset's weights into an existing model of the same architecture (to fine-tune
    it: the step counter starts again at 0). PresetError when they do not fit."""
    kind, path, expected = resolve(name_or_path)
    if kind == "keras":
        raise PresetError(f"{path} is a .keras file, not a preset")
    verify(path, expected)
    spec = _spec(path)
    if spec.get("zoo_name") != model.zoo_name:
        raise PresetError(f"preset {name_or_path} is a {spec.get('zoo_name')}, not a {model.zoo_name}")
    ignore = ("name", "trainable", "seed")
    # arguments added to the zoo after the preset was saved take their defaults (as from_config)
    config = {**constructor_defaults(type(model)), **(spec.get("config") or {})}
    theirs = json.loads(json.dumps({k: v for k, v in config.items() if k not in ignore}))
    ours = json.loads(json.dumps({k: v for k, v in model.get_config().items() if k not in ignore}))
    differ = sorted(k for k in set(theirs) | set(ours) if theirs.get(k) != ours.get(k))
    if differ:
        raise PresetError(f"preset {name_or_path} does not fit this model: "
                          + ", ".join(f"{k} {theirs.get(k)} (preset) vs {ours.get(k)}" for k in differ)
                          + " (fine-tune on data of the preset's shape and classes)")
    model.load_weights(os.path.join(path, WEIGHTS))
    model.step.assign(0)
    return model


def load(name_or_path, compile=False):
    """A ready GANModel from a preset name, folder, ``.keras`` file, archive or URL.

    ``compile=True`` compiles it with the preset's training recipe, to fine-tune it.
    Raises PresetError (a ValueError) with a one-line message when it cannot."""
    kind, path, expected = resolve(name_or_path)
    if kind == "keras":
        return load_keras_file(path, compile=compile)
    return load_preset_dir(path, expected, compile=compile)
