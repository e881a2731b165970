"""Nested structures of lists, tuples and dicts ("trees") and their leaves.

>>> leaves, rebuild = flatten({"a": [1, 2], "b": (3,)})
>>> leaves
[1, 2, 3]
>>> rebuild([10, 20, 30])
{'a': [10, 20], 'b': (30,)}
"""


def flatten(structure):
    """Return the leaves of ``structure`` in order and a function that rebuilds it.

    >>> flatten([1, (2, 3)])[0]
    [1, 2, 3]
    """
    leaves = []
    spec = _flatten(structure, leaves)
    return leaves, lambda new_leaves: _unflatten(spec, iter(new_leaves))


def _flatten(x, leaves):
    cls = x.__class__
    if cls is list or cls is tuple:
        return (cls, [_flatten(v, leaves) for v in x])
    if cls is dict:
        return (dict, [(k, _flatten(v, leaves)) for k, v in x.items()])
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return (cls, [_flatten(v, leaves) for v in x])
    leaves.append(x)
    return None


def _unflatten(spec, it):
    if spec is None:
        return next(it)
    cls, children = spec
    if cls is dict:
        return {k: _unflatten(c, it) for k, c in children}
    values = [_unflatten(c, it) for c in children]
    if cls is list:
        return values
    if cls is tuple:
        return tuple(values)
    return cls(*values)


def map_structure(fn, structure):
    """Apply ``fn`` to every leaf, keeping the structure.

    >>> map_structure(lambda v: v * 2, {"a": [1, 2]})
    {'a': [2, 4]}
    """
    cls = structure.__class__
    if cls is list:
        return [map_structure(fn, v) for v in structure]
    if cls is tuple:
        return tuple(map_structure(fn, v) for v in structure)
    if cls is dict:
        return {k: map_structure(fn, v) for k, v in structure.items()}
    if isinstance(structure, tuple) and hasattr(structure, "_fields"):
        return cls(*(map_structure(fn, v) for v in structure))
    return fn(structure)


def any_leaf(predicate, structure):
    """True when ``predicate`` holds for some leaf.

    >>> any_leaf(lambda v: v == 3, [1, (2, 3)])
    True
    """
    cls = structure.__class__
    if cls is list or cls is tuple or (isinstance(structure, tuple) and hasattr(structure, "_fields")):
        return any(any_leaf(predicate, v) for v in structure)
    if cls is dict:
        return any(any_leaf(predicate, v) for v in structure.values())
    return predicate(structure)
