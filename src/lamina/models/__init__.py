"""Models: ``Model`` (functional or subclassed), ``Sequential``, ``Functional``.

>>> from lamina import models
>>> sorted(n for n in ("Model", "Sequential", "Functional") if hasattr(models, n))
['Functional', 'Model', 'Sequential']
"""

from lamina.models.cloning import clone_model, model_from_json  # noqa: F401
from lamina.models.functional import Functional, InputLayer, OpLayer  # noqa: F401
from lamina.models.model import Model  # noqa: F401
from lamina.models.sequential import Sequential  # noqa: F401


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """The model saved at ``filepath``: :func:`lamina.saving.load_model`."""
    from lamina.saving import load_model as load
    return load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)
