"""Name lookup, ``serialize``, ``deserialize`` and ``get`` for lamina's catalogues of
classes (initializers, regularizers, constraints), written once, and the capture of
constructor arguments that gives every catalogue class a ``get_config``.

>>> class Half:
...     def __init__(self, factor=0.5):
...         self.factor = factor
...     def get_config(self):
...         return {"factor": self.factor}
>>> catalogue = Catalogue("lamina.demo", "demo", {"Half": Half, "half": Half},
...                       accepts="a callable")
>>> catalogue.get("HALF").factor, catalogue.serialize(Half(0.25))
(0.5, {'class_name': 'Half', 'config': {'factor': 0.25}})
"""


import difflib
import functools
import inspect

import numpy as np


def record_init_arguments(cls):
    """Wrap ``cls.__init__`` (when ``cls`` defines one) so that each instance keeps the
    arguments of its outermost constructor call as ``_init_arguments``:
    ``(init, args, kwargs)``. :func:`constructor_config` reads them back.

    >>> class Point:
    ...     def __init__(self, x, y=0):
    ...         self.x, self.y = x, y
    >>> record_init_arguments(Point)
    >>> Point(1, y=2)._init_arguments[1:]
    ((1,), {'y': 2})
    """
    init = cls.__dict__.get("__init__")
    if init is None:
        return

    @functools.wraps(init)
    def recording_init(self, *args, **kwargs):
        if "_init_arguments" not in self.__dict__:
            object.__setattr__(self, "_init_arguments", (init, args, dict(kwargs)))
        init(self, *args, **kwargs)

    cls.__init__ = recording_init


def _encode(value):
    """A captured argument as config data: lamina objects and functions serialized,
    lists, tuples and dicts walked, anything else as it is."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return type(value)(_encode(v) for v in value)
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if (hasattr(value, "get_config") and not inspect.isclass(value)) or \
            inspect.isfunction(value):
        from lamina.saving.serialization import serialize_lamina_object
        return serialize_lamina_object(value)
    return value


def constructor_config(obj, fields, base):
    """The config of ``obj`` for ``base.get_config``.

    When ``type(obj)`` inherits ``base.get_config`` unchanged, the config is the
    captured arguments of its constructor (defaults filled in; nested lamina objects
    and functions serialized), where ``fields`` (the base's own settings, such as a
    resolved ``name``) come first and give the values of the arguments they name; all
    of them are kept when the constructor takes ``**kwargs``. A class that writes its
    own ``get_config`` and calls ``super().get_config()`` receives ``fields``.

    >>> class Base(Configurable):
    ...     def __init__(self, name=None):
    ...         self.name = name or "base"
    ...     def get_config(self):
    ...         return constructor_config(self, {"name": self.name}, Base)
    >>> class Scaled(Base):
    ...     def __init__(self, factor=0.1, **kwargs):
    ...         super().__init__(**kwargs)
    ...         self.factor = factor
    >>> Scaled(0.5).get_config()
    {'name': 'base', 'factor': 0.5}
    """
    captured = obj.__dict__.get("_init_arguments")
    if type(obj).get_config is not base.get_config or captured is None:
        return dict(fields)
    init, args, kwargs = captured
    signature = inspect.signature(init)
    bound = signature.bind(obj, *args, **kwargs)
    bound.apply_defaults()
    parameters = signature.parameters
    takes_kwargs = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    config = {key: value for key, value in fields.items()
              if takes_kwargs or key in parameters}
    for key, value in list(bound.arguments.items())[1:]:
        kind = parameters[key].kind
        if kind is inspect.Parameter.VAR_POSITIONAL:
            if value:
                raise NotImplementedError(
                    f"{type(obj).__name__}: the positional arguments *{key} cannot be "
                    f"captured for get_config(); define get_config() (and from_config()).")
        elif kind is inspect.Parameter.VAR_KEYWORD:
            config.update({k: fields.get(k, v) for k, v in value.items()})
        else:
            config[key] = fields.get(key, value)
    return {key: _encode(value) for key, value in config.items()}


def decode_config(config):
    """``config`` with the serialized lamina objects, functions and tuples inside it
    (as ``serialize_lamina_object`` writes them) rebuilt.

    >>> from lamina import regularizers
    >>> from lamina.saving import serialize_lamina_object
    >>> decode_config({"inner": serialize_lamina_object(regularizers.L2(0.5))})["inner"]
    L2(l2=0.5)
    """
    from lamina.saving.serialization import deserialize_lamina_object, in_safe_mode
    return {key: deserialize_lamina_object(value, safe_mode=in_safe_mode())
            for key, value in config.items()}


def build_from_config(cls, config, custom_objects=None):
    """``cls.from_config(config)`` (``cls(**config)`` for a class without one), with
    ``custom_objects`` in scope for the objects nested in ``config``.

    >>> from lamina import regularizers
    >>> build_from_config(regularizers.L1, {"l1": 0.5})
    L1(l1=0.5)
    """
    from lamina.saving.object_registry import CustomObjectScope
    with CustomObjectScope(custom_objects):
        if hasattr(cls, "from_config"):
            return cls.from_config(config)
        return cls(**config)


class Configurable:
    """The config half of a catalogue class: ``get_config`` returns the constructor
    arguments (captured at construction, see :func:`constructor_config`),
    ``from_config`` builds the object from ``get_config()``'s dict, and ``repr`` shows
    that dict.

    >>> class Half(Configurable):
    ...     def __init__(self, factor=0.5):
    ...         self.factor = factor
    >>> Half.from_config(Half(0.25).get_config())
    Half(factor=0.25)
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        record_init_arguments(cls)

    def get_config(self):
        """The constructor arguments, as a JSON-friendly dict."""
        return constructor_config(self, {}, Configurable)

    @classmethod
    def from_config(cls, config):
        """The object that ``get_config()`` returned ``config`` for."""
        return cls(**decode_config(config))

    def __repr__(self):
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except Exception:  # repr must not fail, whatever a custom get_config does
            args = ""
        return f"{type(self).__name__}({args})"


def find_custom(name, custom_objects=None):
    """The object called ``name`` in ``custom_objects``, the custom object scopes or
    lamina's registry of serializable objects (``lamina.saving.register_serializable``),
    or None.

    >>> find_custom("mine", {"mine": len}) is len, find_custom("Nobody>nothing")
    (True, None)
    """
    from lamina.saving.object_registry import get_registered_object
    return get_registered_object(name, custom_objects)


def _key(name):
    return name.replace("_", "").lower()


def closest_name(name, names):
    """The name in ``names`` closest to ``name`` (compared in lower case), or None when
    none is close: the suggestion of an unknown-name error. Of names that differ only
    in case, the one written in lower case is chosen when ``name`` is.

    >>> closest_name("categorical_crossentropyy", ["mse", "categorical_crossentropy"])
    'categorical_crossentropy'
    >>> closest_name("adamm", ["Adam", "SGD"]), closest_name("xyz", ["Adam", "SGD"])
    ('Adam', None)
    >>> closest_name("huberr", ["Huber", "huber"]), closest_name("Hubber", ["Huber", "huber"])
    ('huber', 'Huber')
    """
    name = str(name)
    by_lower = {}
    for known in names:
        by_lower.setdefault(known.lower(), []).append(known)
    found = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
    if not found:
        return None
    written_lower = name == name.lower()
    return min(by_lower[found[0]], key=lambda known: (known == known.lower()) != written_lower)


def unknown_name_error(module, kind, name, names):
    """The ValueError for an unknown name ``name`` of a ``kind`` of ``module``: it
    suggests the closest of ``names`` and lists them all.

    >>> print(unknown_name_error("lamina.losses", "loss", "mse2", ["mse", "mae"]))
    lamina.losses: unknown loss 'mse2'; did you mean 'mse'? Known names: mae, mse.
    """
    best = closest_name(name, names)
    hint = f"; did you mean {best!r}?" if best is not None else "."
    return ValueError(f"{module}: unknown {kind} {name!r}{hint} Known names: "
                      f"{', '.join(sorted(names))}.")


class Catalogue:
    """The classes of one module by name; names match in either case style
    (``"glorot_uniform"``, ``"GlorotUniform"``). ``accepts`` says, for error messages,
    what callable ``get`` also takes (``"a callable weight -> scalar"``)."""

    def __init__(self, module, kind, by_name, accepts):
        self.module = module
        self.kind = kind
        self.accepts = accepts
        self.names = sorted(by_name)
        self.known = ", ".join(self.names)
        self._by_key = {_key(name): cls for name, cls in by_name.items()}

    def add_aliases(self, **aliases):
        """Extra names (``uniform=RandomUniform``, or base classes that only configs
        name) that are found but not listed as known names."""
        self._by_key.update({_key(name): cls for name, cls in aliases.items()})

    def lookup(self, name, custom_objects=None):
        """The class called ``name``: from ``custom_objects``, the custom object scopes
        or the registry (see :func:`find_custom`), else from the catalogue."""
        found = find_custom(name, custom_objects)
        if found is not None:
            return found
        try:
            return self._by_key[_key(name)]
        except KeyError:
            raise unknown_name_error(self.module, self.kind, name, self.names) from None

    def serialize(self, obj):
        """``{"class_name": ..., "config": ...}`` describing ``obj``; the class name of a
        registered class is its registered name (``"Package>Name"``)."""
        if not hasattr(obj, "get_config"):
            raise ValueError(f"{self.module}.serialize: expected a {self.kind} (an object with "
                             f"get_config()). Received {obj!r}.")
        from lamina.saving.object_registry import get_registered_name
        return {"class_name": get_registered_name(obj), "config": obj.get_config()}

    def deserialize(self, config, custom_objects=None):
        """The object that ``serialize`` (or ``serialize_lamina_object``) described;
        objects nested in its config are found in ``custom_objects`` too."""
        if not isinstance(config, dict) or "class_name" not in config:
            raise ValueError(f"{self.module}.deserialize: expected a dict with 'class_name' "
                             f"and 'config'. Received {config!r}.")
        return build_from_config(self.class_of(config, custom_objects),
                                 config.get("config") or {}, custom_objects)

    def class_of(self, config, custom_objects=None):
        """The class a ``serialize`` dict names: its ``registered_name`` (as
        ``serialize_lamina_object`` writes it) when that is found, else its
        ``class_name``."""
        registered = config.get("registered_name")
        found = find_custom(registered, custom_objects) if isinstance(registered, str) else None
        return found if found is not None else self.lookup(config["class_name"], custom_objects)

    def get(self, identifier):
        """None, a name (of a class: an instance with default arguments; of a registered
        function: the function), a ``serialize`` dict, a class, an instance or any
        callable."""
        if identifier is None:
            return None
        if isinstance(identifier, dict):
            return self.deserialize(identifier)
        if isinstance(identifier, str):
            found = self.lookup(identifier)
            return found() if inspect.isclass(found) else found
        if isinstance(identifier, type):
            return identifier()
        if callable(identifier):
            return identifier
        raise ValueError(f"{self.module}.get: could not interpret {self.kind} identifier "
                         f"{identifier!r}. Expected None, a name, a dict, a {self.kind} or "
                         f"{self.accepts}. Known names: {self.known}.")
