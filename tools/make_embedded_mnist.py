"""Rebuilds ganzoo/data/embedded/ from the official MNIST IDX files.

    python tools/make_embedded_mnist.py ../shared/data/mnist

train: the first 20,000 images and labels of the official training split, re-gzipped (mtime 0,
level 9, so the output is byte-for-byte reproducible); test: the official t10k files copied
as they are. Checks the md5 of each official file first.
"""

import argparse
import gzip
import hashlib
import os
import shutil

OFFICIAL_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
TRAIN_SUBSET = 20_000
OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "ganzoo", "data", "embedded")


def md5(path):
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", help="directory with the four official MNIST .gz files")
    args = parser.parse_args()
    for name, digest in OFFICIAL_MD5.items():
        got = md5(os.path.join(args.source, name))
        if got != digest:
            raise SystemExit(f"{name}: md5 {got} is not the official {digest}")
    os.makedirs(OUT, exist_ok=True)
    for kind, header_len, item in (("images-idx3", 16, 784), ("labels-idx1", 8, 1)):
        name = f"train-{kind}-ubyte.gz"
        with gzip.open(os.path.join(args.source, name), "rb") as f:
            raw = f.read()
        header = bytearray(raw[:header_len])
        header[4:8] = TRAIN_SUBSET.to_bytes(4, "big")  # the count field of the IDX header
        body = raw[header_len:header_len + TRAIN_SUBSET * item]
        with open(os.path.join(OUT, name), "wb") as out:
            with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9, mtime=0) as f:
                f.write(bytes(header) + body)
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shutil.copyfile(os.path.join(args.source, name), os.path.join(OUT, name))
    for name in sorted(os.listdir(OUT)):
        if name.endswith(".gz"):
            print(f"{md5(os.path.join(OUT, name))}  {name}")


if __name__ == "__main__":
    main()
