"""Models: ``Model`` (functional or subclassed), ``Sequential``, ``Functional``.

>>> from lamina import models
>>> sorted(n for n in ("Model", "Sequential", "Functional") if hasattr(models, n))
['Functional', 'Model', 'Sequential']
"""

from lamina.models.cloning import clone_model, model_from_json  # noqa: F401
from lamina.models.functional import Functional, InputLayer, OpLayer  # noqa: F401
from lamina.models.model import Model  # noqa: F401
from lamina.models.sequential import Sequential  # noqa: F401


def save_model(model, filepath, overwrite=True):
    """Save ``model`` to ``filepath``, as ``model.save`` does:
    :func:`lamina.saving.save_model`.

    >>> import os, tempfile
    >>> from lamina import Input, Model, layers, models
    >>> x = Input((3,)); model = Model(x, layers.Dense(2)(x))
    >>> path = os.path.join(tempfile.mkdtemp(), "model.lamina")
    >>> models.save_model(model, path)
    >>> models.load_model(path).output.shape
    (None, 2)
    """
    from lamina.saving import save_model as save
    save(model, filepath, overwrite=overwrite)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """The model saved at ``filepath``: :func:`lamina.saving.load_model`."""
    from lamina.saving import load_model as load
    return load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)
