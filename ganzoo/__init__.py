"""ganzoo: a TensorFlow/Keras 3 zoo of generative adversarial networks.

    >>> import ganzoo
    >>> ganzoo.list_models()
    ['acgan', 'dcgan', 'gan', 'pix2pix', 'sagan', 'sngan', 'ssgan']
    >>> model = ganzoo.build("dcgan", image_shape=(28, 28, 1))
    >>> model.compile()
    >>> model.fit(ganzoo.data.pipeline(ganzoo.data.load("mnist"), 64), steps_per_epoch=100)
    >>> images = model.generate(16, seed=0)      # float32 [16, 28, 28, 1] in [-1, 1]
    >>> model.save("dcgan.keras"); keras.saving.load_model("dcgan.keras")
    >>> ganzoo.evaluation.Evaluator("mnist").score_model(model)   # FID, KID, IS, ... (dict)
    >>> p2p = ganzoo.build("pix2pix", image_shape=(32, 32, 1), source_channels=1)
    >>> p2p.translate(edges)                       # paired models translate images
    >>> g = ganzoo.load("dcgan_mnist")             # a pretrained preset, sha256-checked
    >>> ganzoo.list_presets()                      # name -> one-line description
    >>> ganzoo.export(g, "serving")                # SavedModel for TF Serving: serving/dcgan_mnist/1
"""

from ganzoo._quiet_tf import import_tensorflow

import_tensorflow()

from ganzoo import data, evaluation, layers, losses, metrics, models  # noqa: F401 - models registers every entry
from ganzoo.images import save_image_grid
from ganzoo.presets import list_presets, load
from ganzoo.registry import list_models
from ganzoo.serving import export

__version__ = "0.1.0"


def build(name, **overrides):
    """A zoo model, ready to ``compile()``: ``overrides`` are its constructor arguments
    (``image_shape``, ``latent_dim``, ``num_classes``, ``seed``, ``ema_decay`` and the entry's
    own architecture arguments). Build it inside ``strategy.scope()`` to distribute it."""
    from ganzoo.registry import get_model_class

    return get_model_class(name)(**overrides)


__all__ = ["__version__", "build", "data", "evaluation", "export", "layers", "list_models",
           "list_presets", "load", "losses", "metrics", "models", "save_image_grid"]
