"""Any lamina object as JSON-able data, and back, without running code from the data.

``serialize_lamina_object`` describes an object with a ``get_config`` (layers, losses,
metrics, optimizers, learning-rate schedules, regularizers, initializers,
constraints, registered custom classes) as
``{"module": ..., "class_name": ..., "config": ..., "registered_name": ...}``, a
function as ``{"class_name": "__function__", "module": ..., "function_name": ...,
"registered_name": ...}``, a tuple as ``{"class_name": "__tuple__", "items": [...]}``
and a NumPy array as ``{"class_name": "__numpy__", "config": {"value": ..., "dtype":
...}}``; plain values pass through, NumPy scalars and dtypes become plain values.

``deserialize_lamina_object`` treats its input as data. A class or function is
found, in this order, in ``custom_objects``, the custom object scopes, the registry
(``register_serializable``), and by attribute lookup in lamina's public modules
(:data:`ALLOWED_MODULES`, imported by lamina itself). Nothing else is imported,
evaluated or unpickled: a config naming ``os.system`` raises a ValueError. With
``safe_mode=False`` a *function* reference may also import the module it names (for
the functions of a file one trusts); classes never are. A name found in lamina's
modules must be of the kind its module holds and the kind its field holds (see
:mod:`lamina.saving.object_kinds`): an ``activation`` names an activation function,
never ``lamina.models.load_model``; an entry of ``layers`` names a Layer class.

>>> import json
>>> from lamina import layers
>>> data = json.dumps(serialize_lamina_object(layers.Reshape((2, 3), name="r")))
>>> deserialize_lamina_object(json.loads(data)).target_shape
(2, 3)
"""

import importlib
import inspect
import threading

import numpy as np

from lamina._catalogue import build_from_config
from lamina.saving.load_budget import check_input_shape
from lamina.saving.object_kinds import DESCRIPTIONS, MODULE_KINDS, field_kind, fits
from lamina.saving.object_registry import CustomObjectScope, lookup_sources

ALLOWED_MODULES = ("lamina.layers", "lamina.losses", "lamina.metrics", "lamina.optimizers",
                   "lamina.optimizers.schedules", "lamina.regularizers", "lamina.initializers",
                   "lamina.constraints", "lamina.activations", "lamina.models")
_OBJECT_KEYS = frozenset({"module", "class_name", "config", "registered_name"})
_FUNCTION_KEYS = frozenset({"class_name", "module", "function_name", "registered_name"})
_SHAPE_KEYS = frozenset({"batch_shape", "batch_input_shape"})  # an InputLayer's, in Keras's names
_safe_mode = threading.local()
_process = {"unsafe": False}  # set by enable_unsafe_deserialization, for the whole process


def _allowed_modules():
    from lamina import (activations, constraints, initializers, layers, losses, metrics,
                        models, optimizers, regularizers)
    from lamina.optimizers import schedules
    modules = (layers, losses, metrics, optimizers, schedules, regularizers, initializers,
               constraints, activations, models)
    return dict(zip(ALLOWED_MODULES, modules))


def _is_lamina_object(obj):
    module = getattr(obj, "__module__", None) or ""
    return module == "lamina" or module.startswith("lamina.")


def _public_module(obj):
    """The allow-listed module that exposes ``obj`` under its own name, or None."""
    for name, module in _allowed_modules().items():
        if getattr(module, obj.__name__, None) is obj:
            return name
    return None


def in_safe_mode():
    """Whether the deserialization in progress runs in safe mode (True outside any,
    unless :func:`enable_unsafe_deserialization` was called).

    >>> in_safe_mode()
    True
    """
    return getattr(_safe_mode, "value", not _process["unsafe"])


def enable_unsafe_deserialization():
    """Turn safe mode off for the rest of the process: every load then behaves as if
    given ``safe_mode=False`` (Lambda layers' Python code loads, function references
    may import the modules they name). Only for files you trust.

    >>> import lamina
    >>> lamina.config.enable_unsafe_deserialization()
    >>> in_safe_mode()
    False
    >>> _process["unsafe"] = False  # safe mode back on for the other examples
    """
    _process["unsafe"] = True


class _SafeModeScope:
    """Sets the safe mode for the nested deserializations, unless one is set already
    (the outermost call decides)."""

    def __init__(self, safe_mode):
        self.previous = getattr(_safe_mode, "value", None)
        if self.previous is None:
            self.value = bool(safe_mode) and not _process["unsafe"]
        else:
            self.value = self.previous

    def __enter__(self):
        _safe_mode.value = self.value

    def __exit__(self, *exc):
        if self.previous is None:
            del _safe_mode.value
        else:
            _safe_mode.value = self.previous
        return False


# -- serializing --------------------------------------------------------------------
def serialize_lamina_object(obj):
    """``obj`` as JSON-able data (see the module docstring for the format).

    >>> from lamina import losses, activations
    >>> serialize_lamina_object(losses.Huber(delta=2.0, name="h"))
    ... # doctest: +NORMALIZE_WHITESPACE
    {'module': 'lamina.losses', 'class_name': 'Huber',
     'config': {'name': 'h', 'reduction': 'sum_over_batch_size', 'dtype': 'float32',
                'delta': 2.0}, 'registered_name': None}
    >>> serialize_lamina_object(activations.relu)
    ... # doctest: +NORMALIZE_WHITESPACE
    {'class_name': '__function__', 'module': 'lamina.activations', 'function_name': 'relu',
     'registered_name': None}
    >>> serialize_lamina_object({"shape": (2, 3), "scale": np.float32(0.5)})
    {'shape': {'class_name': '__tuple__', 'items': [2, 3]}, 'scale': 0.5}
    """
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.dtype) or (inspect.isclass(obj) and issubclass(obj, np.generic)):
        return np.dtype(obj).name
    if isinstance(obj, np.ndarray):
        return {"class_name": "__numpy__",
                "config": {"value": obj.tolist(), "dtype": obj.dtype.name}}
    if isinstance(obj, tuple):
        return {"class_name": "__tuple__", "items": [serialize_lamina_object(v) for v in obj]}
    if isinstance(obj, list):
        return [serialize_lamina_object(v) for v in obj]
    if isinstance(obj, dict):
        return {_check_key(key): serialize_lamina_object(value) for key, value in obj.items()}
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        return _function_reference(obj)
    if hasattr(obj, "get_config") and not inspect.isclass(obj):
        return _object_config(obj)
    raise ValueError(f"serialize_lamina_object: cannot serialize {obj!r:.80} of type "
                     f"{type(obj).__name__}. Expected None, a bool, int, float, str, list, "
                     f"tuple, dict, NumPy value, function, or an object with get_config().")


def _check_key(key):
    if not isinstance(key, str):
        raise ValueError(f"serialize_lamina_object: dict keys must be strings (JSON keys). "
                         f"Received the key {key!r} of type {type(key).__name__}.")
    return key


def _registered_name(obj):
    from lamina.saving.object_registry import _GLOBAL_CUSTOM_NAMES
    return _GLOBAL_CUSTOM_NAMES.get(obj)


def _function_reference(fn):
    qualname = getattr(fn, "__qualname__", fn.__name__)
    if "<lambda>" in qualname or "<locals>" in qualname:
        raise ValueError(f"serialize_lamina_object: cannot save the function {qualname!r} by "
                         f"reference: it is a lambda or is defined inside another function. "
                         f"Define it at module level (and register it with "
                         f"@lamina.saving.register_serializable()).")
    registered = _registered_name(fn)
    module = (None if registered else _public_module(fn)) or fn.__module__
    return {"class_name": "__function__", "module": module, "function_name": fn.__name__,
            "registered_name": registered}


def _object_config(obj):
    cls = type(obj)
    registered = _registered_name(cls)
    module = None if registered else _public_module(cls)
    if module is None:
        module, registered = cls.__module__, registered or cls.__name__
    config = serialize_lamina_object(obj.get_config())
    return {"module": module, "class_name": cls.__name__, "config": config,
            "registered_name": registered}


# -- deserializing ------------------------------------------------------------------
def deserialize_lamina_object(config, custom_objects=None, safe_mode=True):
    """The object ``serialize_lamina_object`` described.

    ``custom_objects`` maps names (class names, or registered names ``"Package>Name"``)
    to classes and functions; it is in scope for the objects nested in the config
    too. ``safe_mode=False`` lets a function reference import the module it names.
    An object (not data) is returned as it is, so a ``from_config`` may pass on
    values that are already rebuilt.

    >>> from lamina import regularizers
    >>> deserialize_lamina_object({"module": "lamina.regularizers", "class_name": "L2",
    ...                            "config": {"l2": 0.5}, "registered_name": None})
    L2(l2=0.5)
    >>> deserialize_lamina_object({"module": "os", "class_name": "system",
    ...                            "config": {"command": "ls"}, "registered_name": None})
    Traceback (most recent call last):
    ...
    ValueError: Could not deserialize the class 'system' of module 'os': lamina looks classes up only in its own modules (lamina.layers, lamina.losses, lamina.metrics, lamina.optimizers, lamina.optimizers.schedules, lamina.regularizers, lamina.initializers, lamina.constraints, lamina.activations, lamina.models) and imports no module a config names. Provide it with custom_objects={'system': system} or decorate its definition with @lamina.saving.register_serializable().
    """
    return deserialize_as(config, None, custom_objects, safe_mode)


def deserialize_as(config, kind, custom_objects=None, safe_mode=True):
    """:func:`deserialize_lamina_object` for a config that must describe an object of
    ``kind`` (see :mod:`lamina.saving.object_kinds`; None: any).

    >>> deserialize_as({"module": "lamina.layers", "class_name": "Dense",
    ...                 "config": {"units": 2}}, "model")
    Traceback (most recent call last):
    ...
    ValueError: Could not deserialize the class 'Dense' of module 'lamina.layers': lamina.layers.Dense is not a Model class, the kind this place of the config holds. Provide it with custom_objects={'Dense': Dense} or decorate its definition with @lamina.saving.register_serializable().
    """
    with _SafeModeScope(safe_mode), CustomObjectScope(custom_objects):
        return _decode(config, top=True, kind=kind)


def _decode(value, top=False, kind=None):
    """``value`` rebuilt; ``kind`` is what the field holding it holds."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [_decode(v, kind=kind) for v in value]
    if not isinstance(value, dict):
        return value
    marker = value.get("class_name")
    keys = set(value)
    if marker == "__tuple__" and keys == {"class_name", "items"}:
        return tuple(_decode(v, kind=kind)
                     for v in _as_list(value["items"], "__tuple__ items"))
    if marker == "__numpy__" and keys == {"class_name", "config"}:
        return _array(value["config"])
    if marker == "__function__" and {"class_name", "function_name"} <= keys <= _FUNCTION_KEYS:
        return _resolve(value.get("function_name"), value.get("module"),
                        value.get("registered_name"), "function", kind)
    if {"class_name", "config"} <= keys <= _OBJECT_KEYS and ("module" in keys or top):
        return _build(value, kind)
    decoded = {key: _decode(v, kind=field_kind(key, kind)) for key, v in value.items()}
    name = decoded.get("name")
    _check_shapes(decoded, repr(name[:40]) if isinstance(name, str) else "a config")
    return decoded


def _check_shapes(mapping, owner):
    """Bound the input shapes a config declares (see :mod:`lamina.saving.load_budget`)."""
    for key in _SHAPE_KEYS & set(mapping):
        if isinstance(mapping[key], (list, tuple)):
            check_input_shape(mapping[key], f"the {key} of {owner}")


def _as_list(value, what):
    if not isinstance(value, list):
        raise ValueError(f"deserialize_lamina_object: {what} must be a list. Received "
                         f"{value!r:.80}.")
    return value


def _array(config):
    if not isinstance(config, dict) or set(config) != {"value", "dtype"}:
        raise ValueError(f"deserialize_lamina_object: a __numpy__ config holds 'value' and "
                         f"'dtype'. Received {config!r:.80}.")
    dtype = np.dtype(str(config["dtype"]))
    if dtype.kind not in "biufc":
        raise ValueError(f"deserialize_lamina_object: a __numpy__ array must have a numeric "
                         f"or bool dtype. Received dtype {config['dtype']!r}.")
    return np.asarray(config["value"], dtype=dtype)


def _build(value, kind):
    class_name = value["class_name"]
    cls = _resolve(class_name, value.get("module"), value.get("registered_name"), "class",
                   kind)
    inner = value["config"]
    if inner is None:
        inner = {}
    if not isinstance(inner, dict):
        raise ValueError(f"deserialize_lamina_object: the config of {class_name!r} must be a "
                         f"dict. Received {inner!r:.80}.")
    inner = {key: _decode(v, kind=field_kind(key, None)) for key, v in inner.items()}
    _check_shapes(inner, repr(class_name))
    try:
        return build_from_config(cls, inner)
    except TypeError as e:
        raise TypeError(f"Could not rebuild {class_name!r} from its config {inner!r:.200}: "
                        f"{e}. A class whose constructor does not take the keys get_config() "
                        f"returns needs its own from_config().") from e


def _resolve(name, module, registered, what, kind=None):
    """The class or function called ``name`` (see the module docstring for where), of
    ``kind`` when lamina's modules hold it."""
    for field, text in (("class_name" if what == "class" else "function_name", name),
                        ("module", module), ("registered_name", registered)):
        if text is not None and not isinstance(text, str):
            raise ValueError(f"deserialize_lamina_object: {field} must be a string. "
                             f"Received {text!r:.80}.")
    if name is None:
        raise ValueError("deserialize_lamina_object: a function reference needs a "
                         "function_name.")
    names = [n for n in (registered, name) if n]
    for source in lookup_sources():
        for candidate in names:
            if candidate in source:
                return source[candidate]
    allowed = _allowed_modules()
    if not name.isidentifier() or name.startswith("_"):
        raise _unresolved(what, name, module, "it is not a public name")
    if module is not None and module not in allowed:
        if what == "function" and not in_safe_mode():
            return _import_function(name, module)
        raise _unresolved(what, name, module,
                          f"lamina looks {what}es up only in its own modules "
                          f"({', '.join(ALLOWED_MODULES)}) and imports no module a config "
                          f"names")
    misfit = None
    for module_name in [module] if module is not None else ALLOWED_MODULES:
        found = getattr(allowed[module_name], name, None)
        form_ok = inspect.isclass(found) if what == "class" else inspect.isfunction(found)
        if not (form_ok and _is_lamina_object(found)):
            continue
        wanted = next((k for k in (kind, MODULE_KINDS[module_name]) if not fits(found, k)),
                      None)
        if wanted is None:
            return found
        misfit = misfit or (f"{module_name}.{name} is not {DESCRIPTIONS[wanted]}, the kind "
                            + ("this place of the config holds" if wanted == kind
                               else f"{module_name} provides to configs"))
    if misfit is not None:
        raise _unresolved(what, name, module, misfit, importable=False)
    raise _unresolved(what, name, module,
                      "it is not a lamina " + what + ", and neither custom_objects, a custom "
                      "object scope nor the registry holds it")


def _import_function(name, module):
    if not all(part.isidentifier() and not part.startswith("__") for part in module.split(".")):
        raise _unresolved("function", name, module, "the module name is not valid")
    fn = getattr(importlib.import_module(module), name, None)
    if not callable(fn):
        raise _unresolved("function", name, module, f"module {module!r} has no function "
                                                    f"{name!r}")
    return fn


def _unresolved(what, name, module, reason, importable=True):
    where = f" of module {module!r}" if module else ""
    unsafe = (" or, if you trust this file, pass safe_mode=False to import the module it "
              "names" if importable and what == "function" and in_safe_mode() and module
              else "")
    return ValueError(
        f"Could not deserialize the {what} {name!r}{where}: {reason}. Provide it with "
        f"custom_objects={{{name!r}: {name if name.isidentifier() else '...'}}} or decorate "
        f"its definition with @lamina.saving.register_serializable(){unsafe}.")
