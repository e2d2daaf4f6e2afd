"""Request bodies in TF Serving's REST format for a ganzoo export, and optionally send them.

    python tools/serving_request.py serving/dcgan_mnist/1 --num 4 --seed 0 > body.json
    python tools/serving_request.py serving/acgan_mnist/1 --num 10 --label 0,1,2,3,4,5,6,7,8,9
    python tools/serving_request.py serving/acgan_mnist/1 --signature sample --num 16 --seed 3
    python tools/serving_request.py serving/pix2pix_fashion_edges/1 --images edges.npz
    ... --post http://localhost:8501/v1/models/dcgan_mnist:predict --png out.png

Reads the export's signature (names, dtypes, shapes) and builds the body it expects: the row
format (``{"signature_name": ..., "instances": [{"z": [...], "label": 3}, ...]}``) when every
input has a batch dimension, the columnar format (``{"signature_name": ..., "inputs": {...}}``)
when one is a scalar (the ``sample`` signature's ``seed`` and ``num``). Latents are drawn as
``model.sample_latents`` draws them (NumPy's default_rng(seed), from the model's latent prior,
which the export names in assets.extra/ganzoo_latents.json: standard normal by default). With
``--post`` it sends the body and writes the returned ``images`` as a PNG grid (``--png``).
Needs TensorFlow and NumPy only, not ganzoo.
"""

import argparse
import json
import os
import sys
import urllib.request

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's start-up lines off


def signature_inputs(export_path, signature="serving_default"):
    """name -> (numpy dtype, shape with None for unknown dims) of a signature's inputs."""
    import tensorflow as tf

    loaded = tf.saved_model.load(export_path)
    if signature not in loaded.signatures:
        raise ValueError(f"{export_path} has no signature {signature!r} "
                         f"(signatures: {', '.join(loaded.signatures)})")
    _, specs = loaded.signatures[signature].structured_input_signature
    return {name: (spec.dtype.as_numpy_dtype, tuple(spec.shape.as_list()))
            for name, spec in specs.items()}


def request_body(signature, inputs, specs):
    """The REST body for ``inputs`` (name -> array), checked against ``specs``."""
    if set(inputs) != set(specs):
        raise ValueError(f"signature {signature!r} takes {sorted(specs)}, got {sorted(inputs)}")
    arrays = {}
    for name, (dtype, shape) in specs.items():
        array = np.asarray(inputs[name]).astype(dtype)
        if array.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, array.shape)):
            raise ValueError(f"input {name!r} must have shape {shape}, got {array.shape}")
        arrays[name] = array
    if all(len(shape) >= 1 for _, shape in specs.values()):
        n = {a.shape[0] for a in arrays.values()}
        if len(n) != 1:
            raise ValueError(f"inputs of one request must share their batch size, got {sorted(n)}")
        rows = [{name: a[i].tolist() for name, a in arrays.items()} for i in range(n.pop())]
        return {"signature_name": signature, "instances": rows}
    return {"signature_name": signature, "inputs": {name: a.tolist() for name, a in arrays.items()}}


def latent_prior(export_path):
    """The distribution of the export's latents, from its assets.extra/ganzoo_latents.json
    (exports made before the file existed: normal)."""
    path = os.path.join(export_path, "assets.extra", "ganzoo_latents.json")
    if not os.path.exists(path):
        return "normal"
    with open(path) as f:
        return json.load(f)["latent_prior"]


def draw_latents(num, dim, seed, prior="normal"):
    """``model.sample_latents(num, seed)`` of a model with this prior (NumPy's default_rng)."""
    bounds = {"uniform": 1.0, "uniform_sqrt3": 3.0 ** 0.5}
    draw = np.random.default_rng(seed)
    if prior == "normal":
        return draw.standard_normal((num, dim)).astype(np.float32)
    if prior not in bounds:
        raise ValueError(f"unknown latent_prior {prior!r} in the export; valid: normal, "
                         f"{', '.join(bounds)}")
    return draw.uniform(-bounds[prior], bounds[prior], (num, dim)).astype(np.float32)


def inputs_for(specs, signature, num, seed, labels, images, prior="normal"):
    inputs = {}
    for name, (_, shape) in specs.items():
        if name == "z":
            inputs[name] = draw_latents(num, shape[1], seed, prior)
        elif name == "label":
            inputs[name] = (np.resize(labels, num) if labels is not None else np.arange(num) % 10)
        elif name == "seed":
            inputs[name] = np.int64(seed)
        elif name == "num":
            inputs[name] = np.int32(num)
        elif name == "images":
            if images is None:
                raise ValueError("this signature translates images: give --images FILE.npz "
                                 "(uint8 [N, H, W, C] under 'images' or the first array)")
            inputs[name] = images
        else:
            raise ValueError(f"unknown input {name!r} of signature {signature!r}")
    return inputs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export", help="an export's version folder: OUT/NAME/VERSION")
    parser.add_argument("--signature", default="serving_default")
    parser.add_argument("--num", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--label", default=None, help="comma-separated class labels")
    parser.add_argument("--images", default=None, help=".npz of uint8 source images")
    parser.add_argument("--post", default=None, help="a TF Serving :predict URL to send it to")
    parser.add_argument("--png", default="response.png", help="where --post writes the images")
    args = parser.parse_args(argv)
    try:
        specs = signature_inputs(args.export, args.signature)
        labels = None if args.label is None else np.array([int(v) for v in args.label.split(",")])
        images = None
        if args.images:
            with np.load(args.images) as f:
                images = f["images"] if "images" in f.files else f[f.files[0]]
        inputs = inputs_for(specs, args.signature, args.num, args.seed, labels, images,
                            latent_prior(args.export))
        body = request_body(args.signature, inputs, specs)
    except (ValueError, OSError) as error:
        parser.exit(2, f"serving_request.py: error: {error}\n")
    if not args.post:
        json.dump(body, sys.stdout)
        print()
        return 0
    request = urllib.request.Request(args.post, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.load(response)
    rows = answer.get("predictions") or answer.get("outputs")
    images = np.array([r["images"] for r in rows] if isinstance(rows, list) else rows["images"],
                      np.uint8)
    from PIL import Image

    grid = np.concatenate(list(images), axis=1)
    Image.fromarray(grid[..., 0] if grid.shape[-1] == 1 else grid).save(args.png)
    print(f"serving_request.py: {len(images)} images from {args.post} -> {os.path.abspath(args.png)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
