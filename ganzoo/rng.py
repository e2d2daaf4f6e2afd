"""The random streams of a training step, and how each replica takes its slice of them.

Every random draw inside ``GANModel.train_step`` (latents, fake labels, dropout masks) is a
stateless draw keyed on ``(seed, counter)``, where ``counter`` packs, bit for bit, the training
step, the network being updated, the D step within the training step and the purpose of the
draw. Two different tuples always give two different keys (``stream_counter`` is injective on
its domain and refuses values outside it), so no two draws of a run can share a stream however
many D steps a training step makes.

Draws are made for the *global* batch and each replica keeps its own slice
(``global_slice``), so N replicas draw exactly what one device draws for the global batch.
Dropout layers (``ganzoo.layers.Dropout``) get their keys from the ``random_stream`` context
that ``GANModel`` opens around each network call: the j-th dropout call inside a stream uses
purpose ``DROPOUT + j``.
"""

import contextlib
import threading

import tensorflow as tf

# counter = step << 32 | network << 31 | d_index << 16 | purpose
STEP_LIMIT = 2 ** 31
D_STEP_LIMIT = 2 ** 15
PURPOSE_LIMIT = 2 ** 16
D_NETWORK, G_NETWORK = 0, 1
LATENTS, LABELS, DROPOUT = 0, 1, 2  # purposes; dropout call j uses DROPOUT + j

# the distributions of z: name -> half-width of a uniform, or None for N(0, I)
LATENT_PRIORS = {"normal": None, "uniform": 1.0, "uniform_sqrt3": 3.0 ** 0.5}


def latent_bound(prior):
    """The half-width of the uniform ``prior`` (None for ``normal``); ValueError naming the
    valid priors for an unknown one."""
    if prior not in LATENT_PRIORS:
        raise ValueError(f"unknown latent_prior {prior!r}; valid: {', '.join(LATENT_PRIORS)}")
    return LATENT_PRIORS[prior]


def draw_latents(shape, seed, prior="normal"):
    """Latents of ``shape`` from ``prior`` (float32), by TensorFlow's stateless ops: the same
    for the same ``seed``."""
    bound = latent_bound(prior)
    if bound is None:
        return tf.random.stateless_normal(shape, seed=seed)
    return tf.random.stateless_uniform(shape, seed=seed, minval=-bound, maxval=bound)


def stream_counter(step, network, d_index, purpose):
    """The second word of a stateless seed for one draw (see the module docstring).

    ``step`` may be a Python int or an int64 tensor; the other arguments are Python ints
    (known at trace time) and are range-checked."""
    if network not in (D_NETWORK, G_NETWORK):
        raise ValueError(f"network must be {D_NETWORK} (D) or {G_NETWORK} (G), got {network}")
    if not 0 <= d_index < D_STEP_LIMIT:
        raise ValueError(f"D step index must be in [0, {D_STEP_LIMIT}), got {d_index}")
    if not 0 <= purpose < PURPOSE_LIMIT:
        raise ValueError(f"purpose must be in [0, {PURPOSE_LIMIT}), got {purpose}")
    if isinstance(step, int) and not 0 <= step < STEP_LIMIT:
        raise ValueError(f"step must be in [0, {STEP_LIMIT}), got {step}")
    return step * 2 ** 32 + (network * 2 ** 31 + d_index * 2 ** 16 + purpose)


def decode_counter(counter):
    """(step, network, d_index, purpose) of a counter: the inverse of ``stream_counter``."""
    counter = int(counter)
    return (counter >> 32, (counter >> 31) & 1, (counter >> 16) & (D_STEP_LIMIT - 1),
            counter & (PURPOSE_LIMIT - 1))


def stream_seed(seed, step, network, d_index, purpose):
    """An int64 ``[2]`` seed for ``tf.random.stateless_*``."""
    step = tf.cast(step, tf.int64)
    return tf.stack([tf.constant(seed, tf.int64), stream_counter(step, network, d_index, purpose)])


def replica_info():
    """(replicas in sync, this replica's index); (1, 0) outside a replica context."""
    ctx = tf.distribute.get_replica_context()
    if ctx is None:
        return 1, 0
    return ctx.num_replicas_in_sync, ctx.replica_id_in_sync_group


def global_slice(draw, local_n, tail_shape, seed):
    """This replica's ``local_n`` rows of ``draw([global_n, *tail_shape], seed)``."""
    replicas, replica_id = replica_info()
    values = draw(tf.concat([[local_n * replicas], tail_shape], 0), seed)
    start = replica_id * local_n
    return values[start:start + local_n]


class Stream:
    """The keys of one network update: ``seed_for(LATENTS)`` / ``seed_for(LABELS)`` for its fake
    inputs, and the j-th ``next_seed()`` (a dropout call) gets purpose ``DROPOUT + j``."""

    def __init__(self, seed, step, network, d_index, dropout_at_inference=False):
        self.seed, self.step, self.network, self.d_index = seed, step, network, d_index
        self.dropout_at_inference = bool(dropout_at_inference)
        self.calls = 0

    def seed_for(self, purpose):
        """The stateless seed of this call's draw for ``purpose``."""
        return stream_seed(self.seed, self.step, self.network, self.d_index, purpose)

    def next_seed(self):
        purpose = DROPOUT + self.calls
        self.calls += 1
        return self.seed_for(purpose)


_STATE = threading.local()


@contextlib.contextmanager
def random_stream(seed, step, network, d_index, dropout_at_inference=False):
    """Within this context, ``ganzoo.layers.Dropout`` draws its masks from the given stream;
    with ``dropout_at_inference`` it drops units in inference calls too (pix2pix samples with
    dropout on, as the paper does).

    Thread-local (each replica thread of a ``MirroredStrategy`` has its own) and read at
    tracing time, like ``ganzoo.layers.power_iteration``."""
    previous = getattr(_STATE, "stream", None)
    _STATE.stream = Stream(seed, step, network, d_index, dropout_at_inference)
    try:
        yield _STATE.stream
    finally:
        _STATE.stream = previous


def current_stream():
    """The innermost open ``random_stream``, or None."""
    return getattr(_STATE, "stream", None)
