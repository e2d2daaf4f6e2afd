"""Paper tables, reproduced: python -m ganzoo.reproduce TABLE [--quick] [--workdir DIR] [--out DIR]

TABLE: goodfellow_parzen, mode_collapse, stacked_mnist, ssgan, acgan (--list: each with its
paper, goal and expected time on 2 CPU cores). A table trains what it needs, scores it with the
paper's protocol and writes reports/TABLE.md; run it again to continue where it stopped.
--runs NAME,... trains and scores only those runs (the report waits for the rest). Each run's
record (figures, curve, samples) is kept in reports/TABLE/results/RUN/ once it is scored:
committed with the report, it counts as scored on another machine, so the table continues there
without training that run again (delete a record to train and score its run anew).
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from absl import app, flags  # noqa: E402

from ganzoo import _cli  # noqa: E402

PROG = "ganzoo.reproduce"
FLAGS = flags.FLAGS
flags.DEFINE_boolean("list", False, "name every table with its expected run time and exit")
flags.DEFINE_boolean("quick", False, "a reduced version of the table (minutes; for tests): its "
                     "numbers say nothing about the method")
flags.DEFINE_boolean("report_only", False, "train nothing: write the report of the runs "
                     "finished so far (marked partial when some are missing)")
flags.DEFINE_list("runs", None, "train and score only these runs of the table (comma-"
                  "separated; a row derived from a trained run trains that run too), printing "
                  "their figures; the report is written once every run is scored")
flags.DEFINE_string("workdir", os.path.join("runs", "reproduce"), "where the table's runs live "
                    "(TABLE/ or TABLE_quick/ below it); rerunning resumes them")
flags.DEFINE_string("out", None, "folder of the report TABLE.md and its pictures (default: "
                    "reports/, or WORKDIR/reports for --quick)")
flags.DEFINE_integer("steps", None, "train every run of the table this many steps instead of "
                     "its default budget (mode_collapse, ssgan, stacked_mnist; --list gives the "
                     "papers' budgets): the runs live in WORKDIR/TABLE_<N>steps and the report "
                     "is TABLE_<N>steps.md")
flags.DEFINE_string("mnist_dir", None, "the full MNIST as IDX files (60,000 training digits), "
                    "e.g. a download of the official files, for the tables that train on MNIST's "
                    "training split as the papers did: goodfellow_parzen trains on the first "
                    "50,000 and picks sigma on the last 10,000, ssgan on all 60,000 (default: the "
                    "embedded 20,000 digits; goodfellow_parzen holds 2,000 of them out)")


# the expected times below were measured on 2 cores with AVX-512; say how far they stretch elsewhere
TIME_NOTE = ("expected times: 2 CPU cores with AVX-512, where they were measured; on 2 AVX2-only "
             "cores (AMD EPYC, 2026-12-06) the acgan table's training steps took 3.4x as long")


def main(argv):
    import ganzoo
    from ganzoo.reproduce import TABLES, ReproduceError, reproduce

    names = ", ".join(TABLES)
    if FLAGS.list:
        print(TIME_NOTE)
        for name, table in TABLES.items():
            print(f"{name:<18}{table.title}\n{'':<18}about {table.minutes:.0f} min on 2 CPU cores "
                  f"(--quick: {table.quick_minutes:.1f} min); goal: {table.goal}")
            if table.paper_steps:
                steps = (", ".join(f"{k} {v:,}" for k, v in table.steps.items())
                         if isinstance(table.steps, dict) else f"{table.steps:,}")
                hours = table.minutes * table.paper_steps / table.mean_steps() / 60
                print(f"{'':<18}default budget {steps} steps a run; the papers': --steps "
                      f"{table.paper_steps} (about {hours:.0f} h on 2 CPU cores)")
                if table.paper_steps_note:
                    print(f"{'':<18}{table.paper_steps_note}")
        return
    if len(argv) != 2:
        _cli.fail(PROG, f"give one table (valid: {names}), or --list")
    name = argv[1]
    if name not in TABLES:
        import difflib

        close = difflib.get_close_matches(name, TABLES, n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        _cli.fail(PROG, f"unknown table {name!r}; {hint}valid: {names}")
    if FLAGS.runs is not None and (FLAGS.report_only or not FLAGS.runs):
        _cli.fail(PROG, "--runs takes run names (e.g. --runs default,ema) and trains them; "
                  "--report_only trains nothing: give one or the other")
    out = FLAGS.out or ("reports" if not FLAGS.quick else os.path.join(FLAGS.workdir, "reports"))
    table = TABLES[name]
    if FLAGS.mnist_dir is not None:
        if not os.path.isdir(FLAGS.mnist_dir):
            _cli.fail(PROG, f"--mnist_dir {FLAGS.mnist_dir} is not a folder")
        if not hasattr(table, "mnist_dir"):
            _cli.fail(PROG, f"--mnist_dir is for the tables that train on MNIST's training split "
                      f"(goodfellow_parzen, ssgan), not {name}")
        table.mnist_dir = FLAGS.mnist_dir
    if FLAGS.steps is not None:
        if FLAGS.quick:
            _cli.fail(PROG, "--steps and --quick exclude each other (--quick has its own budget)")
        try:
            table.set_steps(FLAGS.steps)
        except ReproduceError as error:
            _cli.fail(PROG, str(error))
    print(f"{PROG}: {table.title}: about {table.quick_minutes if FLAGS.quick else table.minutes:.1f}"
          " min on 2 CPU cores", flush=True)
    ganzoo.import_all()  # TensorFlow (quietly), once the arguments have been checked
    try:
        path = reproduce(table, FLAGS.workdir, out, quick=FLAGS.quick,
                         log=lambda line: print(f"{PROG}: {line}", flush=True),
                         report_only=FLAGS.report_only, only=FLAGS.runs)
    except ReproduceError as error:
        _cli.fail(PROG, str(error))
    if path:
        print(f"{PROG}: wrote {path}")


def console_main():
    app.run(main, flags_parser=lambda argv: _cli.parse_flags(PROG, argv))


if __name__ == "__main__":
    console_main()
    sys.exit(0)
