"""Mode coverage on a 2-D mixture with and without the batch-level tricks of the layer library.

    python tools/mode_study.py [--dataset grid25 --steps 5000 --batch_size 64 --seeds 0,1]

Trains the toy GAN of ``zoo_configs/gan_<dataset>.py`` once per variant and seed on the same
budget: ``baseline``, ``minibatch_discrimination`` and ``minibatch_stddev`` in D (Salimans et al.
2016; Karras et al. 2018), ``virtual_batch_norm`` in G (Salimans et al. 2016). Then draws
``--samples`` points from each and prints ``ganzoo.metrics.mode_coverage`` (modes captured,
fraction of high-quality samples, reverse KL to uniform) per run and averaged over seeds, and
writes them to ``--out`` (JSON) if given.
"""

import argparse
import importlib
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import ganzoo  # noqa: E402  (first: it imports TensorFlow with its start-up logs quietened)
import numpy as np  # noqa: E402
from ganzoo import data as data_lib  # noqa: E402
from ganzoo.data import toy  # noqa: E402
from ganzoo.images import atomic_write_text  # noqa: E402
from ganzoo.metrics import mode_coverage  # noqa: E402

VARIANTS = {
    "baseline": {},
    "minibatch_discrimination": {"minibatch": "discrimination"},
    "minibatch_stddev": {"minibatch": "stddev"},
    "virtual_batch_norm": {"vbn_reference": 64},
}


def train_one(config, overrides, seed, steps):
    import keras

    from ganzoo.run import make_optimizer

    source = data_lib.load(config.dataset, toy_size=config.data.toy_size, seed=seed)
    arch = dict(config.arch.to_dict(), **overrides)
    model = ganzoo.build("gan", image_shape=source.element_shape, seed=seed, **arch)
    train = config.train
    model.compile(g_optimizer=make_optimizer(train, train.lr_g),
                  d_optimizer=make_optimizer(train, train.lr_d), loss=train.loss,
                  d_steps=train.d_steps)
    dataset = data_lib.pipeline(source, train.batch_size, d_steps=train.d_steps, labels=False, seed=seed)
    keras.utils.set_random_seed(seed)
    model.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0)
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=["grid25", "ring8"], default="grid25")
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--batch_size", type=int, default=0,
                        help="0: the zoo config's (256); minibatch discrimination's cost grows as its square")
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--samples", type=int, default=2500)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    variants = [v for v in args.variants.split(",") if v]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variants {unknown}; valid: {', '.join(VARIANTS)}")
    seeds = [int(s) for s in args.seeds.split(",") if s]
    config = importlib.import_module(f"zoo_configs.gan_{args.dataset}").get_config()
    if args.batch_size:
        config.train.batch_size = args.batch_size
    modes, std = toy.mixture(args.dataset)
    results = {}
    print(f"{args.dataset}: {len(modes)} modes, {args.steps} steps x {config.train.batch_size}, "
          f"{args.samples} samples, seeds {seeds}")
    print(f"{'variant':<26}{'seed':>5}{'modes':>7}{'high-q':>8}{'rev-KL':>8}{'sec':>7}")
    for variant in variants:
        results[variant] = []
        for seed in seeds:
            start = time.perf_counter()
            model = train_one(config, VARIANTS[variant], seed, args.steps)
            samples = model.generate(args.samples, seed=1000 + seed)
            cover = mode_coverage(samples, modes, std)
            cover["seconds"] = time.perf_counter() - start
            results[variant].append(dict(cover, seed=seed))
            print(f"{variant:<26}{seed:>5}{cover['modes_captured']:>7}"
                  f"{cover['high_quality']:>8.3f}{cover['reverse_kl']:>8.3f}"
                  f"{cover['seconds']:>7.0f}", flush=True)
    print("\nmean over seeds")
    for variant, runs in results.items():
        print(f"{variant:<26}{'':>5}{np.mean([r['modes_captured'] for r in runs]):>7.1f}"
              f"{np.mean([r['high_quality'] for r in runs]):>8.3f}"
              f"{np.mean([r['reverse_kl'] for r in runs]):>8.3f}")
    if args.out:
        atomic_write_text(args.out, json.dumps(
            {"dataset": args.dataset, "steps": args.steps, "batch_size": config.train.batch_size,
             "seeds": seeds, "samples": args.samples, "results": results}, indent=1), ".json")


if __name__ == "__main__":
    main()
