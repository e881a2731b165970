"""Name lookup, ``serialize``, ``deserialize`` and ``get`` for lamina's catalogues of
classes (initializers, regularizers, constraints), written once.

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


class Configurable:
    """The config half of a catalogue class: ``from_config`` builds the object from
    ``get_config()``'s dict, and ``repr`` shows that dict.

    >>> class Half(Configurable):
    ...     def __init__(self, factor=0.5):
    ...         self.factor = factor
    ...     def get_config(self):
    ...         return {"factor": self.factor}
    >>> Half.from_config({"factor": 0.25})
    Half(factor=0.25)
    """

    @classmethod
    def from_config(cls, config):
        """The object that ``get_config()`` returned ``config`` for."""
        return cls(**config)

    def __repr__(self):
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            args = ""
        return f"{type(self).__name__}({args})"


def _key(name):
    return name.replace("_", "").lower()


class Catalogue:
    """The classes of one module by name; names match in either case style
    (``"glorot_uniform"``, ``"GlorotUniform"``). ``accepts`` says, for error messages,
    what callable ``get`` also takes (``"a callable weight -> scalar"``)."""

    def __init__(self, module, kind, by_name, accepts):
        self.module = module
        self.kind = kind
        self.accepts = accepts
        self.known = ", ".join(sorted(by_name))
        self._by_key = {_key(name): cls for name, cls in by_name.items()}

    def add_aliases(self, **aliases):
        """Extra names (``uniform=RandomUniform``) that are not listed as known names."""
        self._by_key.update({_key(name): cls for name, cls in aliases.items()})

    def lookup(self, name, custom_objects=None):
        """The class called ``name`` (``custom_objects`` first)."""
        if custom_objects and name in custom_objects:
            return custom_objects[name]
        try:
            return self._by_key[_key(name)]
        except KeyError:
            raise ValueError(f"{self.module}: unknown {self.kind} {name!r}. Known names: "
                             f"{self.known}.") from None

    def serialize(self, obj):
        """``{"class_name": ..., "config": ...}`` describing ``obj``."""
        if not hasattr(obj, "get_config"):
            raise ValueError(f"{self.module}.serialize: expected a {self.kind} (an object with "
                             f"get_config()). Received {obj!r}.")
        return {"class_name": type(obj).__name__, "config": obj.get_config()}

    def deserialize(self, config, custom_objects=None):
        """The object that ``serialize`` described."""
        if not isinstance(config, dict) or "class_name" not in config:
            raise ValueError(f"{self.module}.deserialize: expected a dict with 'class_name' "
                             f"and 'config'. Received {config!r}.")
        cls = self.lookup(config["class_name"], custom_objects)
        inner = config.get("config") or {}
        return cls.from_config(inner) if hasattr(cls, "from_config") else cls(**inner)

    def get(self, identifier):
        """None, a name, a ``serialize`` dict, a class, an instance or any callable."""
        if identifier is None:
            return None
        if isinstance(identifier, dict):
            return self.deserialize(identifier)
        if isinstance(identifier, str):
            return self.lookup(identifier)()
        if isinstance(identifier, type):
            return identifier()
        if callable(identifier):
            return identifier
        raise ValueError(f"{self.module}.get: could not interpret {self.kind} identifier "
                         f"{identifier!r}. Expected None, a name, a dict, a {self.kind} or "
                         f"{self.accepts}. Known names: {self.known}.")
