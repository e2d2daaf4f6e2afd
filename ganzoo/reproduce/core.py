"""The machinery the paper tables share: runs, resumable training, cached scores, reports.

A table is a ``Table`` subclass: its ``runs(quick)`` are ``Run``s (one ``python -m ganzoo.run``
training each, or a preset to load), ``score(run, workdir, quick)`` measures one finished run
with the paper's protocol, and ``report(results, quick, figures)`` writes the Markdown beside
the paper's numbers. ``reproduce(table, ...)`` trains what is missing (a killed run resumes from
its newest checkpoint, finished runs are skipped), scores each run once (``score.json`` in its
workdir, written atomically and keyed on the run's command, so a changed recipe is re-run rather
than silently reused), and writes ``TABLE.md`` with its pictures.

Each scored run's record is also kept beside the report, in ``TABLE/results/RUN/`` (see
``write_record``): committed with the report, it lets a machine that never trained the run (a
later session, a user's clone) rewrite the report or continue the table without training the
run again; a record whose recipe no longer matches the table's run is ignored.
"""

import dataclasses
import hashlib
import json
import os
import shlex
import subprocess
import sys
import time

import ganzoo
from ganzoo.images import atomic_write_text


class ReproduceError(ValueError):
    """A table cannot run as asked: reported as one line, exit status 2 (CLI)."""


@dataclasses.dataclass
class Run:
    """One training run of a table (or, with ``preset``, a published model to score)."""

    name: str  # its folder under the table's workdir
    args: list  # ganzoo.run flags, without --workdir
    row: dict  # what it varies (e.g. {"dataset": "ring8", "pack": 2}): its row of the table
    seed: int = 0
    steps: int = 0
    preset: str = ""
    note: str = ""  # for a run that trains nothing (steps 0): what it scores, for the report
    # where the args' {placeholders} point on this machine (e.g. {"mnist_dir": "/data/mnist"}):
    # not part of the recipe's key, so that a record made elsewhere is the same run; the table's
    # ``data_digest`` covers what such a folder holds. {root} is the table's run folder.
    paths: dict = dataclasses.field(default_factory=dict)

    def expanded_args(self, root):
        """``args`` with {root} and the ``paths`` placeholders filled in."""
        places = {"root": root, **self.paths}
        out = []
        for arg in self.args:
            for name, value in places.items():
                arg = arg.replace("{" + name + "}", value)
            out.append(arg)
        return out

    def command(self, workdir):
        if self.note:
            return self.note
        if self.preset:
            return f"ganzoo.load({self.preset!r})"
        args = self.expanded_args(os.path.dirname(workdir.rstrip(os.sep)))
        return shlex.join(["python", "-m", "ganzoo.run", *args, "--workdir", workdir])

    def key(self):
        """Identity of the run's recipe (its args before the placeholders are filled in, so
        not where this machine keeps the data): a score cached under another key is stale."""
        parts = [self.args, self.preset, self.steps] + ([self.note] if self.note else [])
        text = json.dumps(parts, sort_keys=True)
        return hashlib.sha1(text.encode()).hexdigest()[:12]


class Table:
    """A paper table (see the module docstring)."""

    name = ""
    title = ""
    paper = ""  # citation with link
    goal = ""  # what ganzoo aims at, in one sentence
    minutes = 0.0  # expected minutes on 2 CPU cores, full table
    quick_minutes = 0.0
    # training steps of each run (an int, or {dataset: steps}); tables without it (a fixed
    # series of recipes, a preset) refuse --steps
    steps = None
    paper_steps = 0  # the papers' budget in steps, for --list and the report
    paper_steps_note = ""  # what is known of the table's recipe at that budget, for --list
    budget = 0  # set by ``set_steps``: every run trains this many steps, in a folder of its own

    def set_steps(self, steps):
        """``--steps``: every training run of the table trains ``steps`` steps (the papers'
        budget, say); the runs live in TABLE_<steps>steps/ and the report is
        TABLE_<steps>steps.md, beside the default budget's."""
        if self.steps is None:
            raise ReproduceError(f"{self.name} has no single training budget to change "
                                 "(--steps is for mode_collapse, ssgan, stacked_mnist)")
        if not isinstance(steps, int) or steps <= 0:
            raise ReproduceError(f"--steps must be a positive integer, got {steps!r}")
        self.minutes = self.minutes * steps / self.mean_steps()
        self.steps = {k: steps for k in self.steps} if isinstance(self.steps, dict) else steps
        self.budget = steps

    def mean_steps(self):
        """The default budget: steps a run (the mean over datasets where they differ)."""
        values = list(self.steps.values()) if isinstance(self.steps, dict) else [self.steps]
        return sum(values) / len(values)

    def folder_name(self, quick):
        """The table's run folder and report name: TABLE, TABLE_quick, TABLE_<N>steps."""
        return (self.name + ("_quick" if quick else "")
                + (f"_{self.budget}steps" if self.budget else ""))

    def flags(self, quick):
        """The command-line flags that give this table as it is set (for the report)."""
        return ((" --quick" if quick else "")
                + (f" --mnist_dir {self.mnist_dir}" if getattr(self, "mnist_dir", None) else "")
                + (f" --steps {self.budget}" if self.budget else ""))

    def runs(self, quick):
        raise NotImplementedError

    def prepare(self, root, quick):
        """Called before the runs with the table's run folder: write data files the runs'
        arguments name as ``{root}/...``."""

    def score(self, run, workdir, quick):
        """{metric: value} of one finished run (JSON-serialisable)."""
        raise NotImplementedError

    def report(self, results, quick, figures):
        """Markdown of the table. ``results``: [(run, workdir, score, seconds)], in ``runs``
        order; ``figures``: folder for pictures (linked relative to the report's folder)."""
        raise NotImplementedError

    def data_digest(self, root):
        """A digest of data that ``prepare`` wrote and the runs' commands do not name (their
        keys do not cover it): a run's record beside the report is used only for the same."""
        return ""

    # files in a scored run's folder that ``report`` reads (samples, points): kept in the run's
    # record beside the report with its score and curve (arrays compressed, losslessly)
    artifacts = ()

    # The metric's training curve: a table that sets ``curve`` = (axis label, "linear" or
    # "log") and defines ``checkpoint_metric`` gets the metric at every kept checkpoint of each
    # trained run (cached in its folder's curve.json) and a figure of them in its report.
    curve = None
    # the goal's value of that metric, drawn across the figure as a dotted line: a number, or
    # {panel: number} where the goal differs by panel (None: no line)
    curve_goal = None

    def checkpoint_metric(self, run, workdir, model, quick):
        """The curve's figure (a number) for one checkpoint's ``model``."""
        raise NotImplementedError

    def curve_panel(self, run):
        """Which panel of the curve figure a run's line goes in (one panel a value)."""
        return ""

    def curve_label(self, run):
        """The legend label of a run's line (runs sharing a label share a colour)."""
        return run.name


def checkpoint_step(workdir):
    """The step of a workdir's newest checkpoint (0 when it has none)."""
    from ganzoo import callbacks as cb

    found = cb.list_checkpoints(os.path.join(workdir, "checkpoints"))
    return found[-1][0] if found else 0


def newest_checkpoint(workdir):
    from ganzoo import callbacks as cb

    found = cb.list_checkpoints(os.path.join(workdir, "checkpoints"))
    if not found:
        hint = ""
        if os.path.exists(os.path.join(workdir, "score.json")):
            hint = (" (a run whose record came from beside the report keeps no checkpoint: "
                    f"delete its record in {RESULTS}/ and {workdir} to train it again)")
        raise ReproduceError(f"no checkpoint in {workdir}/checkpoints{hint}")
    return found[-1][1]


def load_run_model(workdir):
    """The model of a workdir's newest checkpoint."""
    import keras

    return keras.saving.load_model(newest_checkpoint(workdir), compile=False)


def array_digest(arrays):
    """A short SHA-1 of arrays' contents, in order (a table's ``data_digest``)."""
    import numpy as np

    digest = hashlib.sha1()
    for array in arrays:
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()[:12]


def read_json(path, default=None):
    if not os.path.exists(path):
        return default
    with open(path) as f:
        return json.load(f)


def cached_json(path, compute):
    """The JSON object at ``path``, else ``compute()``'s, written there atomically first."""
    cached = read_json(path)
    if cached is None:
        cached = compute()
        atomic_write_text(path, json.dumps(cached))
    return cached


def _train(run, workdir, root):
    """Trains (or resumes) one run in a child process; returns its wall seconds."""
    os.makedirs(workdir, exist_ok=True)
    spec_path = os.path.join(workdir, "reproduce_run.json")
    spec = read_json(spec_path)
    if spec is not None and spec.get("key") != run.key():
        raise ReproduceError(
            f"{workdir} holds a run of another recipe ({spec.get('command')}); delete it to "
            f"train {run.name} afresh, or pass another --workdir")
    atomic_write_text(spec_path, json.dumps({"key": run.key(), "command": run.command(workdir)},
                                            indent=1))
    command = [sys.executable, "-m", "ganzoo.run", *run.expanded_args(root), "--workdir", workdir,
               "--config.log.verbose=2"]
    start = time.time()
    with open(os.path.join(workdir, "train.log"), "a") as out:
        status = subprocess.call(command, stdout=out, stderr=subprocess.STDOUT)
    seconds = time.time() - start
    timing_path = os.path.join(workdir, "reproduce_time.json")
    earlier = read_json(timing_path, {}).get("seconds", 0.0)
    atomic_write_text(timing_path, json.dumps({"seconds": round(earlier + seconds, 1)}))
    if status:
        tail = ""
        with open(os.path.join(workdir, "train.log")) as f:
            lines = [line.strip() for line in f.read().splitlines() if line.strip()]
            tail = lines[-1] if lines else ""
        raise ReproduceError(f"training {run.name} failed (exit {status}): {tail} "
                             f"(log: {workdir}/train.log)")
    return seconds


# a run's record, beside the report: these files of its folder and the table's artifacts, then
# record.json (the run's key and the table's data digest), written last: a record cut short by a
# kill has none and is no record
RECORD_FILES = ("reproduce_run.json", "reproduce_time.json", "curve.json", "score.json")
RECORD = "record.json"
RESULTS = "results"


def _record_files(table):
    """(name in the run's folder, name in the record)."""
    names = [*table.artifacts, *RECORD_FILES]
    return [(name, name[:-len(".npy")] + ".npz" if name.endswith(".npy") else name)
            for name in names]


def _write_bytes(path, content):
    with open(path, "wb") as f:
        f.write(content)


def _same_file(path, data):
    if not os.path.exists(path):
        return False
    with open(path, "rb") as f:
        return f.read() == data


def write_record(table, run, workdir, folder, data=""):
    """Copies a scored run's record from ``workdir`` into ``folder/RUN/`` (each file atomically;
    an unchanged file is not rewritten, so a committed record changes only where the run did);
    ``data``: the table's data digest (``Table.data_digest``), kept with the run's key."""
    import numpy as np

    from ganzoo.images import atomic_savez
    from ganzoo.images import atomic_write

    marker = json.dumps({"key": run.key(), "data": data}, indent=1).encode()
    marker_path = os.path.join(folder, run.name, RECORD)
    if os.path.exists(marker_path) and not _same_file(marker_path, marker):
        os.remove(marker_path)  # another recipe's record: not valid while its files are replaced
    for name, stored in _record_files(table):
        source, target = os.path.join(workdir, name), os.path.join(folder, run.name, stored)
        if not os.path.exists(source):
            continue
        if name.endswith(".npy"):
            array = np.load(source)
            if os.path.exists(target):
                with np.load(target) as f:
                    if f["array"].dtype == array.dtype and np.array_equal(f["array"], array):
                        continue
            atomic_savez(target, compressed=True, array=array)
            continue
        with open(source, "rb") as f:
            content = f.read()
        if not _same_file(target, content):
            atomic_write(target, lambda tmp, content=content: _write_bytes(tmp, content))
    if not _same_file(marker_path, marker):
        atomic_write(marker_path, lambda tmp: _write_bytes(tmp, marker))


def restore_record(table, run, workdir, folder, data=""):
    """Writes the record of ``run`` kept in ``folder/RUN/`` back into ``workdir`` when it is of
    the run's recipe and the table's ``data`` and ``workdir`` holds no run of another recipe;
    returns whether it did."""
    import numpy as np

    from ganzoo.images import atomic_write

    record = os.path.join(folder, run.name)
    if read_json(os.path.join(record, RECORD)) != {"key": run.key(), "data": data}:
        return False
    spec = read_json(os.path.join(workdir, "reproduce_run.json"))
    if spec is not None and spec.get("key") != run.key():
        return False
    for name, stored in _record_files(table):
        source, target = os.path.join(record, stored), os.path.join(workdir, name)
        if not os.path.exists(source):
            continue
        if name.endswith(".npy"):
            with np.load(source) as f:
                array = f["array"]
            atomic_write(target, lambda tmp, array=array: np.save(tmp, array), ".npy")
            continue
        with open(source, "rb") as f:
            content = f.read()
        atomic_write(target, lambda tmp, content=content: _write_bytes(tmp, content))
    return True


def prune_records(runs, folder):
    """Removes the records of runs the table no longer has."""
    import shutil

    if not os.path.isdir(folder):
        return
    names = {run.name for run in runs}
    for entry in sorted(os.listdir(folder)):
        if entry not in names and os.path.isdir(os.path.join(folder, entry)):
            shutil.rmtree(os.path.join(folder, entry))


def selected_runs(runs, names):
    """The runs named in ``names`` and the trained runs that a named derived run samples
    (``row["from"]``); ReproduceError naming the table's runs for an unknown name."""
    known = [run.name for run in runs]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ReproduceError(f"no run {', '.join(map(repr, unknown))} in this table; its runs: "
                             f"{', '.join(known)}")
    wanted = set(names)
    wanted |= {run.row["from"] for run in runs if run.name in wanted and run.row.get("from")}
    return wanted


def reproduce(table, workdir_root, out_dir, quick=False, log=print, report_only=False,
              only=None):
    """Runs a table end to end (resumable); returns the report's path. ``report_only``: train
    nothing and score no unfinished run; write the report of the runs scored so far (marked
    partial), with their training curves. ``only``: names of runs to train and score (and the
    runs they derive from); the others are used where already scored, and the report is
    written only when every run of the table is (else None is returned). A run not scored in
    ``workdir_root`` whose record is kept beside the report (``out_dir/TABLE/results``) counts
    as scored: its record is copied into its folder; every scored run's record is kept there."""
    runs = table.runs(quick)
    wanted = selected_runs(runs, only) if only else None
    root = os.path.join(workdir_root, table.folder_name(quick))
    records = os.path.join(out_dir, table.folder_name(quick), RESULTS)
    results = []
    restored = []
    total_start = time.time()
    table.prepare(root, quick)
    data = table.data_digest(root)

    curves = {}  # run name: its curve, of the trained runs (with --runs, of the named ones)

    def keep(run, workdir):
        """The scored run's record beside the report at once (with its curve), so that a table
        stopped or failing later keeps it."""
        if getattr(table, "curve", None) and run.steps and (wanted is None or run.name in wanted):
            curves[run.name] = training_curve(table, run, workdir, quick, log)
        write_record(table, run, workdir, records, data)

    for index, run in enumerate(runs, 1):
        workdir = os.path.join(root, run.name)
        prefix = f"[{index}/{len(runs)}] {run.name}"
        score_path = os.path.join(workdir, "score.json")
        cached = read_json(score_path)
        if (cached is None or cached.get("key") != run.key()) and restore_record(
                table, run, workdir, records, data):
            cached = read_json(score_path)
            restored.append(run.name)
        if cached is not None and cached.get("key") == run.key():
            log(f"{prefix}: done" + (f" (its record read from {records})"
                                     if run.name in restored else ""))
            results.append((run, workdir, cached["score"], cached.get("seconds", 0.0)))
            keep(run, workdir)
            continue
        if report_only or (wanted is not None and run.name not in wanted):
            log(f"{prefix}: not finished ("
                + ("left out of the report)" if report_only else "not in --runs)"))
            continue
        if run.steps:
            done = checkpoint_step(workdir)
            if done < run.steps:
                state = f"resuming at step {done}" if done else "from scratch"
                log(f"{prefix}: training {run.steps} steps ({state})")
                _train(run, workdir, root)
            if checkpoint_step(workdir) < run.steps:
                raise ReproduceError(f"{workdir} stopped at step {checkpoint_step(workdir)} of "
                                     f"{run.steps}; see {workdir}/train.log")
        else:
            os.makedirs(workdir, exist_ok=True)
        log(f"{prefix}: scoring")
        start = time.time()
        score = table.score(run, workdir, quick)
        score_seconds = time.time() - start
        seconds = read_json(os.path.join(workdir, "reproduce_time.json"), {}).get("seconds", 0.0)
        atomic_write_text(score_path, json.dumps(
            {"key": run.key(), "command": run.command(workdir), "seed": run.seed,
             "row": run.row, "seconds": seconds, "score_seconds": round(score_seconds, 1),
             "score": score}, indent=1, default=float))
        log(f"{prefix}: {summarise(score)}")
        results.append((run, workdir, score, seconds))
        keep(run, workdir)
    if wanted is not None and len(results) < len(runs):
        log(f"report not written: {len(results)} of {len(runs)} runs scored; without --runs "
            "the table trains the rest and writes it")
        return None
    if not results:
        raise ReproduceError(f"no run of {table.name} has finished yet; run python -m "
                             f"ganzoo.reproduce {table.name}")
    prune_records(runs, records)
    name = table.folder_name(quick)
    figures = os.path.join(out_dir, name)
    os.makedirs(figures, exist_ok=True)
    body = table.report(results, quick, figures)
    if getattr(table, "curve", None):
        # every scored run's curve (--runs scored the named ones; the others' are cached)
        drawn = [(run, curves[run.name] if run.name in curves
                  else training_curve(table, run, workdir, quick, log))
                 for run, workdir, _, _ in results if run.steps]
        body += curve_section(table, drawn, figures)
    text = header(table, results, quick, time.time() - total_start, restored) + body
    if len(results) < len(runs):
        text = text.replace("\n\n", f"\n\n**Partial report**: {len(results)} of {len(runs)} runs "
                            f"finished; `python -m ganzoo.reproduce {table.name}"
                            f"{table.flags(quick)}` continues the "
                            "others.\n\n", 1)
    path = os.path.join(out_dir, name + ".md")
    atomic_write_text(path, text)
    return path


def training_curve(table, run, workdir, quick, log=print):
    """[(step, metric)] at every kept checkpoint of a trained run, cached in its curve.json
    (keyed on the run's recipe; checkpoints not yet scored are added)."""
    import keras

    from ganzoo import callbacks as cb

    path = os.path.join(workdir, "curve.json")
    cached = read_json(path, {})
    points = {int(k): v for k, v in cached.get("points", {}).items()} if (
        cached.get("key") == run.key()) else {}
    found = cb.list_checkpoints(os.path.join(workdir, "checkpoints"))
    missing = [(step, ckpt) for step, ckpt in found if step not in points]
    if missing:
        log(f"{run.name}: scoring {len(missing)} checkpoint(s) for the curve")
    for step, ckpt in missing:
        model = keras.saving.load_model(ckpt, compile=False)
        points[step] = float(table.checkpoint_metric(run, workdir, model, quick))
        atomic_write_text(path, json.dumps({"key": run.key(), "points": points}))
    return sorted(points.items())


def curve_styles(labels):
    """{label: matplotlib line style}: the ten default colours with round markers, then again
    with other markers on dashed lines, so no two of up to 50 labels are drawn alike."""
    return {name: {"color": f"C{i % 10}", "marker": "os^Dv"[i // 10 % 5],
                   "ls": "-" if i < 10 else "--"} for i, name in enumerate(labels)}


def curve_section(table, curves, figures):
    """The report's "Training curve" section: one figure, a panel a ``table.curve_panel``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ganzoo.images import atomic_write

    curves = [(run, points) for run, points in curves if points]
    if not curves:
        return ""
    label, scale = table.curve
    panels = list(dict.fromkeys(table.curve_panel(run) for run, _ in curves))
    labels = list(dict.fromkeys(table.curve_label(run) for run, _ in curves))
    styles = curve_styles(labels)
    from matplotlib.ticker import MaxNLocator

    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 3.6), squeeze=False)
    for ax, panel in zip(axes.flat, panels):
        shown = set()
        for run, points in curves:
            if table.curve_panel(run) != panel:
                continue
            name = table.curve_label(run)
            steps, values = zip(*points)
            ax.plot(steps, values, ms=3, label=None if name in shown else name, **styles[name])
            shown.add(name)
        goal = (table.curve_goal.get(panel) if isinstance(table.curve_goal, dict)
                else table.curve_goal)
        if goal is not None:
            ax.axhline(goal, color="0.3", ls=":", lw=1.2, label=f"goal ({goal:g})")
        ax.set_yscale(scale)
        ax.set_xlabel("training step")
        ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))  # long step numbers stay apart
        ax.set_ylabel(label)
        ax.set_title(panel or table.name, fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    path = os.path.join(figures, "training_curve.png")
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=90, format="png"), suffix=".png")
    plt.close(fig)
    folder = os.path.basename(figures)
    return ("\n## Training curve\n\n"
            f"{label[:1].upper()}{label[1:]} at every kept checkpoint of each trained run, scored "
            "as in the table "
            "(`curve.json` in each run's folder)"
            + ("; the dotted line: the goal" if table.curve_goal is not None else "") + ":\n\n"
            f"![training curve]({folder}/training_curve.png)\n")


def summarise(score):
    parts = []
    for key, value in score.items():
        if isinstance(value, float):
            parts.append(f"{key} {value:.4g}")
        elif isinstance(value, (int, str)):
            parts.append(f"{key} {value}")
    return ", ".join(parts[:8])


def header(table, results, quick, seconds, restored=()):
    train_minutes = sum(r[3] for r in results) / 60
    lines = [
        f"# {table.title}" + (" (quick version)" if quick else ""),
        "",
        f"Paper: {table.paper}",
        "",
        f"Goal: {table.goal}",
        "",
        f"Reproduce: `python -m ganzoo.reproduce {table.name}{table.flags(quick)}` "
        f"(ganzoo {ganzoo.__version__}; {len(results)} runs; training wall time "
        f"{train_minutes:.1f} min, measured when each run was trained).",
        "",
    ]
    if restored:
        lines += [f"{len(restored)} of the {len(results)} runs were trained and scored earlier "
                  "(possibly on another machine): their figures, curves and samples are read from "
                  f"the records in `{table.folder_name(quick)}/{RESULTS}/` beside this report "
                  "(each keyed on its run's command; delete one to train and score it again).", ""]
    if quick:
        lines += ["**Quick version**: reduced budgets for tests; its figures say nothing about "
                  "the method.", ""]
    return "\n".join(lines) + "\n"


def mean_std(values):
    import numpy as np

    values = np.asarray(values, np.float64)
    if len(values) == 0:
        return float("nan"), float("nan")
    return float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0


def seeds_phrase(n):
    """"1 seed", "3 seeds": a table row's count of the runs it averages."""
    return f"{n} seed{'s' * (n != 1)}"


def fmt_mean_std(values, digits=2):
    mean, std = mean_std(values)
    return f"{mean:.{digits}f} ± {std:.{digits}f}" if len(values) > 1 else f"{mean:.{digits}f}"


def markdown_table(header_row, rows):
    lines = ["| " + " | ".join(header_row) + " |", "|" + "---|" * len(header_row)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def commands_section(results):
    lines = ["## Commands", "", "Each run, as `python -m ganzoo.reproduce` ran it (seed, wall "
             "time of its training):", ""]
    for run, workdir, _, seconds in results:
        lines.append(f"- `{run.command(workdir)}` (seed {run.seed}, {seconds / 60:.1f} min)")
    return "\n".join(lines) + "\n"


def sample_pictures(results, figures, nrow):
    """Markdown rows ``| run | picture |`` of each run's saved ``grid.npy`` samples, written as
    PNG grids into ``figures``."""
    import numpy as np

    from ganzoo.images import save_image_grid

    folder = os.path.basename(figures)
    rows = ["| run | samples |", "|---|---|"]
    for run, workdir, _, _ in results:
        save_image_grid(np.load(os.path.join(workdir, "grid.npy")),
                        os.path.join(figures, f"{run.name}.png"), nrow=nrow)
        rows.append(f"| {run.name} | ![{run.name}]({folder}/{run.name}.png) |")
    return rows
