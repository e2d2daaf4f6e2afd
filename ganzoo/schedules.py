"""Learning-rate schedules of GAN training, counted in training steps.

A Keras optimizer evaluates its schedule at its own iteration count. In a GAN with ``d_steps =
k`` the discriminator's optimizer makes k iterations per training step, so a schedule written
in steps would run k times faster for D than for G. ``GANModel.compile`` wraps D's schedule in
``PerTrainingStep(schedule, k)`` (``per_training_step``), so both networks' rates follow the
same schedule of training steps, as in the papers' code (e.g. SN-GAN's linear decay over the
generator's iterations).

``LinearDecay`` is that linear decay to zero (Miyato & Koyama 2018, ImageNet).
"""

import keras
from keras import ops

_Schedule = keras.optimizers.schedules.LearningRateSchedule


@keras.saving.register_keras_serializable(package="ganzoo")
class PerTrainingStep(_Schedule):
    """``schedule(iterations // updates_per_step)``: a schedule of training steps for an
    optimizer that makes ``updates_per_step`` updates per training step."""

    def __init__(self, schedule, updates_per_step=1):
        if isinstance(schedule, dict):
            schedule = keras.saving.deserialize_keras_object(schedule)
        if not isinstance(schedule, _Schedule):
            raise ValueError(f"PerTrainingStep wraps a LearningRateSchedule, got {schedule!r}")
        self.schedule = schedule
        self.updates_per_step = int(updates_per_step)
        if self.updates_per_step < 1:
            raise ValueError(f"updates_per_step must be >= 1, got {updates_per_step}")

    def __call__(self, step):
        return self.schedule(ops.floor_divide(ops.cast(step, "int64"), self.updates_per_step))

    def get_config(self):
        return {"schedule": keras.saving.serialize_keras_object(self.schedule),
                "updates_per_step": self.updates_per_step}


@keras.saving.register_keras_serializable(package="ganzoo")
class LinearDecay(_Schedule):
    """``initial_learning_rate`` until ``start_step``, then linearly down to 0 at
    ``start_step + decay_steps``, and 0 after."""

    def __init__(self, initial_learning_rate, decay_steps, start_step=0):
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_steps = int(decay_steps)
        self.start_step = int(start_step)
        if self.decay_steps < 1 or self.start_step < 0:
            raise ValueError(f"LinearDecay needs decay_steps >= 1 and start_step >= 0, got "
                             f"{decay_steps} and {start_step}")

    def __call__(self, step):
        done = (ops.cast(step, "float32") - self.start_step) / self.decay_steps
        return self.initial_learning_rate * (1.0 - ops.clip(done, 0.0, 1.0))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "start_step": self.start_step}


def per_training_step(optimizer, updates_per_step):
    """Makes ``optimizer``'s schedule (if it has one) count training steps, given that it makes
    ``updates_per_step`` updates per step. Idempotent: an already wrapped schedule is rewrapped
    around its inner schedule."""
    schedule = getattr(optimizer, "_learning_rate", None)
    if not isinstance(schedule, _Schedule):
        return
    if isinstance(schedule, PerTrainingStep):
        schedule = schedule.schedule
    optimizer.learning_rate = PerTrainingStep(schedule, updates_per_step)
