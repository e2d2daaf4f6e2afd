"""Markdown table of ``metrics.json`` files written by ``python -m ganzoo.evaluate``.

    python tools/metrics_table.py docs/metrics/*.json

One row a file: the run (model and step, or the real-data baseline), the sample and reference
counts, and every metric the files hold (KID and IS with their standard deviations).
"""

import argparse
import json
import math
import os

COLUMNS = [("fid", "FID", None), ("kid", "KID", "kid_std"), ("is", "IS", "is_std"),
           ("precision", "precision", None), ("recall", "recall", None),
           ("density", "density", None), ("coverage", "coverage", None),
           ("class_consistency", "class consistency", None),
           ("parzen_ll", "Parzen LL (nats)", "parzen_stderr"),
           ("modes_captured", "modes", None), ("high_quality", "high quality", None),
           ("reverse_kl", "reverse KL", None)]


def fmt(value, spread=None):
    if isinstance(value, int):
        text = str(value)
    elif abs(value) >= 100:
        text = f"{value:.1f}"
    elif abs(value) >= 1:
        text = f"{value:.2f}"
    else:
        text = f"{value:.3f}" if abs(value) >= 0.01 else f"{value:.4f}"
    if spread is not None and math.isfinite(spread):
        text += f" ± {fmt(spread)}"
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    records = []
    for path in args.files:
        with open(path) as f:
            records.append((os.path.basename(path)[: -len(".json")], json.load(f)))
    present = [c for c in COLUMNS if any(c[0] in r["results"] for _, r in records)]
    print("| run | samples vs reference | " + " | ".join(title for _, title, _ in present) + " |")
    print("|---" * (len(present) + 2) + "|")
    for name, record in records:
        ref = record["reference"]
        what = ("real training digits" if record.get("baseline")
                else f"{record['model']} step {record['step']}")
        cells = [f"{name} ({what})",
                 f"{record.get('source_count', record['num_samples'])} vs {ref['count']} {ref['split']}"]
        results = record["results"]
        for key, _, spread in present:
            cells.append(fmt(results[key], results.get(spread) if spread else None)
                         if key in results else "")
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
