"""Models: ``Model`` (functional or subclassed), ``Sequential``, ``Functional``.

>>> from lamina import models
>>> sorted(n for n in ("Model", "Sequential", "Functional") if hasattr(models, n))
['Functional', 'Model', 'Sequential']
"""

from lamina.models.functional import Functional, InputLayer, OpLayer  # noqa: F401
from lamina.models.model import Model  # noqa: F401
from lamina.models.sequential import Sequential  # noqa: F401
