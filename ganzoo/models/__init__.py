"""The zoo entries: one GANModel subclass a file. Importing this package registers them all
(with ganzoo.registry and with Keras, so that ``keras.saving.load_model`` finds them)."""

from ganzoo import registry
from ganzoo.models.base import GANModel

for _name in registry.list_models():
    registry.get_model_class(_name)

__all__ = ["GANModel"]
