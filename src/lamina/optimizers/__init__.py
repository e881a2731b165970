"""Optimizers (``keras.optimizers``) written once with K functions, and ``get``,
``serialize``, ``deserialize``.

Every optimizer keeps its state in K Variables and changes it with ``assign``
only, so ``apply`` runs eagerly on every engine (NumPy included: the gradients are
given) and inside a compiled JAX step under a :class:`~lamina.backend.VariableScope`.
On torch, SGD, RMSprop, Adam and AdamW use fused multi-tensor updates when they
run eagerly (:mod:`lamina.backend.fused_optimizers`).

>>> from lamina import backend as K
>>> from lamina import optimizers
>>> w = K.Variable([1.0, -1.0])
>>> optimizer = optimizers.get("sgd")
>>> optimizer.learning_rate = 0.5
>>> _ = optimizer.apply([K.convert_to_tensor([1.0, -1.0])], [w])
>>> w.numpy().tolist()
[0.5, -0.5]
"""

from lamina._catalogue import Catalogue
from lamina.optimizers import schedules
from lamina.optimizers.adadelta import Adadelta
from lamina.optimizers.adagrad import Adagrad
from lamina.optimizers.adam import Adam, AdamW
from lamina.optimizers.adamax import Adamax
from lamina.optimizers.base import Optimizer
from lamina.optimizers.lion import Lion
from lamina.optimizers.loss_scale_optimizer import LossScaleOptimizer
from lamina.optimizers.nadam import Nadam
from lamina.optimizers.rmsprop import RMSprop
from lamina.optimizers.sgd import SGD

_CLASSES = {cls.__name__: cls for cls in (SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta, Adamax,
                                          Nadam, Lion)}

_CATALOGUE = Catalogue("lamina.optimizers", "optimizer", _CLASSES, accepts="an Optimizer")
_CATALOGUE.add_aliases(LossScaleOptimizer=LossScaleOptimizer)  # wraps one: built from configs


def serialize(optimizer):
    """``{"class_name": ..., "config": ...}`` describing ``optimizer``.

    >>> serialize(SGD(learning_rate=0.1, name="sgd_ser"))["config"]["learning_rate"]
    0.1
    """
    return _CATALOGUE.serialize(optimizer)


def deserialize(config, custom_objects=None):
    """The optimizer that ``serialize`` described (``custom_objects`` maps extra names to
    classes, searched before the custom object scopes and the registry; a serialized
    schedule as learning rate is rebuilt too).

    >>> deserialize({"class_name": "Adam", "config": {"learning_rate": 0.01}}).beta_2
    0.999
    """
    return _CATALOGUE.deserialize(config, custom_objects)


def get(identifier):
    """An optimizer from ``identifier``: a name (``"adam"``, ``"RMSprop"``) gives the class
    with its default arguments; a ``serialize`` dict, a class or an Optimizer (returned
    as is) work too.

    >>> type(get("rmsprop")).__name__
    'RMSprop'
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str) or (isinstance(identifier, type) and
                                       issubclass(identifier, Optimizer)):
        return _CATALOGUE.get(identifier)
    raise ValueError(f"lamina.optimizers.get: could not interpret optimizer identifier "
                     f"{identifier!r}. Expected a name, a dict, an Optimizer class or instance. "
                     f"Known names: {_CATALOGUE.known}.")
