"""What kind of object each place in a config holds, so that a name found in lamina's
modules resolves only to an object of that kind.

Each of lamina's public modules holds one kind (``lamina.layers`` Layer classes,
``lamina.activations`` activation functions ...), and a field of a config holds one
kind, told by its key as Keras names them: ``activation`` and ``*_activation`` an
activation function, ``*_initializer`` / ``*_regularizer`` / ``*_constraint`` those
classes, ``layer``, ``layers``, ``cell``, ``cells`` and ``backward_layer`` Layer
classes, ``optimizer`` an Optimizer, ``learning_rate`` a schedule, ``loss`` a loss,
``metrics`` and ``weighted_metrics`` metrics. Inside a plain dict (``{"output_1":
"mse"}``) the kind of the enclosing field carries on. Objects from ``custom_objects``
or the registry are the caller's own choice and are not checked.

>>> from lamina import activations, layers, models
>>> field_kind("recurrent_activation", None), field_kind("units", None)
('activation', None)
>>> fits(activations.relu, "activation"), fits(models.load_model, "activation")
(True, False)
>>> fits(layers.Dense, "layer"), fits(activations.relu, "layer")
(True, False)
"""

import inspect

_SUFFIXES = ("activation", "initializer", "regularizer", "constraint")
_NAMES = {"layer": "layer", "layers": "layer", "cell": "layer", "cells": "layer",
          "backward_layer": "layer", "optimizer": "optimizer", "learning_rate": "schedule",
          "loss": "loss", "metrics": "metric", "weighted_metrics": "metric"}
MODULE_KINDS = {"lamina.layers": "layer", "lamina.models": "layer", "lamina.losses": "loss",
                "lamina.metrics": "metric", "lamina.optimizers": "optimizer",
                "lamina.optimizers.schedules": "schedule",
                "lamina.regularizers": "regularizer", "lamina.initializers": "initializer",
                "lamina.constraints": "constraint", "lamina.activations": "activation"}
DESCRIPTIONS = {
    "layer": "a Layer class", "model": "a Model class", "optimizer": "an Optimizer class",
    "schedule": "a LearningRateSchedule class", "regularizer": "a Regularizer class",
    "initializer": "an Initializer class", "constraint": "a Constraint class",
    "activation": "an activation function",
    "loss": "a loss (a Loss class, or a function of y_true and y_pred)",
    "metric": "a metric (a Metric or Loss class, or a function of y_true and y_pred)"}


def field_kind(key, inherited):
    """The kind the config field ``key`` holds; ``inherited`` (the kind of the enclosing
    field, for the keys of a plain dict) when the key tells none."""
    if not isinstance(key, str):
        return inherited
    for suffix in _SUFFIXES:
        if key == suffix or key.endswith("_" + suffix):
            return suffix
    return _NAMES.get(key, inherited)


def _base(kind):
    from lamina import constraints, initializers, layers, losses, metrics, models, \
        optimizers, regularizers
    from lamina.optimizers import schedules
    return {"layer": layers.Layer, "model": models.Model, "optimizer": optimizers.Optimizer,
            "schedule": schedules.LearningRateSchedule, "regularizer": regularizers.Regularizer,
            "initializer": initializers.Initializer, "constraint": constraints.Constraint,
            "loss": losses.Loss, "metric": (metrics.Metric, losses.Loss)}.get(kind)


def _of_labels(fn):
    try:
        return list(inspect.signature(fn).parameters)[:2] == ["y_true", "y_pred"]
    except (TypeError, ValueError):
        return False


def _activation(fn):
    from lamina import activations
    try:
        return activations.get(fn.__name__) is fn
    except ValueError:
        return False


def fits(obj, kind):
    """Whether ``obj`` (a class or a function found in lamina's modules) is of ``kind``
    (None: any kind)."""
    if kind is None:
        return True
    if inspect.isclass(obj):
        base = _base(kind)
        return base is not None and issubclass(obj, base)
    if not inspect.isfunction(obj):
        return False
    if kind == "activation":
        return _activation(obj)
    return kind in ("loss", "metric") and _of_labels(obj)
