"""Builds ganzoo/data/embedded/fashion/: the Fashion-MNIST footwear and bags that pix2pix's
embedded default task (``fashion_edges``: edges -> objects) is made of.

    sudo apt-get install dataset-fashion-mnist      # Debian/Ubuntu: the official IDX files
    python tools/make_embedded_fashion.py /usr/share/datasets/fashion-mnist

Keeps the four classes with strong outlines, in the spirit of the pix2pix authors' edges2shoes /
edges2handbags: sandal (5), sneaker (7), bag (8), ankle boot (9), relabelled 0..3. train: the
first 2,000 images of each class in the official training split (8,000); test: every image of
those classes in the official test split (4,000). Written as gzipped IDX files (mtime 0, level
9: byte-for-byte reproducible). Checks each input first: the md5 of the official .gz download,
or, for Debian's package (which re-gzips the same files), the md5 of the decompressed content as
Debian 0.0~git20200523.55506a9-1 ships it.

Fashion-MNIST is (c) 2017 Zalando SE, MIT licence (https://github.com/zalandoresearch/fashion-mnist).
"""

import argparse
import gzip
import hashlib
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from ganzoo.data.idx import read_idx  # noqa: E402

OFFICIAL_MD5 = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}
# md5 of the decompressed IDX content in Debian's dataset-fashion-mnist 0.0~git20200523.55506a9-1
DEBIAN_CONTENT_MD5 = {
    "train-images-idx3-ubyte.gz": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "train-labels-idx1-ubyte.gz": "9018921c3c673c538a1fc5bad174d6f9",
    "t10k-images-idx3-ubyte.gz": "8181f5470baa50b63fa0f6fddb340f0a",
    "t10k-labels-idx1-ubyte.gz": "15d484375f8d13e6eb1aabb0c3f46965",
}
CLASSES = (5, 7, 8, 9)  # sandal, sneaker, bag, ankle boot
PER_CLASS_TRAIN = 2000
OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "ganzoo", "data",
                   "embedded", "fashion")


def md5(path, decompress=False):
    with (gzip.open if decompress else open)(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


def write_idx(path, array):
    """A uint8 array as a gzipped IDX file (magic 0x0008 + ndim, big-endian dimensions)."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    with open(path, "wb") as out:
        with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9, mtime=0) as f:
            f.write(header + np.ascontiguousarray(array, np.uint8).tobytes())


def select(images, labels, per_class=None):
    keep = []
    for cls in CLASSES:
        index = np.flatnonzero(labels == cls)
        keep.append(index if per_class is None else index[:per_class])
    keep = np.sort(np.concatenate(keep))  # the official order
    relabel = {cls: i for i, cls in enumerate(CLASSES)}
    return images[keep], np.array([relabel[int(v)] for v in labels[keep]], np.uint8)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", help="directory with the four official Fashion-MNIST .gz files")
    args = parser.parse_args()
    for name, digest in OFFICIAL_MD5.items():
        path = os.path.join(args.source, name)
        if not os.path.exists(path):
            raise SystemExit(f"{path} is missing; on Debian/Ubuntu: apt-get install dataset-fashion-mnist")
        if md5(path) != digest and md5(path, decompress=True) != DEBIAN_CONTENT_MD5[name]:
            raise SystemExit(f"{name}: neither the official download (md5 {digest}) nor Debian's "
                             f"copy of it (content md5 {DEBIAN_CONTENT_MD5[name]})")
    os.makedirs(OUT, exist_ok=True)
    for prefix, per_class in (("train", PER_CLASS_TRAIN), ("t10k", None)):
        images = read_idx(os.path.join(args.source, f"{prefix}-images-idx3-ubyte.gz"))
        labels = read_idx(os.path.join(args.source, f"{prefix}-labels-idx1-ubyte.gz"))
        images, labels = select(images, labels, per_class)
        write_idx(os.path.join(OUT, f"{prefix}-images-idx3-ubyte.gz"), images)
        write_idx(os.path.join(OUT, f"{prefix}-labels-idx1-ubyte.gz"), labels)
        print(f"{prefix}: {len(images)} images, per class {np.bincount(labels).tolist()}")
    for name in sorted(os.listdir(OUT)):
        if name.endswith(".gz"):
            print(f"{name} {md5(os.path.join(OUT, name))} {os.path.getsize(os.path.join(OUT, name))}")


if __name__ == "__main__":
    main()
