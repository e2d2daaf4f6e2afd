"""The zoo's registry: model name -> model class and default zoo config.

Names are known without importing TensorFlow, so the command line can reject a wrong
``--model`` instantly. A model module registers its class with ``@register_model(name)``;
``get_model_class(name)`` imports that module on first use.
"""

import importlib

# name -> module holding the class. Adding a zoo entry means adding one line here and a file
# under ganzoo/models/ that decorates its class with @register_model(name).
_MODULES = {
    "gan": "ganzoo.models.gan",
    "dcgan": "ganzoo.models.dcgan",
    "acgan": "ganzoo.models.acgan",
    "sngan": "ganzoo.models.sngan",
    "sagan": "ganzoo.models.sagan",
    "pix2pix": "ganzoo.models.pix2pix",
    "ssgan": "ganzoo.models.ssgan",
}

_CLASSES = {}

# the dataset of an entry's default config (zoo_configs/<model>_<dataset>.py): mnist unless here
_DEFAULT_DATASETS = {"pix2pix": "fashion_edges"}


def list_models():
    """Sorted names of every zoo entry."""
    return sorted(_MODULES)


def default_dataset(name):
    """The dataset of a model's default zoo config."""
    return _DEFAULT_DATASETS.get(name, "mnist")


def register_model(name):
    """Class decorator that makes a GANModel subclass buildable by ``name``."""

    def wrap(cls):
        if name not in _MODULES:
            raise ValueError(
                f"model {name!r} is not declared in ganzoo.registry._MODULES; add it there"
            )
        _CLASSES[name] = cls
        cls.zoo_name = name
        return cls

    return wrap


def check_model_name(name):
    if name not in _MODULES:
        raise ValueError(
            f"unknown model {name!r}; valid models: {', '.join(list_models())}"
        )


def get_model_class(name):
    check_model_name(name)
    if name not in _CLASSES:
        importlib.import_module(_MODULES[name])
    return _CLASSES[name]
