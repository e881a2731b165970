"""Utilities: random seeding (and, as lamina grows, summary, plot_model, to_categorical).

>>> import lamina
>>> lamina.utils.set_random_seed(0)
"""

from lamina.utils.random_seed import set_random_seed  # noqa: F401
from lamina.utils.plot_model import plot_model  # noqa: F401
