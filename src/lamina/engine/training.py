"""Keras 2's ``keras.engine.training``: ``Model`` (and ``Sequential``).

>>> from lamina.engine.training import Model
>>> from lamina import Model as PublicModel
>>> Model is PublicModel
True
"""

from lamina.models import Model, Sequential  # noqa: F401
