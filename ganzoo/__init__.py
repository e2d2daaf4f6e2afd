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

import sys

__version__ = "0.1.0"

# What ``import ganzoo`` binds (TensorFlow and every module, the zoo's classes registered with
# Keras so that ``keras.saving.load_model`` finds them): name -> (module, attribute or None).
_EXPORTS = {name: ("ganzoo." + name, None)
            for name in ("data", "evaluation", "layers", "losses", "metrics", "models")}
_EXPORTS.update(save_image_grid=("ganzoo.images", "save_image_grid"),
                list_presets=("ganzoo.presets", "list_presets"), load=("ganzoo.presets", "load"),
                list_models=("ganzoo.registry", "list_models"),
                export=("ganzoo.serving", "export"))


def import_all():
    """Imports TensorFlow (quietly) and everything ``import ganzoo`` binds. A library import
    does this at once; ``python -m ganzoo.COMMAND`` defers it until the command's arguments have
    been checked, so that a typo is answered in a fraction of a second, not after TensorFlow's
    seconds of start-up. Idempotent."""
    import importlib

    from ganzoo._quiet_tf import import_tensorflow

    import_tensorflow()
    for name, (module, attribute) in _EXPORTS.items():
        value = importlib.import_module(module)
        globals()[name] = getattr(value, attribute) if attribute else value


def _run_as_command():
    """True while ``python -m ganzoo.X`` imports this package on its way to X (Python sets
    ``sys.argv[0]`` to "-m" while it locates the module; ``sys.orig_argv`` names it)."""
    if sys.argv[:1] != ["-m"]:
        return False
    argv = getattr(sys, "orig_argv", [])
    return any(flag == "-m" and target.startswith("ganzoo.")
               for flag, target in zip(argv, argv[1:]))


if _run_as_command():
    def __getattr__(name):
        if name in _EXPORTS:
            import_all()
            return globals()[name]
        raise AttributeError(f"module 'ganzoo' has no attribute {name!r}")
else:
    import_all()


def build(name, **overrides):
    """A zoo model, ready to ``compile()``: ``overrides`` are its constructor arguments
    (``image_shape``, ``latent_dim``, ``num_classes``, ``seed``, ``ema_decay`` and the entry's
    own architecture arguments). Build it inside ``strategy.scope()`` to distribute it."""
    from ganzoo.registry import get_model_class

    return get_model_class(name)(**overrides)


__all__ = ["__version__", "build", "import_all", "data", "evaluation", "export", "layers",
           "list_models", "list_presets", "load", "losses", "metrics", "models", "save_image_grid"]
