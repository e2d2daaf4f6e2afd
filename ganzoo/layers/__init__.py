"""The shared layer library of the zoo; every layer is Keras-serializable."""

from ganzoo.layers.maxout import Maxout

__all__ = ["Maxout"]
