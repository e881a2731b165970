"""The sizes shape inference gives unknown dimensions (see :mod:`lamina.backend.symbolic`).

Each unknown non-batch axis of an input is a symbol (:func:`next_unknown_symbol`) with
a size of its own in each of the two probe runs (:func:`unknown_size`); the batch
takes the run's fill size. When a function cannot run on the probes because unknown
sizes meet sizes they do not fit, :func:`probe_other_sizes` tries other sizes for the
unknown axes of its inputs, the least committal first, as Keras's shape rules read
None ("any size"): ``(None, None) + (None, 5)`` has shape ``(None, 5)``.

>>> unknown_size(0, 83) != unknown_size(1, 83) != 83
True
"""

import itertools
import math

from lamina.backend import tree

_unknown_ids = itertools.count()

# The sizes an unknown non-batch axis takes in a run, by the run's fill (batch) size
# (NumPy's cheap first runs: small sizes). Every size of a pair's second run is more
# than 1.4 times every size of its first, so that integer division by a stride or a
# pool size (rounded down or up) still tells the runs apart.
_UNKNOWN_SIZES = {
    4: (5, 7, 11, 6, 10, 8), 9: (17, 19, 23, 25, 29, 31),
    83: (89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149),
    157: (211, 223, 227, 229, 233, 239, 241, 251, 257, 263, 269, 271),
}
_SECOND_RUNS = frozenset({9, 157})
# known-size assignments tried for a node the probes do not fit: a K function is cheap to
# evaluate abstractly, a layer's call may not be
_MAX_TRIALS = {"function": 64, "layer": 32}
_DIVISIBLE_SIZES = (2520, 5040)  # multiples of 1, 2, ..., 10
# elements of a resized probe, on engines whose probes are arrays (NumPy, torch's
# fallback on zeros); JAX's are abstract
_MAX_PROBE_SIZE = 2 ** 26


def restart_unknown_symbols():
    """Number the unknown axes of the next inputs from 0 again (a functional model was
    built: the inputs of the next one take the same probe sizes, so that engines which
    cache compiled functions per shape, jitted JAX functions, find them).

    >>> restart_unknown_symbols()
    >>> next_unknown_symbol()
    0
    """
    global _unknown_ids
    _unknown_ids = itertools.count()


def next_unknown_symbol():
    """A new symbol for an unknown axis of an input.

    >>> next_unknown_symbol() + 1 == next_unknown_symbol()
    True
    """
    return next(_unknown_ids)


def unknown_size(symbol, fill):
    """The size of the unknown axis number ``symbol`` in the probe run of batch size ``fill``.

    Symbols cycle through a table of sizes with a different step in the second run of a
    pair, so two symbols share both sizes only once in ``len(table) ** 2``.

    >>> unknown_size(0, 83), unknown_size(0, 157), unknown_size(1, 83)
    (89, 211, 97)
    """
    sizes = _UNKNOWN_SIZES[fill]
    n = len(sizes)
    return sizes[(symbol + symbol // n) % n if fill in _SECOND_RUNS else symbol % n]


def probe_other_sizes(node, engine, fills):
    """The node's probes with its inputs' unknown axes resized so that they fit, or None."""
    groups, known, by_position = _free_axes(node, fills, engine.is_array)
    if not groups:
        return None
    trials = _MAX_TRIALS["function" if node.layer is None else "layer"]
    limit = math.inf if getattr(engine, "abstract_probes", False) else _MAX_PROBE_SIZE
    for assignment in _size_assignments(groups, known, by_position, tuple(fills), trials):
        try:
            return _probe_resized(node, fills, groups, assignment, limit)
        except Exception:  # these sizes do not fit either: try the next assignment
            node._probes.clear()
    node._resize = None
    return None


def _free_axes(node, fills, is_array):
    """The unknown axes of the node's array inputs, grouped by their probe sizes (one
    group per symbol; the batch's sizes are the fills); the sizes to try for them: the
    known sizes (> 1) of the arguments, symbolic or constant, and the integers (> 1)
    among them (a reshape's 7), largest first, then 1; and the known sizes found at
    each axis counted from the right (as broadcasting aligns them)."""
    groups, known, by_position = {}, set(), {}

    def note_known(shape, axis, size):
        known.add(size)
        by_position.setdefault(len(shape) - 1 - axis, set()).add(size)

    for leaf in tree.flatten((node.args, node.kwargs))[0]:
        if isinstance(leaf, int) and not isinstance(leaf, bool):
            known.add(leaf)
        elif not getattr(leaf, "_lamina_symbolic", False) and hasattr(leaf, "shape"):
            shape = tuple(leaf.shape)
            for axis, d in enumerate(shape):
                note_known(shape, axis, int(d))
    for t in node.inputs:
        if t.static:
            continue
        try:
            a, b = t.probe(fills[0]), t.probe(fills[1])
        except Exception:  # an input that cannot be probed with these fills
            return {}, (), {}
        if not is_array(a):
            continue
        for axis, d in enumerate(t.shape):
            if d is not None:
                note_known(t.shape, axis, d)
                continue
            sizes = (a.shape[axis], b.shape[axis])
            groups.setdefault(sizes, []).append((t, axis))
    return groups, sorted((d for d in known if d > 1), reverse=True) + [1], by_position


def _size_assignments(groups, known, by_position, fills, trials):
    """Sizes to try for the groups of unknown axes, the least committal first (an
    output size that differs between the runs stays unknown): all groups equal to the
    first one (unrelated unknowns meeting), one or all at sizes divisible by every small
    number (a reshape), the sizes their axes meet in the other arguments
    (:func:`_aligned`), then known sizes for as few groups as fit (``(None, None) +
    (None, 5)``: only the axis meeting the 5 is 5), and last the batch at a known
    size."""
    batch = [key for key in groups if key == fills]
    keys = [key for key in groups if key != fills]
    if len(keys) > 1:
        yield {key: keys[0] for key in keys[1:]}
    if keys:
        if len(keys) > 1:
            for key in keys:
                yield {key: _DIVISIBLE_SIZES}
        yield {key: _DIVISIBLE_SIZES for key in keys}
        yield from _aligned(groups, keys + [fills] * bool(batch), by_position, fills)
    yield from itertools.islice(_fixed_sizes(keys, known), trials)
    for key in batch:  # the batch itself meets a known size: (None,) + (2,) is (2,)
        for size in known:
            yield {key: (size, size)}


def _aligned(groups, keys, by_position, batch):
    """Assignments read from the axes, counted from the right: a group takes the size
    > 1 known at its axis elsewhere, groups at an axis where no such size is known are
    made equal. Variants: an axis where only 1 is known left alone or set to 1, and one
    axis left alone entirely (a concatenation's axis), the least committal first."""
    position = {key: {len(t.shape) - 1 - axis for t, axis in groups[key]} for key in keys}
    axes = sorted({p for key in keys for p in position[key]})

    def assignment(ones, free_axis):
        result, first_at = {}, {}
        for key in keys:
            axis = min(position[key])
            if axis == free_axis:
                continue
            sizes = by_position.get(axis, set())
            large = sorted(d for d in sizes if d > 1)
            if large:
                result[key] = (large[0], large[0])
            elif key == batch:
                continue
            elif ones and 1 in sizes:
                result[key] = (1, 1)
            elif axis in first_at:
                result[key] = first_at[axis]
            else:
                first_at[axis] = key
        return result

    variants = [(False, a) for a in axes] + [(False, None)] + [(True, a) for a in axes] \
        + [(True, None)]
    seen = []
    for ones, free_axis in variants:
        candidate = assignment(ones, free_axis)
        if candidate and candidate not in seen:
            seen.append(candidate)
            yield candidate


def _fixed_sizes(keys, known):
    """Assignments of known sizes to some of the groups, fewest fixed groups first, the
    others left as they are or made equal to each other."""
    for count in range(1, len(keys) + 1):
        for chosen in itertools.combinations(keys, count):
            rest = [k for k in keys if k not in chosen]
            for sizes in itertools.product(known, repeat=count):
                fixed = {key: (size, size) for key, size in zip(chosen, sizes)}
                yield fixed
                if len(rest) > 1:
                    yield {**fixed, **{k: rest[0] for k in rest[1:]}}


def _probe_resized(node, fills, groups, assignment, limit):
    """The node's probes for both runs with the axes of ``groups`` set to the sizes
    ``assignment`` gives them; the sizes stay with the node (a later probe of it
    recomputes the same result)."""
    resize = {fill: {} for fill in fills}
    for key, sizes in assignment.items():
        for t, axis in groups[key]:
            for fill, size in zip(fills, sizes):
                resize[fill].setdefault(id(t), {})[axis] = size
    for t in node.inputs:
        for fill in fills:
            sizes = resize[fill].get(id(t))
            if sizes and math.prod(sizes.get(axis, d) for axis, d in
                                   enumerate(t.probe(fill).shape)) > limit:
                raise ValueError("probe too large")  # skipped like an assignment that fails
    node._resize = resize
    for fill in fills:
        node._probes.pop(fill, None)
    return node.probe(fills[0]), node.probe(fills[1])
