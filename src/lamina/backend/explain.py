"""Error messages in the user's terms for the K functions that most often get bad shapes.

When the engine rejects a call, :mod:`lamina.backend.dispatch` asks the explainer
registered for the function to say what was wrong from the shapes it received
(symbolic shapes keep None for unknown dimensions). An explainer returns None when
it finds nothing to say, and the generic message (shapes, dtypes and the engine's
own words) is used.

>>> import numpy as np
>>> from lamina import backend as K
>>> try:
...     K.dot(np.ones((2, 3)), np.ones((4, 5)))
... except ValueError as e:
...     print(e)
dot: shapes (2, 3) and (4, 5) are not aligned: 3 (dim 1) != 4 (dim 0)
"""

import math

from lamina.backend.dispatch import explainer


def _shape(x):
    shape = getattr(x, "shape", None)
    if shape is None:
        import numpy as np
        try:
            shape = np.shape(x)
        except Exception:
            return None
    return tuple(None if d is None else int(d) for d in shape)


def _compatible(a, b):
    return a is None or b is None or a == b


def _contraction(name, a, b, b_axis):
    if not a or not b:
        return None
    dim_b = len(b) + b_axis if len(b) >= -b_axis else len(b) - 1
    if not _compatible(a[-1], b[dim_b]):
        return (f"shapes {a} and {b} are not aligned: {a[-1]} (dim {len(a) - 1}) != "
                f"{b[dim_b]} (dim {dim_b})")
    return None


@explainer("dot")
def _dot(args, kwargs):
    a, b = (_shape(v) for v in args[:2])
    if a is None or b is None:
        return None
    return _contraction("dot", a, b, -2 if len(b) >= 2 else -1)


@explainer("matmul")
def _matmul(args, kwargs):
    a, b = (_shape(v) for v in args[:2])
    if a is None or b is None:
        return None
    if not a or not b:
        return f"expected tensors of rank >= 1; received shapes {a} and {b}"
    message = _contraction("matmul", a, b, -2 if len(b) >= 2 else -1)
    if message:
        return message
    batch = _broadcast(a[:-2], b[:-2])
    if batch is None:
        return f"the batch dimensions of shapes {a} and {b} cannot be broadcast together"
    return None


def _broadcast(a, b):
    out = []
    for da, db in zip(reversed((1,) * (len(b) - len(a)) + tuple(a)),
                      reversed((1,) * (len(a) - len(b)) + tuple(b))):
        if da == 1:
            out.append(db)
        elif db == 1 or _compatible(da, db):
            out.append(da if da is not None else db)
        else:
            return None
    return tuple(reversed(out))


def _elementwise(args, kwargs):
    shapes = [_shape(v) for v in args[:2]]
    if any(s is None for s in shapes):
        return None
    if _broadcast(*shapes) is None:
        return f"shapes {shapes[0]} and {shapes[1]} cannot be broadcast together"
    return None


for _name in ("add", "subtract", "multiply", "divide", "true_divide", "maximum", "minimum",
              "power", "mod", "floor_divide", "equal", "not_equal", "less", "less_equal",
              "greater", "greater_equal", "logical_and", "logical_or", "logical_xor",
              "arctan2", "logaddexp"):
    explainer(_name)(_elementwise)


@explainer("reshape")
def _reshape(args, kwargs):
    shape = _shape(args[0])
    target = args[1] if len(args) > 1 else kwargs.get("newshape")
    if shape is None or None in shape or not isinstance(target, (tuple, list, int)):
        return None
    target = (target,) if isinstance(target, int) else tuple(target)
    if not all(isinstance(d, int) for d in target):
        return None
    size = math.prod(shape)
    known = math.prod(d for d in target if d != -1)
    if (-1 in target and (known == 0 or size % known)) or (-1 not in target and known != size):
        return (f"cannot reshape a tensor of shape {shape} ({size} elements) into shape "
                f"{target}")
    return None


@explainer("concatenate")
def _concatenate(args, kwargs):
    xs = args[0] if args else kwargs.get("xs")
    axis = args[1] if len(args) > 1 else kwargs.get("axis", 0)
    shapes = [_shape(x) for x in xs] if isinstance(xs, (list, tuple)) else None
    if not shapes or any(s is None for s in shapes):
        return None
    if len({len(s) for s in shapes}) > 1:
        return f"all inputs must have the same rank; received shapes {shapes}"
    rank = len(shapes[0])
    axis = axis % rank if rank else 0
    for i in range(rank):
        if i != axis and len({s[i] for s in shapes if s[i] is not None}) > 1:
            return (f"all dimensions except axis {axis} must match; received shapes "
                    f"{', '.join(str(s) for s in shapes)}")
    return None
