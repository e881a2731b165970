"""Where lamina finds classes and functions by name when it rebuilds objects from a
config: the global registry (``register_serializable``), the custom object scopes
(``custom_object_scope``) and the ``custom_objects`` dict a caller passes.

A name is looked up first in ``custom_objects``, then in the scopes (innermost
first), then in the global registry; ``get_registered_object`` returns None when
none of them holds it.

>>> @register_serializable(package="Docs")
... def doubled(x):
...     return x * 2
>>> get_registered_name(doubled)
'Docs>doubled'
>>> get_registered_object("Docs>doubled") is doubled
True
"""

import inspect
import threading

_GLOBAL_CUSTOM_OBJECTS = {}
_GLOBAL_CUSTOM_NAMES = {}
_scopes = threading.local()


def _check_name(what, value):
    if not isinstance(value, str) or not value or ">" in value:
        raise ValueError(f"register_serializable: {what} must be a non-empty string "
                         f"without '>'. Received {what}={value!r}.")


def register_serializable(package="Custom", name=None):
    """A class or function decorator registering the object under ``"package>name"``
    (``name`` defaults to its ``__name__``), so that configs naming it can be loaded
    without ``custom_objects``. Registering the same name again replaces the entry.

    A class needs a ``get_config()`` method; lamina's layers, losses, metrics,
    optimizers, learning-rate schedules, regularizers, constraints and initializers
    have one that returns their constructor arguments.

    >>> from lamina import backend as K, losses
    >>> @register_serializable(package="Docs")
    ... class ScaledError(losses.Loss):
    ...     def __init__(self, factor=0.1):
    ...         super().__init__()
    ...         self.factor = factor
    ...     def call(self, y_true, y_pred):
    ...         return K.mean(K.abs(y_true - y_pred), axis=-1) * self.factor
    >>> get_registered_name(ScaledError), ScaledError(0.5).get_config()
    ('Docs>ScaledError', {'factor': 0.5})
    """
    _check_name("package", package)
    if name is not None:
        _check_name("name", name)

    def decorator(obj):
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise ValueError(
                f"register_serializable: class {obj.__name__!r} has no get_config() method, "
                f"so it cannot be saved. Subclass a lamina base class (Layer, Loss, Metric, "
                f"Optimizer, Regularizer, Constraint, Initializer, LearningRateSchedule), "
                f"which captures the constructor arguments, or define get_config().")
        if not callable(obj):
            raise ValueError(f"register_serializable: expected a class or a function. "
                             f"Received {obj!r}.")
        key = f"{package}>{name or obj.__name__}"
        previous = _GLOBAL_CUSTOM_OBJECTS.get(key)
        if previous is not None:
            _GLOBAL_CUSTOM_NAMES.pop(previous, None)
        _GLOBAL_CUSTOM_OBJECTS[key] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = key
        return obj

    return decorator


register_keras_serializable = register_serializable


def get_registered_name(obj):
    """The name ``obj`` (a class, a function or an instance of a class) is registered
    under, or its ``__name__`` when it is not registered.

    >>> from lamina import layers
    >>> get_registered_name(layers.Dense), get_registered_name(layers.Dense(2))
    ('Dense', 'Dense')
    """
    if not (inspect.isclass(obj) or inspect.isroutine(obj)):
        obj = type(obj)
    return _GLOBAL_CUSTOM_NAMES.get(obj, obj.__name__)


def _active_scopes():
    if not hasattr(_scopes, "stack"):
        _scopes.stack = []
    return _scopes.stack


def lookup_sources(custom_objects=None):
    """The dicts a name is looked up in, in order: ``custom_objects``, the active
    custom object scopes (innermost first), the global registry.

    >>> with custom_object_scope({"Thing": int}):
    ...     [source.get("Thing") for source in lookup_sources({"Other": str})][:2]
    [None, <class 'int'>]
    """
    sources = [custom_objects] if custom_objects else []
    sources.extend(reversed(_active_scopes()))
    sources.append(_GLOBAL_CUSTOM_OBJECTS)
    return sources


def get_registered_object(name, custom_objects=None):
    """The object called ``name`` in ``custom_objects``, the active custom object scopes
    or the global registry (in that order), or None.

    >>> get_registered_object("Nothing>here") is None
    True
    >>> get_registered_object("half", custom_objects={"half": 0.5})
    0.5
    """
    for source in lookup_sources(custom_objects):
        if name in source:
            return source[name]
    return None


class CustomObjectScope:
    """A context manager adding objects (name -> class or function) to the lookups of
    ``deserialize`` functions for its duration: ``CustomObjectScope({"MyLoss": MyLoss})``
    (several dicts may be given). Scopes nest; each thread has its own.

    >>> with CustomObjectScope({"Twice": lambda x: 2 * x}):
    ...     get_registered_object("Twice")(4)
    8
    >>> get_registered_object("Twice") is None
    True
    """

    def __init__(self, *custom_objects):
        merged = {}
        for mapping in custom_objects:
            if mapping is None:
                continue
            if not isinstance(mapping, dict):
                raise TypeError(f"CustomObjectScope expects dicts mapping names to classes or "
                                f"functions. Received {mapping!r}.")
            merged.update(mapping)
        self.custom_objects = merged

    def __enter__(self):
        _active_scopes().append(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _active_scopes().pop()
        return False


custom_object_scope = CustomObjectScope


def get_custom_objects():
    """The global registry, a dict from names to classes and functions; adding to it
    (``get_custom_objects()["MyLoss"] = MyLoss``) registers under a plain name.

    >>> get_custom_objects()["Docs>triple"] = lambda x: 3 * x
    >>> get_registered_object("Docs>triple")(2)
    6
    >>> del get_custom_objects()["Docs>triple"]
    """
    return _GLOBAL_CUSTOM_OBJECTS
