"""Adversarial losses as named ``(d_loss, g_loss)`` pairs computed from discriminator logits.

Every function returns one loss value *per example* (shape ``[batch]``); the model reduces them
(sum over the replica's examples divided by the global batch), so the same functions serve one
device and many replicas.

``d_loss(real_logits, fake_logits, label_smoothing=0.0)`` and ``g_loss(fake_logits)``; the logits
are the discriminator's raw outputs ``l`` with ``D = sigmoid(l)`` for the probabilistic losses.

| name                | paper                                                           |
|---------------------|-----------------------------------------------------------------|
| minimax             | Goodfellow et al. 2014, https://arxiv.org/abs/1406.2661 (eq. 1) |
| non_saturating      | Goodfellow et al. 2014, section 3 ("maximize log D(G(z))")      |
| maximum_likelihood  | Goodfellow 2014, https://arxiv.org/abs/1412.6515; NIPS 2016     |
|                     | tutorial https://arxiv.org/abs/1701.00160 eq. (16)              |
| hinge               | Lim & Ye 2017 https://arxiv.org/abs/1705.02894; Miyato 2018     |
| wasserstein         | Arjovsky et al. 2017, https://arxiv.org/abs/1701.07875          |
| least_squares       | Mao et al. 2017, https://arxiv.org/abs/1611.04076 (a=0, b=c=1)  |

One-sided label smoothing (Salimans et al. 2016, https://arxiv.org/abs/1606.03498 section 3.4)
replaces the target 1 of real examples by ``1 - label_smoothing`` and leaves fake targets at 0.
It is defined for the losses with a real/fake target (the three sigmoid losses and least
squares); asking for it with hinge or Wasserstein is an error.
"""

import collections

import tensorflow as tf

GANLoss = collections.namedtuple(
    "GANLoss", ["name", "d_loss", "g_loss", "supports_label_smoothing", "paper"]
)

# Logits are clipped here before exp() in the maximum-likelihood cost, so a discriminator that
# is very sure a sample is real gives a large finite loss rather than inf.
_MAX_EXP_LOGIT = 30.0


def _flat(logits):
    logits = tf.convert_to_tensor(logits)
    return tf.reshape(tf.cast(logits, tf.float32), [tf.shape(logits)[0], -1])


def _per_example(values):
    return tf.reduce_mean(values, axis=-1)


def _sigmoid_d_loss(real_logits, fake_logits, label_smoothing=0.0):
    """-[t log D(x) + (1 - t) log(1 - D(x))] - log(1 - D(G(z))), t = 1 - label_smoothing."""
    r, f = _flat(real_logits), _flat(fake_logits)
    target = 1.0 - label_smoothing
    # -log sigmoid(l) = softplus(-l), -log(1 - sigmoid(l)) = softplus(l)
    real_term = target * tf.nn.softplus(-r) + (1.0 - target) * tf.nn.softplus(r)
    fake_term = tf.nn.softplus(f)
    return _per_example(real_term) + _per_example(fake_term)


def minimax_g_loss(fake_logits):
    """log(1 - D(G(z))), minimised by G: the saturating cost of eq. 1."""
    return _per_example(-tf.nn.softplus(_flat(fake_logits)))


def non_saturating_g_loss(fake_logits):
    """-log D(G(z))."""
    return _per_example(tf.nn.softplus(-_flat(fake_logits)))


def maximum_likelihood_g_loss(fake_logits):
    """-1/2 exp(sigmoid^-1(D(G(z)))) = -1/2 exp(logit): minimising it minimises KL(data || model)
    when D is optimal (Goodfellow 2014, "On distinguishability criteria")."""
    f = tf.minimum(_flat(fake_logits), _MAX_EXP_LOGIT)
    return _per_example(-0.5 * tf.exp(f))


def hinge_d_loss(real_logits, fake_logits, label_smoothing=0.0):
    """max(0, 1 - D(x)) + max(0, 1 + D(G(z)))."""
    r, f = _flat(real_logits), _flat(fake_logits)
    return _per_example(tf.nn.relu(1.0 - r)) + _per_example(tf.nn.relu(1.0 + f))


def critic_g_loss(fake_logits):
    """-D(G(z)): the generator cost of both hinge and Wasserstein GANs."""
    return _per_example(-_flat(fake_logits))


def wasserstein_d_loss(real_logits, fake_logits, label_smoothing=0.0):
    """D(G(z)) - D(x): the critic maximises D(x) - D(G(z))."""
    return _per_example(_flat(fake_logits)) - _per_example(_flat(real_logits))


def least_squares_d_loss(real_logits, fake_logits, label_smoothing=0.0):
    """1/2 (D(x) - b)^2 + 1/2 (D(G(z)) - a)^2 with a = 0, b = 1 - label_smoothing."""
    r, f = _flat(real_logits), _flat(fake_logits)
    target = 1.0 - label_smoothing
    return _per_example(0.5 * tf.square(r - target)) + _per_example(0.5 * tf.square(f))


def least_squares_g_loss(fake_logits):
    """1/2 (D(G(z)) - c)^2 with c = 1."""
    return _per_example(0.5 * tf.square(_flat(fake_logits) - 1.0))


_LOSSES = {
    loss.name: loss
    for loss in [
        GANLoss("minimax", _sigmoid_d_loss, minimax_g_loss, True,
                "https://arxiv.org/abs/1406.2661"),
        GANLoss("non_saturating", _sigmoid_d_loss, non_saturating_g_loss, True,
                "https://arxiv.org/abs/1406.2661"),
        GANLoss("maximum_likelihood", _sigmoid_d_loss, maximum_likelihood_g_loss, True,
                "https://arxiv.org/abs/1412.6515"),
        GANLoss("hinge", hinge_d_loss, critic_g_loss, False,
                "https://arxiv.org/abs/1705.02894"),
        GANLoss("wasserstein", wasserstein_d_loss, critic_g_loss, False,
                "https://arxiv.org/abs/1701.07875"),
        GANLoss("least_squares", least_squares_d_loss, least_squares_g_loss, True,
                "https://arxiv.org/abs/1611.04076"),
    ]
}

# The discriminator loss shared by the three costs of Goodfellow 2014, under a public name.
sigmoid_cross_entropy_d_loss = _sigmoid_d_loss


def list_losses():
    return sorted(_LOSSES)


def check_loss(name, label_smoothing=0.0):
    """Raises ValueError naming the valid choices for a wrong name or smoothing value."""
    if name not in _LOSSES:
        raise ValueError(f"unknown loss {name!r}; valid losses: {', '.join(list_losses())}")
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing}")
    if label_smoothing and not _LOSSES[name].supports_label_smoothing:
        valid = ", ".join(n for n in list_losses() if _LOSSES[n].supports_label_smoothing)
        raise ValueError(
            f"one-sided label smoothing is not defined for the {name} loss; it applies to: {valid}"
        )


def get_loss(name, label_smoothing=0.0):
    """The GANLoss named ``name``."""
    check_loss(name, label_smoothing)
    return _LOSSES[name]
