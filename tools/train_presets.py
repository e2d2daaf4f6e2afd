"""Train the runs behind the zoo's published presets, one after another (resumable).

    python tools/train_presets.py [--only NAME[,NAME...]] [--list] [--root runs/presets]

Each preset's recipe is its registry entry's ``command`` (``ganzoo.presets.registry()``): the
zoo config of its entry, trained longer than the 10-minute default where that buys quality,
with an exponential moving average of the generator's weights. A run that stopped resumes from
its newest checkpoint (``ganzoo.run`` does that); a finished one is skipped. Then publish each:

    python tools/publish.py --workdir runs/presets/NAME --name NAME
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from ganzoo import presets  # noqa: E402


def finished(workdir, steps):
    path = os.path.join(workdir, "checkpoints", f"ckpt-{steps:08d}.keras")
    return os.path.exists(path) and os.path.exists(os.path.join(workdir, "samples.png"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="comma-separated preset names (default: all "
                        "that can be trained here)")
    parser.add_argument("--list", action="store_true", help="print the recipes and exit")
    args = parser.parse_args(argv)
    trainable = {name: entry for name, entry in presets.registry().items()
                 if entry.get("trainable_here")}
    names = [n for n in args.only.split(",") if n] or list(trainable)
    unknown = [n for n in names if n not in trainable]
    if unknown:
        parser.error(f"not a preset trained here: {', '.join(unknown)} "
                     f"(valid: {', '.join(trainable)})")
    for name in names:
        entry = trainable[name]
        command = entry["command"]
        if args.list:
            print(f"{name}: {command}")
            continue
        argv_run = shlex.split(command)
        workdir = argv_run[argv_run.index("--workdir") + 1]
        steps = int(argv_run[argv_run.index("--steps") + 1])
        if finished(workdir, steps):
            print(f"{name}: done ({workdir})", flush=True)
            continue
        print(f"{name}: {command}", flush=True)
        start = time.time()
        argv_run[0] = sys.executable
        os.makedirs(os.path.dirname(workdir.rstrip("/")) or ".", exist_ok=True)
        with open(workdir.rstrip("/") + ".log", "a") as log:
            status = subprocess.call(argv_run + ["--config.log.verbose=2"], stdout=log,
                                     stderr=subprocess.STDOUT)
        seconds = time.time() - start
        timing = os.path.join(workdir, "train_time.json")
        earlier = 0.0
        if os.path.exists(timing):  # a resumed run: the time of its earlier part too
            with open(timing) as f:
                earlier = json.load(f).get("seconds", 0.0)
        with open(timing, "w") as f:
            json.dump({"seconds": round(earlier + seconds, 1), "exit_status": status}, f)
        print(f"{name}: exit {status} after {seconds / 60:.1f} min", flush=True)
        if status:
            return status
    return 0


if __name__ == "__main__":
    sys.exit(main())
