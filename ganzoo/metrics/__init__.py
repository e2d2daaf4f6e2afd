"""Sample-quality metrics. They take NumPy arrays and return plain floats.

- ``mode_coverage`` (``modes.py``): the 2-D mixture protocol of VEEGAN / PacGAN.
"""

from ganzoo.metrics.modes import mode_coverage

__all__ = ["mode_coverage"]
