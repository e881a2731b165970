"""The hook between ``lamina.optimizers`` and an engine's fused optimizer updates.

An optimizer class may name its family in a class attribute ``_fused`` (``"sgd"``,
``"rmsprop"``, ``"adam"``). When such an optimizer runs eagerly (no
:class:`VariableScope` is active), ``Optimizer.apply`` asks :func:`lookup` for the
engine's update of that family and, when there is one, calls it in place of the
engine-neutral K code. An engine provides its updates in
``lamina/backend/<engine>/optimizers.py`` as a dict ``FUSED``: family name ->
``update(optimizer, grads, variables)``, which must do what
``Optimizer._apply_update`` does (clip the gradients, decay the weights, update the
variables and slots in place, add 1 to ``iterations``) and give the same numbers.
Engines without such a module (jax, numpy) run the K code.

>>> from lamina import backend as K
>>> (lookup("adam") is not None) == (K.backend() == "torch")
True
>>> lookup("no such family") is None
True
"""

import importlib
import importlib.util

_tables = {}


def lookup(family):
    """The engine's fused update for optimizer ``family``, or None."""
    from lamina.backend import backend
    engine = backend()
    table = _tables.get(engine)
    if table is None:
        module_name = f"lamina.backend.{engine}.optimizers"
        has_module = importlib.util.find_spec(module_name) is not None
        table = dict(importlib.import_module(module_name).FUSED) if has_module else {}
        _tables[engine] = table
    return table.get(family)
