"""Configs of recurrent layers: a cell nested in its layer's config."""


def serialize_cell(cell):
    """``{"class_name": ..., "config": ...}`` of a cell (a Layer or any object with
    ``get_config``).

    >>> from lamina import layers
    >>> serialize_cell(layers.SimpleRNNCell(3, name="c"))["config"]["units"]
    3
    """
    return {"class_name": type(cell).__name__, "config": cell.get_config()}


def deserialize_cell(config, custom_objects=None, owner="RNN"):
    """The cell ``serialize_cell`` described: its class is looked up in
    ``custom_objects``, then in :mod:`lamina.layers`; a cell object is returned as is.

    >>> from lamina import layers
    >>> type(deserialize_cell(serialize_cell(layers.GRUCell(2)))).__name__
    'GRUCell'
    """
    if not isinstance(config, dict):
        return config
    from lamina import layers
    name = config.get("class_name")
    cls = (custom_objects or {}).get(name) or getattr(layers, str(name), None)
    if cls is None:
        raise ValueError(f"{owner}: unknown cell class {name!r} in the config. Pass it in "
                         f"custom_objects={{{name!r}: {name}}}.")
    inner = config.get("config", {})
    if hasattr(cls, "from_config"):
        try:
            return cls.from_config(inner, custom_objects=custom_objects)
        except TypeError:
            return cls.from_config(inner)
    return cls(**inner)
