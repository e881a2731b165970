"""Weight regularizers (``keras.regularizers``): objects ``weight -> scalar penalty``.

A layer adds each weight's penalty to the training loss. Names, arguments and
formulas follow Keras 3 and are written with K functions, so they run (and
differentiate) on every engine. ``get`` also accepts any callable
``weight -> scalar``: a custom regularizer need not subclass :class:`Regularizer`.

>>> from lamina import backend as K
>>> from lamina import regularizers
>>> w = K.convert_to_tensor([[1.0, -2.0], [3.0, -4.0]])
>>> round(float(regularizers.get("l2")(w)), 4)
0.3
>>> round(float(regularizers.L1L2(l1=0.1, l2=0.01)(w)), 4)
1.3
"""

import math

from lamina import backend as K
from lamina._arguments import is_number
from lamina._catalogue import Catalogue, Configurable


def _check_factor(owner, name, value):
    if not is_number(value) or \
            not math.isfinite(value) or value < 0:
        raise ValueError(f"{owner}: {name} must be a finite float >= 0. Received {name}={value!r}.")
    return float(value)


class Regularizer(Configurable):
    """Base class: subclasses implement ``__call__(self, x)`` returning a scalar;
    ``get_config()`` returns the constructor arguments (captured when the regularizer
    was created, for a subclass that does not write its own).

    >>> from lamina import backend as K
    >>> class SumOfSquares(Regularizer):
    ...     def __init__(self, factor=1.0):
    ...         self.factor = factor
    ...     def __call__(self, x):
    ...         return K.sum(K.square(x)) * self.factor
    >>> float(SumOfSquares()(K.convert_to_tensor([1.0, 2.0]))), SumOfSquares(0.5).get_config()
    (5.0, {'factor': 0.5})
    """

    def __call__(self, x):
        return 0.0


class L1(Regularizer):
    """``l1 * sum(|x|)``.

    >>> from lamina import backend as K
    >>> float(L1(0.5)(K.convert_to_tensor([1.0, -3.0])))
    2.0
    """

    def __init__(self, l1=0.01):
        self.l1 = _check_factor("L1", "l1", 0.01 if l1 is None else l1)

    def __call__(self, x):
        return K.multiply(K.sum(K.abs(x)), self.l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(x ** 2)``.

    >>> from lamina import backend as K
    >>> float(L2(0.5)(K.convert_to_tensor([1.0, -3.0])))
    5.0
    """

    def __init__(self, l2=0.01):
        self.l2 = _check_factor("L2", "l2", 0.01 if l2 is None else l2)

    def __call__(self, x):
        return K.multiply(K.sum(K.square(x)), self.l2)

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x ** 2)`` (both factors default to 0).

    >>> from lamina import backend as K
    >>> float(L1L2(l1=1.0, l2=0.5)(K.convert_to_tensor([1.0, -2.0])))
    5.5
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _check_factor("L1L2", "l1", 0.0 if l1 is None else l1)
        self.l2 = _check_factor("L1L2", "l2", 0.0 if l2 is None else l2)

    def __call__(self, x):
        penalty = K.zeros((), dtype=K.dtype(x))
        if self.l1:
            penalty = K.add(penalty, K.multiply(K.sum(K.abs(x)), self.l1))
        if self.l2:
            penalty = K.add(penalty, K.multiply(K.sum(K.square(x)), self.l2))
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (``mode="rows"``) or columns (``"columns"``) of a 2-D weight to be
    orthogonal to each other.

    The penalty is ``factor`` times the mean ``|cosine|`` over the distinct pairs of
    rows (columns): ``factor * sum(|P - diag(P)|) / (n * (n - 1))`` where ``P`` holds the
    dot products of the L2-normalized rows (columns) and ``n`` their number.

    >>> from lamina import backend as K
    >>> float(OrthogonalRegularizer(factor=1.0)(K.eye(3)))
    0.0
    >>> round(float(OrthogonalRegularizer(factor=1.0)(K.ones((2, 2)))), 4)
    1.0
    """

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _check_factor("OrthogonalRegularizer", "factor", factor)
        if mode not in ("rows", "columns"):
            raise ValueError(f"OrthogonalRegularizer: mode must be 'rows' or 'columns'. "
                             f"Received mode={mode!r}.")
        self.mode = mode

    def __call__(self, x):
        shape = K.shape(x)
        if len(shape) != 2:
            raise ValueError(f"OrthogonalRegularizer: the weight must have rank 2. Received "
                             f"shape={tuple(shape)}.")
        if self.mode == "rows":
            normalized = K.normalize(x, axis=1)
            product = K.matmul(normalized, K.transpose(normalized))
            size = shape[0]
        else:
            normalized = K.normalize(x, axis=0)
            product = K.matmul(K.transpose(normalized), normalized)
            size = shape[1]
        off_diagonal = K.multiply(product, K.subtract(1.0, K.eye(size, dtype=K.dtype(x))))
        num_pairs = size * (size - 1.0) / 2.0
        return K.multiply(K.sum(K.abs(off_diagonal)), self.factor * 0.5 / num_pairs)

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


l1 = L1
l2 = L2
l1_l2 = L1L2
orthogonal_regularizer = OrthogonalRegularizer

_CLASSES = {"L1": L1, "L2": L2, "L1L2": L1L2, "OrthogonalRegularizer": OrthogonalRegularizer,
            "l1": L1, "l2": L2, "l1_l2": L1L2, "orthogonal_regularizer": OrthogonalRegularizer}


_CATALOGUE = Catalogue("lamina.regularizers", "regularizer", _CLASSES,
                       accepts="a callable weight -> scalar")


def serialize(regularizer):
    """``{"class_name": ..., "config": ...}`` describing ``regularizer``.

    >>> serialize(L2(0.1))
    {'class_name': 'L2', 'config': {'l2': 0.1}}
    """
    return _CATALOGUE.serialize(regularizer)


def deserialize(config, custom_objects=None):
    """The regularizer that ``serialize`` described (``custom_objects`` maps extra names
    to classes).

    >>> deserialize({"class_name": "L1", "config": {"l1": 0.2}}).l1
    0.2
    """
    return _CATALOGUE.deserialize(config, custom_objects)


def get(identifier):
    """A regularizer from ``identifier``.

    None gives None; a name (``"l2"``, ``"L1L2"``) gives the class with its default
    arguments; a ``serialize`` dict, a class or an instance work too; any other
    callable ``weight -> scalar`` is returned as is.

    >>> get("l1_l2").get_config()
    {'l1': 0.0, 'l2': 0.0}
    >>> penalty = lambda w: 0.0
    >>> get(penalty) is penalty, get(None) is None
    (True, True)
    """
    return _CATALOGUE.get(identifier)
