"""Keras callbacks for GAN training: sample grids, loss logs, TensorBoard, checkpoints, stopping.

Each is a plain ``keras.callbacks.Callback`` usable with any ``GANModel.fit``. Every file they
write is written atomically (temporary file then rename), so a run killed at any instant leaves
the previous version or the new one, never a half-written file.
"""

import csv
import glob
import json
import os
import re

import keras
import numpy as np
import tensorflow as tf

from ganzoo.images import atomic_write, atomic_write_text, save_image_grid, save_scatter

CHECKPOINT_PATTERN = "ckpt-{step:08d}.keras"
_CHECKPOINT_RE = re.compile(r"ckpt-(\d{8})\.keras$")


def losses_finite(logs):
    """Whether every ``*loss`` entry of a Keras ``logs`` dict is finite."""
    return all(np.isfinite(float(v)) for k, v in (logs or {}).items() if k.endswith("loss"))


def model_step(model):
    return int(np.asarray(model.step))


class StepCounter(keras.callbacks.Callback):
    """Keeps ``self.step`` equal to the model's step counter without reading it every batch."""

    def on_train_begin(self, logs=None):
        self.step = model_step(self.model)

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1


class StopAtStep(StepCounter):
    """Stops ``fit`` once the model has made ``total_steps`` training steps."""

    def __init__(self, total_steps):
        super().__init__()
        self.total_steps = int(total_steps)

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs)
        if self.step >= self.total_steps:
            self.model.stop_training = True


def learning_rate(optimizer):
    return float(np.asarray(keras.ops.convert_to_numpy(optimizer.learning_rate)))


class LossHistory(StepCounter):
    """Every ``every`` steps: the mean of each loss over those steps, and both learning rates,
    kept in ``self.rows``, written to TensorBoard when ``writer`` is given.

    Keras reports running means over the epoch; the per-step value is recovered exactly as
    ``t * mean_t - (t - 1) * mean_{t-1}``.
    """

    fields = ("step", "d_loss", "g_loss", "lr_g", "lr_d")

    def __init__(self, every=50, writer=None, rows=None, echo_total=None):
        super().__init__()
        self.every = int(every)
        self.writer = writer
        self.rows = list(rows or [])
        self.echo_total = echo_total  # if set, print each row as one line "step N/total: ..."
        self._sums = {}
        self._count = 0
        self._clock = None

    def on_epoch_begin(self, epoch, logs=None):
        self._prev = {}
        self._batches = 0

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs)
        self._batches += 1
        t = self._batches
        for key in ("d_loss", "g_loss"):
            if logs and key in logs:
                mean = float(logs[key])
                value = t * mean - (t - 1) * self._prev.get(key, 0.0)
                self._prev[key] = mean
                self._sums[key] = self._sums.get(key, 0.0) + value
        self._count += 1
        if self.step % self.every == 0 and self._count:
            row = {"step": self.step}
            row.update({k: v / self._count for k, v in self._sums.items()})
            row["lr_g"] = learning_rate(self.model.g_optimizer)
            row["lr_d"] = learning_rate(self.model.d_optimizer)
            self.rows.append(row)
            if self.echo_total:
                self._echo(row, self._count)
            self._sums, self._count = {}, 0
            if self.writer is not None:
                with self.writer.as_default(step=self.step):
                    for key, value in row.items():
                        if key != "step":
                            tf.summary.scalar(key if key.startswith("lr") else f"loss/{key}", value)

    def _echo(self, row, steps):
        import time

        now = time.perf_counter()
        pace = "" if self._clock is None else f", {(now - self._clock) / steps:.3f} s/step"
        self._clock = now
        losses = ", ".join(f"{k} {row[k]:.4f}" for k in ("d_loss", "g_loss") if k in row)
        print(f"step {row['step']}/{self.echo_total}: {losses}{pace}", flush=True)

    def write_csv(self, path):
        def write(tmp):
            with open(tmp, "w", newline="") as f:
                out = csv.DictWriter(f, fieldnames=self.fields)
                out.writeheader()
                for row in self.rows:
                    out.writerow({k: row.get(k, "") for k in self.fields})

        atomic_write(path, write, suffix=".csv")

    @staticmethod
    def read_csv(path, up_to_step=None):
        if not os.path.exists(path):
            return []
        with open(path, newline="") as f:
            rows = [{k: (int(v) if k == "step" else float(v)) for k, v in row.items() if v != ""}
                    for row in csv.DictReader(f)]
        return [r for r in rows if up_to_step is None or r["step"] <= up_to_step]

    def plot(self, path):
        if not self.rows:
            return
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        steps = [r["step"] for r in self.rows]
        fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
        for key in ("d_loss", "g_loss"):
            ax.plot(steps, [r.get(key, np.nan) for r in self.rows], label=key)
        ax.set_xlabel("step")
        ax.set_ylabel(f"loss (mean over {self.every} steps)")
        ax.legend()
        ax.grid(alpha=0.3)
        atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", bbox_inches="tight"), suffix=".png")
        plt.close(fig)


def paired_rows(sources, translations, targets, per_row=8):
    """Blocks of three rows: ``per_row`` sources, their translations, their targets; images
    with different channel counts are shown in RGB."""
    blocks = [np.asarray(x, np.float32) for x in (sources, translations, targets)]
    if len({b.shape[-1] for b in blocks}) > 1:
        blocks = [np.repeat(b, 3, axis=-1) if b.shape[-1] == 1 else b for b in blocks]
    rows = []
    for start in range(0, len(blocks[0]), per_row):
        rows.extend(b[start:start + per_row] for b in blocks)
    return np.concatenate(rows), min(per_row, len(blocks[0]))


def render_samples(model, latents, labels, path, modes=None, title=None, mode_std=None):
    """Samples for fixed latents -> PNG (image grid, or a scatter plot for 2-D points).
    Paired models take fixed (sources, targets) as (latents, labels) and draw rows of
    sources / translations / targets. Returns the uint8 grid of images, or None for points."""
    if getattr(model, "paired", False):
        images, nrow = paired_rows(latents, model.translate(latents), labels)
        return save_image_grid(images, path, nrow=nrow)
    samples = model.generate_from_latents(latents, labels)
    if len(model.image_shape) == 1:
        save_scatter(samples, path, modes=modes, title=title, mode_std=mode_std)
        return None
    nrow = None
    if labels is not None and model.num_classes <= 20:
        # labels come sorted by class (see run.fixed_latents): one row per class
        nrow = int(np.sum(np.asarray(labels) == np.asarray(labels)[0]))
    return save_image_grid(samples, path, nrow=nrow)


class SampleGrid(StepCounter):
    """Every ``every`` steps, samples of the fixed latent batch to ``directory/step-N.png``
    (and to TensorBoard as an image when ``writer`` is given)."""

    def __init__(self, latents, directory, every=500, labels=None, writer=None, modes=None,
                 mode_std=None):
        super().__init__()
        self.latents, self.labels = latents, labels
        self.directory, self.every = directory, int(every)
        self.writer, self.modes, self.mode_std = writer, modes, mode_std

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs)
        if self.step % self.every == 0:
            self.write(self.step)

    def write(self, step):
        path = os.path.join(self.directory, f"step-{step:08d}.png")
        grid = render_samples(self.model, self.latents, self.labels, path, self.modes,
                              title=f"step {step}", mode_std=self.mode_std)
        if self.writer is not None:
            if grid is None:  # scatter plot: log the PNG itself
                from PIL import Image

                grid = np.asarray(Image.open(path).convert("RGB"))
            with self.writer.as_default(step=step):
                tf.summary.image("samples", grid[None], max_outputs=1)


def list_checkpoints(directory):
    """[(step, path)] of the checkpoints in ``directory``, oldest first."""
    found = []
    for path in glob.glob(os.path.join(directory, "ckpt-*.keras")):
        match = _CHECKPOINT_RE.search(os.path.basename(path))
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


class Checkpoint(StepCounter):
    """Saves the whole model (weights, both optimizers' state, step counter) as
    ``directory/ckpt-STEP.keras`` at the end of every epoch and of training, atomically, keeping
    the newest ``keep``; ``on_save(step)`` runs after each save (e.g. to write logs beside it).
    A non-finite loss stops training and saves nothing more (``diverged_at`` says when), so the
    newest checkpoint stays the last sound one."""

    def __init__(self, directory, keep=3, on_save=None):
        super().__init__()
        self.directory, self.keep, self.on_save = directory, int(keep), on_save
        self.last_saved = None
        self.diverged_at = None  # step of the first non-finite loss: nothing is saved after it

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs)
        if self.diverged_at is None and not losses_finite(logs):
            self.diverged_at = self.step
            self.model.stop_training = True

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        # a run killed mid-save leaves its temporary file: never a checkpoint, safe to remove
        for stale in glob.glob(os.path.join(self.directory, ".tmp-*")):
            os.remove(stale)

    def save(self):
        step = model_step(self.model)
        if step == self.last_saved or self.diverged_at is not None:
            return
        path = os.path.join(self.directory, CHECKPOINT_PATTERN.format(step=step))
        atomic_write(path, lambda tmp: self.model.save(tmp), suffix=".keras")
        self.last_saved = step
        for _, old in list_checkpoints(self.directory)[:-self.keep]:
            os.remove(old)
        if self.on_save:
            self.on_save(step)

    def on_epoch_end(self, epoch, logs=None):
        self.save()

    def on_train_end(self, logs=None):
        self.save()


RUN_OUTPUTS = ("losses.csv", "loss_curve.png", "eval.json", "samples.png", "samples", "tb")


def has_run_outputs(workdir):
    """Whether a workdir holds outputs of an earlier run (logs, samples, events)."""
    return any(os.path.exists(os.path.join(workdir, name)) for name in RUN_OUTPUTS)


def discard_after(workdir, step):
    """Makes a workdir's history end at ``step`` (the checkpoint a run resumes from): sample
    grids and TensorBoard events of later steps, written by a run killed after its last
    checkpoint, are removed, so the resumed run writes one coherent history. At step 0 every
    output of the earlier run goes. (losses.csv and eval.json are cut when they are read.)"""
    import shutil

    if step == 0:
        for name in RUN_OUTPUTS:
            path = os.path.join(workdir, name)
            if os.path.isdir(path):
                shutil.rmtree(path)
            elif os.path.exists(path):
                os.remove(path)
        return
    for path in glob.glob(os.path.join(workdir, "samples", "step-*.png")):
        match = re.search(r"step-(\d+)\.png$", path)
        if match and int(match.group(1)) > step:
            os.remove(path)
    truncate_events(os.path.join(workdir, "tb"), step)


def truncate_events(directory, step):
    """Rewrites every TensorBoard event file under ``directory`` without the events after
    ``step`` (atomically, file by file)."""
    if not os.path.isdir(directory):
        return
    from tensorboard.compat.proto import event_pb2

    for path in glob.glob(os.path.join(directory, "**", "events.out.tfevents.*"), recursive=True):
        kept, dropped = [], 0
        try:
            for record in tf.data.TFRecordDataset(path):
                raw = record.numpy()
                if event_pb2.Event.FromString(raw).step > step:
                    dropped += 1
                else:
                    kept.append(raw)
        except tf.errors.DataLossError:  # a record cut short by the kill
            dropped += 1
        if not dropped:
            continue

        def write(tmp, records=kept):
            with tf.io.TFRecordWriter(tmp) as out:
                for raw in records:
                    out.write(raw)

        atomic_write(path, write)


def restore_latest(model, directory):
    """Loads the newest checkpoint that reads back into ``model``; returns its step or None.

    A checkpoint that fails to load (it cannot be half-written, but a disk can fail) is skipped
    with a warning in favour of the one before it."""
    for step, path in reversed(list_checkpoints(directory)):
        try:
            model.load_weights(path)
        except Exception as error:  # noqa: BLE001 - any unreadable file: fall back to an older one
            print(f"warning: skipping unreadable checkpoint {path}: {error}")
            continue
        return model_step(model)
    return None


class PeriodicEvaluation(StepCounter):
    """Every ``every`` steps, scores ``num_samples`` samples with an
    ``ganzoo.evaluation.Evaluator``: the scalar results go to TensorBoard as ``eval/<name>``
    (when ``writer`` is given), to ``self.rows`` and, when ``path`` is given, to a JSON list
    written atomically after each evaluation."""

    def __init__(self, evaluator, every, num_samples=None, writer=None, path=None, seed=0,
                 rows=None, verbose=True):
        super().__init__()
        self.evaluator, self.every, self.num_samples = evaluator, int(every), num_samples
        self.writer, self.path, self.seed, self.verbose = writer, path, seed, verbose
        self.rows = list(rows or [])

    @staticmethod
    def read(path, up_to_step=None):
        if not path or not os.path.exists(path):
            return []
        with open(path) as f:
            rows = json.load(f)
        return [r for r in rows if up_to_step is None or r["step"] <= up_to_step]

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs)
        # a run stopping on a non-finite loss ends with its own message, not a metric's error
        if self.step % self.every == 0 and losses_finite(logs):
            self.evaluate(self.step)

    def evaluate(self, step):
        try:
            results = self.evaluator.score_model(self.model, seed=self.seed,
                                                 num_samples=self.num_samples)
        except ValueError as error:  # e.g. non-finite samples: report, keep training
            print(f"\neval at step {step} skipped: {error}")
            return None
        row = {"step": step}
        row.update({k: float(v) for k, v in results.items() if np.isscalar(v)})
        self.rows.append(row)
        if self.writer is not None:
            with self.writer.as_default(step=step):
                for key, value in row.items():
                    if key not in ("step", "seconds") and np.isfinite(value):
                        tf.summary.scalar(f"eval/{key}", value)
        if self.path:
            atomic_write_text(self.path, json.dumps(self.rows, indent=1), ".json")
        if self.verbose:
            shown = ", ".join(f"{k} {v:.4g}" for k, v in row.items() if k not in ("step", "seconds"))
            print(f"\neval at step {step}: {shown} ({row['seconds']:.1f} s)")
        return row
