"""Keras's cell protocol, read from any cell: its states' shapes and how to call it."""

import inspect

from lamina.layers.layer import Layer


def state_shapes(state_size):
    """Each state's shape without the batch, from a ``state_size``: an int, a shape
    tuple, or a (nested) list of them.

    >>> state_shapes([[4, 4], 2])
    [(4,), (4,), (2,)]
    """
    if isinstance(state_size, int):
        return [(state_size,)]
    if isinstance(state_size, tuple) and all(isinstance(d, int) for d in state_size):
        return [state_size]
    return [shape for size in state_size for shape in state_shapes(size)]


def output_size(cell):
    """The size of the cell's output: ``output_size``, else its first state's size.

    >>> from lamina import layers
    >>> output_size(layers.LSTMCell(3))
    3
    """
    size = getattr(cell, "output_size", None)
    if size is not None:
        return size
    return state_shapes(cell.state_size)[0][-1]


def cell_function(cell, training):
    """``f(inputs, states) -> (output, new_states)`` calling ``cell`` (through the Layer
    call when it is a Layer) with ``training`` when its ``call`` takes it.

    >>> from lamina import backend as K, layers
    >>> cell = layers.SimpleRNNCell(2)
    >>> output, states = cell_function(cell, False)(K.ones((1, 3)), [K.zeros((1, 2))])
    >>> K.int_shape(output)
    (1, 2)
    """
    function = cell if isinstance(cell, Layer) else cell.call
    try:
        parameters = inspect.signature(cell.call).parameters
    except (TypeError, ValueError):
        return function
    if "training" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        return lambda inputs, states: function(inputs, states, training=training)
    return function
