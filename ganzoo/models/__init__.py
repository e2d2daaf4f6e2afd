"""The zoo entries: one GANModel subclass a file."""

from ganzoo.models.base import GANModel

__all__ = ["GANModel"]
