"""Losses (``keras.losses``): functions ``fn(y_true, y_pred, ...)`` returning the
per-sample losses, and ``Loss`` classes returning the weighted, reduced loss.

Everything is written with K functions, so it runs and differentiates on every
engine, and works on symbolic tensors: ``loss(model.targets[0], model.outputs[0])``
is a graph expression of the model. ``get`` turns a name into a loss: snake_case names
and aliases (``"mse"``) give the function, CamelCase names an instance of the class.

>>> from lamina import backend as K
>>> from lamina import losses
>>> y_true, y_pred = [[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]]
>>> [round(v, 3) for v in K.convert_to_numpy(losses.binary_crossentropy(y_true, y_pred)).tolist()]
[0.916, 0.714]
>>> round(float(losses.BinaryCrossentropy()(y_true, y_pred, sample_weight=[1.0, 0.0])), 3)
0.458
>>> losses.get("mse") is losses.mean_squared_error, type(losses.get("MeanSquaredError")).__name__
(True, 'MeanSquaredError')
"""

from lamina._catalogue import Catalogue, find_custom
from lamina.losses.base import Loss, LossFunctionWrapper
from lamina.losses.classes import (BinaryCrossentropy, BinaryFocalCrossentropy,
                                   CategoricalCrossentropy, CategoricalFocalCrossentropy,
                                   CategoricalHinge, CosineSimilarity, Hinge, Huber,
                                   KLDivergence, LogCosh, MeanAbsoluteError,
                                   MeanAbsolutePercentageError, MeanSquaredError,
                                   MeanSquaredLogarithmicError, Poisson,
                                   SparseCategoricalCrossentropy, SquaredHinge)
from lamina.losses.generalized import (CategoricalGeneralizedCrossEntropy,
                                       categorical_generalized_cross_entropy)
from lamina.losses.margin import categorical_hinge, hinge, squared_hinge
from lamina.losses.metric_learning import Circle, circle
from lamina.losses.overlap import Dice, Tversky, dice, tversky
from lamina.losses.probabilistic import (binary_crossentropy, binary_focal_crossentropy,
                                         categorical_crossentropy,
                                         categorical_focal_crossentropy, kl_divergence,
                                         poisson, sparse_categorical_crossentropy)
from lamina.losses.regression import (cosine_similarity, huber, log_cosh, mean_absolute_error,
                                      mean_absolute_percentage_error, mean_squared_error,
                                      mean_squared_logarithmic_error)
from lamina.losses.sequence import CTC, ctc

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
bce = BCE = binary_crossentropy
logcosh = log_cosh

_FUNCTIONS = {fn.__name__: fn for fn in (
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, huber, log_cosh, cosine_similarity, hinge, squared_hinge,
    categorical_hinge, binary_crossentropy, binary_focal_crossentropy,
    categorical_crossentropy, categorical_focal_crossentropy,
    sparse_categorical_crossentropy, kl_divergence, poisson, dice, tversky, circle,
    categorical_generalized_cross_entropy, ctc)}
_FUNCTIONS.update(mse=mse, mae=mae, mape=mape, msle=msle, kld=kld, bce=bce, logcosh=logcosh,
                  kullback_leibler_divergence=kl_divergence)
_CLASSES = {cls.__name__: cls for cls in (
    MeanSquaredError, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredLogarithmicError, Huber, LogCosh,
    CosineSimilarity, Hinge, SquaredHinge, CategoricalHinge, BinaryCrossentropy,
    BinaryFocalCrossentropy, CategoricalCrossentropy, CategoricalFocalCrossentropy,
    SparseCategoricalCrossentropy, KLDivergence, Poisson, Dice, Tversky, Circle,
    CategoricalGeneralizedCrossEntropy, CTC)}

# Names match in either case style; where a function and a class share a name up to
# case and underscores ("hinge", "Hinge"), the catalogue holds the class and
# ``_FUNCTIONS`` the exact snake_case name, which ``get`` tries first.
_CATALOGUE = Catalogue("lamina.losses", "loss", {**_FUNCTIONS, **_CLASSES},
                       accepts="a callable (y_true, y_pred) -> per-sample loss")
_CATALOGUE.add_aliases(Loss=Loss, LossFunctionWrapper=LossFunctionWrapper)


def _named(name, custom_objects=None):
    return find_custom(name, custom_objects) or _FUNCTIONS.get(name) or _CATALOGUE.lookup(name)


def serialize(loss):
    """``{"class_name": ..., "config": ...}`` describing a ``Loss`` instance, or
    ``{"class_name": "function", "config": name}`` for a loss function (registered
    classes and functions by their registered name).

    >>> serialize(MeanSquaredError())
    {'class_name': 'MeanSquaredError', 'config': {'name': 'mean_squared_error', 'reduction': 'sum_over_batch_size', 'dtype': 'float32'}}
    >>> serialize(mse)
    {'class_name': 'function', 'config': 'mean_squared_error'}
    """
    if isinstance(loss, Loss):
        return _CATALOGUE.serialize(loss)
    if callable(loss) and not isinstance(loss, type) and hasattr(loss, "__name__"):
        from lamina.saving.object_registry import get_registered_name
        return {"class_name": "function", "config": get_registered_name(loss)}
    raise ValueError(f"lamina.losses.serialize: expected a Loss instance or a loss function. "
                     f"Received {loss!r}.")


def deserialize(config, custom_objects=None):
    """The loss that ``serialize`` described, or the loss called ``config`` (a name).
    Names are found in ``custom_objects`` (extra names for classes or functions), the
    custom object scopes and the registry first, then among the built-in losses.

    >>> deserialize({"class_name": "Huber", "config": {"delta": 2.0}}).delta
    2.0
    >>> deserialize({"class_name": "function", "config": "mae"}) is mean_absolute_error
    True
    """
    if isinstance(config, str):
        return _named(config, custom_objects)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"lamina.losses.deserialize: expected a name or a dict with "
                         f"'class_name' and 'config'. Received {config!r}.")
    if config["class_name"] == "function":
        return _named(config["config"], custom_objects)
    return _CATALOGUE.deserialize(config, custom_objects)


def get(identifier):
    """A loss from ``identifier``: None gives None; a snake_case name or alias
    (``"mse"``, ``"categorical_crossentropy"``) the function; a CamelCase name
    (``"MeanSquaredError"``), a registered name (``"Custom>MyLoss"``) or a class an
    instance with default arguments (a registered function: the function); a
    ``serialize`` dict the loss it describes; a ``Loss`` or any other callable
    ``(y_true, y_pred) -> per-sample loss`` is returned as is.

    >>> get("categorical_crossentropy") is categorical_crossentropy
    True
    >>> get("CategoricalCrossentropy").get_config()["from_logits"]
    False
    >>> get({"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}}).from_logits
    True
    """
    if isinstance(identifier, str):
        found = _named(identifier)
        return found() if isinstance(found, type) else found
    if isinstance(identifier, dict):
        return deserialize(identifier)
    return _CATALOGUE.get(identifier)


__all__ = ["Loss", "LossFunctionWrapper", "get", "serialize", "deserialize",
           *_FUNCTIONS, "MSE", "MAE", "MAPE", "MSLE", "KLD", "BCE",
           *(name for name in _CLASSES if name not in ("Loss", "LossFunctionWrapper"))]
