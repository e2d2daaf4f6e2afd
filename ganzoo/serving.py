"""SavedModels for TF Serving: ``ganzoo.export(model_or_preset, export_dir)`` (its command
line is ``python -m ganzoo.export``) writes ``serving/NAME/VERSION/`` (TF Serving's layout; the version defaults to one past the
newest there), built with Keras' ``ExportArchive`` from the generator that ``generate`` uses
(the EMA generator when the model keeps one). Its signatures need TensorFlow alone:

latent models
    ``serving_default``: ``z`` float32 [N, latent_dim] (and ``label`` int32 [N] when
    conditional) -> ``images`` uint8 [N, H, W, C] and ``images_float`` float32 in [-1, 1];
    equal to ``model.generate_from_latents(z, label)``. Models of points (the 2-D mixtures)
    return ``points`` float32 [N, D] instead.
    ``assets.extra/ganzoo_latents.json`` says which distribution ``z`` follows (the model's
    ``latent_prior``), for clients that draw it.
    ``sample``: ``seed`` int64 scalar, ``num`` int32 scalar (and ``label`` int32 [num]) -> the
    same outputs, the latents drawn in the graph as
    ``tf.random.stateless_normal([num, latent_dim], seed=[seed, 0])`` (``serving_latents``; a
    model with a uniform ``latent_prior`` draws ``stateless_uniform`` on its interval instead).
paired models (pix2pix)
    ``serving_default``: ``images`` uint8 [N, H, W, C_source] -> ``images`` uint8 translations
    and ``images_float``. Batch norm uses its moving statistics; dropout stays on when the model
    samples with it (``sample_dropout``, pix2pix's default: the paper's only noise source at
    test time), its masks fixed by the model's seed, so a request of N images gives exactly
    ``model.translate(images, batch_size=N)``.
"""

import json
import os
import shutil
import tempfile

SAMPLE_SIGNATURE = "sample"
# beside a latent model's graph, in TF Serving's assets.extra/ (files the server does not load):
# {"latent_dim": ..., "latent_prior": ...}, the distribution serving_default's z should follow
LATENTS_FILE = "ganzoo_latents.json"


def to_uint8(images):
    """float images in [-1, 1] -> uint8 [0, 255], as the exported signatures round them."""
    import numpy as np

    return np.round((np.clip(np.asarray(images, np.float32), -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)


def serving_latents(seed, num, latent_dim, prior="normal"):
    """The latents the ``sample`` signature draws for (seed, num) from the model's prior."""
    import tensorflow as tf

    from ganzoo import rng

    key = tf.stack([tf.cast(seed, tf.int64), tf.constant(0, tf.int64)])
    return rng.draw_latents([num, latent_dim], key, prior)


def _outputs(images):
    import tensorflow as tf

    images = tf.cast(images, tf.float32)
    if images.shape.rank == 2:  # 2-D points (the toy mixtures): no pixels to round
        return {"points": images}
    scaled = tf.round((tf.clip_by_value(images, -1.0, 1.0) + 1.0) * 127.5)
    return {"images": tf.cast(scaled, tf.uint8), "images_float": images}


def _next_version(model_dir):
    versions = [int(v) for v in os.listdir(model_dir) if v.isdigit()] if os.path.isdir(model_dir) else []
    return max(versions, default=0) + 1


def export(model_or_preset, export_dir, name=None, version=None, use_ema=True):
    """Writes ``export_dir/NAME/VERSION`` for TF Serving and returns its path.

    ``model_or_preset``: a GANModel, or anything ``ganzoo.load`` takes. ``name`` defaults to
    the preset's name (else the entry's); ``version`` to one past the newest in the folder.
    The folder appears whole or not at all (written beside it, then renamed)."""
    import keras
    import tensorflow as tf

    from ganzoo import presets, rng

    model = model_or_preset
    if isinstance(model_or_preset, (str, os.PathLike)):
        model = presets.load(model_or_preset)
    if not hasattr(model, "sampling_generator"):
        raise ValueError(f"ganzoo.export takes a zoo model or a preset, got {type(model).__name__}")
    metadata = getattr(model, "preset_metadata", None) or {}
    name = name or metadata.get("name") or model.zoo_name
    if not name or os.path.basename(name) != name or name in (".", ".."):
        raise ValueError(f"export name must be a plain folder name, got {name!r}")
    model_dir = os.path.join(export_dir, name)
    version = _next_version(model_dir) if version is None else int(version)
    if version < 0:
        raise ValueError(f"version must be >= 0, got {version}")
    path = os.path.join(model_dir, str(version))
    if os.path.exists(path):
        raise ValueError(f"{path} exists; pick another --version (TF Serving serves the newest)")

    network = model.sampling_generator(use_ema)
    archive = keras.export.ExportArchive()
    archive.track(network)
    if model.paired:
        shape = (None,) + tuple(model.source_shape)
        dropout = bool(getattr(model, "sample_dropout", False))

        def translate(images):
            sources = tf.cast(images, tf.float32) / 127.5 - 1.0
            with rng.random_stream(model.seed, 0, rng.G_NETWORK, 0, dropout_at_inference=dropout):
                return _outputs(network(sources, training=False))

        archive.add_endpoint("serving_default", translate,
                             input_signature=[tf.TensorSpec(shape, tf.uint8, name="images")])
    else:
        z_spec = tf.TensorSpec((None, model.latent_dim), tf.float32, name="z")
        seed_spec = tf.TensorSpec((), tf.int64, name="seed")
        num_spec = tf.TensorSpec((), tf.int32, name="num")
        if model.conditional:
            label_spec = tf.TensorSpec((None,), tf.int32, name="label")

            def serve(z, label):
                return _outputs(network([z, label], training=False))

            def sample(seed, num, label):
                return serve(serving_latents(seed, num, model.latent_dim, model.latent_prior), label)

            archive.add_endpoint("serving_default", serve, input_signature=[z_spec, label_spec])
            archive.add_endpoint(SAMPLE_SIGNATURE, sample,
                                 input_signature=[seed_spec, num_spec, label_spec])
        else:
            def serve(z):
                return _outputs(network(z, training=False))

            def sample(seed, num):
                return serve(serving_latents(seed, num, model.latent_dim, model.latent_prior))

            archive.add_endpoint("serving_default", serve, input_signature=[z_spec])
            archive.add_endpoint(SAMPLE_SIGNATURE, sample, input_signature=[seed_spec, num_spec])

    os.makedirs(model_dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{version}-", dir=model_dir)
    try:
        archive.write_out(os.path.join(tmp, "model"), verbose=False)
        if not model.paired:  # how to draw z for serving_default (tools/serving_request.py)
            os.makedirs(os.path.join(tmp, "model", "assets.extra"))
            with open(os.path.join(tmp, "model", "assets.extra", LATENTS_FILE), "w") as f:
                json.dump({"latent_dim": model.latent_dim, "latent_prior": model.latent_prior}, f)
        os.replace(os.path.join(tmp, "model"), path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return path
