"""Peak memory of one training step of a zoo entry, each configuration in a fresh process.

    python tools/peak_memory.py --model sagan --sizes 64,128 --pools 1,2 --batch_size 4

For each image size and SAGAN attention pooling it builds the entry at the paper's widths for
that size (``ganzoo.models.sngan.paper_architecture``), compiles it with its paper defaults and
runs one ``train_step`` (2 with --steps) on random data, then reports the process's peak
resident memory (``ru_maxrss``) minus the peak after building and compiling, i.e. what the step
itself needs (tracing included), and the attention maps' own size.
"""

import argparse
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def child(model, size, pool, batch_size, steps):
    import resource

    import numpy as np
    import tensorflow as tf

    import ganzoo

    kwargs = dict(image_shape=(size, size, 3), num_classes=0)
    if model in ("sngan", "sagan"):
        kwargs["attention_pool"] = pool
    net = ganzoo.build(model, **kwargs)
    net.compile()
    k = net.d_steps
    data = tf.data.Dataset.from_tensors(
        np.random.default_rng(0).uniform(-1, 1, (batch_size * k, size, size, 3)).astype("float32"))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    net.fit(data.repeat(steps), epochs=1, verbose=0)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    n = size // 2 if model == "sagan" else 0
    positions = n * n
    pooled = (-(-n // pool)) ** 2 if n else 0
    print(json.dumps(dict(model=model, size=size, pool=pool, batch=batch_size, d_steps=k,
                          params=int(sum(np.prod(w.shape) for w in net.trainable_weights)),
                          attention_map_mib_per_example=positions * pooled * 4 / 2 ** 20,
                          build_peak_mib=before / 1024, step_peak_mib=(after - before) / 1024)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="sagan")
    parser.add_argument("--sizes", default="64,128")
    parser.add_argument("--pools", default="1,2")
    parser.add_argument("--batch_size", type=int, default=4)
    parser.add_argument("--steps", type=int, default=1)
    parser.add_argument("--out", default=None, help="JSON file for the results")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        size, pool = (int(v) for v in args.child.split(","))
        child(args.model, size, pool, args.batch_size, args.steps)
        return
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        for pool in (int(p) for p in args.pools.split(",")):
            env = dict(os.environ, PYTHONPATH=REPO, TF_CPP_MIN_LOG_LEVEL="3")
            out = subprocess.run([sys.executable, os.path.abspath(__file__), "--model", args.model,
                                  "--batch_size", str(args.batch_size), "--steps", str(args.steps),
                                  "--child", f"{size},{pool}"],
                                 env=env, capture_output=True, text=True)
            if out.returncode:
                print(f"size {size} pool {pool}: failed: {out.stderr.strip().splitlines()[-1:]}")
                continue
            row = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append(row)
            print(f"{row['model']} {size}x{size} pool {pool} batch {row['batch']}: "
                  f"step peak {row['step_peak_mib']:.0f} MiB above the built model "
                  f"({row['build_peak_mib']:.0f} MiB), attention map "
                  f"{row['attention_map_mib_per_example']:.1f} MiB an example, "
                  f"{row['params'] / 1e6:.1f}M parameters", flush=True)
    if args.out:
        from ganzoo.images import atomic_write_text

        atomic_write_text(args.out, json.dumps(rows, indent=1), ".json")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
