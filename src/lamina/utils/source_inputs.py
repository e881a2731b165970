"""``get_source_inputs``: the model inputs a symbolic tensor is computed from."""

from lamina.backend import symbolic


def get_source_inputs(tensor):
    """The Input tensors that ``tensor`` (a symbolic tensor, or a nested structure of
    them) is computed from, each once; an Input gives itself.

    >>> from lamina import Input, layers
    >>> from lamina.utils import get_source_inputs
    >>> a, b = Input((2,), name="a"), Input((2,), name="b")
    >>> [t.name for t in get_source_inputs(layers.add([a, b]))]
    ['a', 'b']
    """
    from lamina.backend import tree
    leaves = tree.flatten(tensor)[0]
    if not leaves or not all(isinstance(t, symbolic.SymbolicTensor) for t in leaves):
        raise TypeError(f"get_source_inputs expects a symbolic tensor (made from an Input); "
                        f"received {tensor!r}.")
    return symbolic.graph_inputs(tensor)
