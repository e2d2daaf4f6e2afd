"""The README's table of presets, from the registry (ganzoo/pretrained/index.json).

    python tools/presets_table.py

One row a preset: name, what it is, size, where it lives, its measured figures (as
``tools/publish.py`` recorded them with ``python -m ganzoo.evaluate``) and, for MNIST presets,
the targets met; unpublished presets show the paper's figure and what they need.
"""

import json
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INDEX = os.path.join(REPO, "ganzoo", "pretrained", "index.json")
COLUMNS = (("fid", "FID", "{:.3g}"), ("recall", "recall", "{:.3f}"),
           ("class_consistency", "class consistency", "{:.3f}"),
           ("modes_captured", "modes", "{:.0f}"), ("high_quality", "high-quality", "{:.1%}"),
           ("l1", "L1", "{:.4f}"), ("ssim", "SSIM", "{:.3f}"),
           ("classifier_score", "classifier score", "{:.3f}"))


def number(key, fmt, value):
    if key == "fid" and value >= 1:
        return f"{value:.2f}"
    return fmt.format(value)


def metadata(name):
    for folder in (os.path.join(REPO, "ganzoo", "pretrained", name),
                   os.path.join(REPO, "runs", "presets", "published", name)):
        path = os.path.join(folder, "metadata.json")
        if os.path.exists(path):
            with open(path) as f:
                return json.load(f)
    return {}


def main():
    with open(INDEX) as f:
        index = json.load(f)
    print("| preset | what | size | where | measured | targets met |")
    print("|---|---|---|---|---|---|")
    for name, entry in index.items():
        if not entry.get("files"):
            if entry.get("needs"):
                print(f"| `{name}` | {entry['description']} | | not published: needs "
                      f"{entry['needs']} | paper: {entry['paper']} | |")
            else:
                print(f"| `{name}` | {entry['description']} | | not published yet: "
                      f"`python tools/train_presets.py --only {name}` | | |")
            continue
        figures = ", ".join(f"{label} {number(key, fmt, entry['metrics'][key])}"
                            for key, label, fmt in COLUMNS if key in entry["metrics"])
        targets = metadata(name).get("targets") or []
        met = ", ".join(f"{what} {'yes' if ok else 'no'}" for what, _, _, ok in targets)
        where = "ships with ganzoo" if entry.get("shipped") else "built here (not in the wheel)"
        print(f"| `{name}` | {entry['description']} | {entry['size_mb']} MB | {where} | "
              f"{figures} | {met} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
