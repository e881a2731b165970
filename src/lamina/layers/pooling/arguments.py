"""Constructor-argument checks of the pooling and spatial-reshaping layers, besides those
they share with the convolution layers (``int_tuple``, ``data_format``: from
:mod:`lamina.layers.convolutional.arguments`).

Each check takes the layer (for its class and name in the message), the argument's name
and the value received, and returns the value in one canonical form (tuples of ints,
lower-case strings) or raises a ValueError saying what was expected.

>>> from lamina import layers
>>> layer = layers.Layer(name="demo")
>>> int_tuple(layer, "pool_size", 2, 3), edge_pairs(layer, "padding", (1, 2), 2)
((2, 2, 2), ((1, 1), (2, 2)))
"""

from lamina._arguments import as_ints, is_int
from lamina.layers.convolutional import arguments as _shared


def where(layer):
    """``"MaxPooling2D layer 'max_pooling2d'"``: how errors name a layer.

    >>> from lamina import layers
    >>> where(layers.Layer(name="demo"))
    "Layer layer 'demo'"
    """
    return f"{type(layer).__name__} layer {layer.name!r}"


def edge_pairs(layer, name, value, rank):
    """``value`` as one ``(before, after)`` pair of non-negative ints per spatial dimension.

    Accepted forms: an int (the same on every side); for one dimension a pair; for more,
    one int per dimension (the same on both sides) or one pair per dimension.

    >>> from lamina import layers
    >>> edge_pairs(layers.Layer(), "cropping", ((0, 1), 2), 2)
    ((0, 1), (2, 2))
    """
    if is_int(value):
        pairs = ((value, value),) * rank
    elif rank == 1 and isinstance(value, (tuple, list)) and len(value) == 2 and all(
            is_int(v) for v in value):
        pairs = (tuple(value),)
    elif isinstance(value, (tuple, list)) and len(value) == rank:
        pairs = tuple((v, v) if is_int(v) else tuple(v) if isinstance(v, (tuple, list))
                      else None for v in value)
    else:
        pairs = None
    forms = "an int, a pair of ints" if rank == 1 else \
        f"an int, a tuple of {rank} ints or a tuple of {rank} pairs of ints"
    if pairs is None or not all(pair is not None and len(pair) == 2 and all(
            is_int(v) and v >= 0 for v in pair) for pair in pairs):
        raise ValueError(f"{where(layer)} expects {name} to be {forms}, all non-negative. "
                         f"Received {name}={value!r}.")
    return tuple(as_ints(pair) for pair in pairs)


def choice(layer, name, value, allowed):
    """``value`` lower-cased when it is one of the strings ``allowed``.

    >>> from lamina import layers
    >>> choice(layers.Layer(), "padding", "SAME", ("valid", "same"))
    'same'
    """
    key = value.lower() if isinstance(value, str) else value
    if key not in allowed:
        raise ValueError(f"{where(layer)} expects {name} to be one of "
                         f"{', '.join(map(repr, allowed))}. Received {name}={value!r}.")
    return key


def int_tuple(layer, name, value, rank):
    """``value`` (a positive int, or ``rank`` positive ints) as a tuple of ``rank`` ints.

    >>> from lamina import layers
    >>> int_tuple(layers.Layer(), "strides", [1, 2], 2)
    (1, 2)
    """
    return _shared.as_tuple(where(layer), name, value, rank)


def data_format(layer, value):
    """``value`` or, when None, ``K.image_data_format()``; checked.

    >>> from lamina import layers
    >>> data_format(layers.Layer(), None)
    'channels_last'
    """
    return _shared.standardize_data_format(where(layer), value)


def spatial_axes(data_format, rank):
    """The axes of the ``rank`` spatial dimensions of a batch in ``data_format``.

    >>> spatial_axes("channels_first", 2)
    (2, 3)
    """
    first = 1 if data_format == "channels_last" else 2
    return tuple(range(first, first + rank))


def spatial_shape(input_shape, data_format, rank):
    """The spatial sizes of ``input_shape`` (None where unknown).

    >>> spatial_shape((None, 28, None, 3), "channels_last", 2)
    (28, None)
    """
    return tuple(input_shape[axis] for axis in spatial_axes(data_format, rank))

