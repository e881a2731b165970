"""Weight constraints (``keras.constraints``): objects ``weight -> projected weight``.

The optimizer applies a weight's constraint after each update. Names, arguments
and formulas follow Keras 3 and are written with K functions, so they run on
every engine. ``get`` also accepts any callable ``weight -> weight``.

>>> from lamina import backend as K
>>> from lamina import constraints
>>> w = K.convert_to_tensor([[-1.0, 2.0]])
>>> K.convert_to_numpy(constraints.get("non_neg")(w)).tolist()
[[0.0, 2.0]]
"""

from lamina import backend as K
from lamina._catalogue import Catalogue, Configurable


def _norms(w, axis):
    return K.sqrt(K.sum(K.square(w), axis=axis, keepdims=True))


def _as_tensor(w):
    return w if hasattr(w, "dtype") else K.convert_to_tensor(w)


class Constraint(Configurable):
    """Base class: subclasses implement ``__call__(self, w)`` returning the projected
    weight (the base returns ``w`` unchanged); ``get_config()`` returns the
    constructor arguments (captured when the constraint was created, for a subclass
    that does not write its own).

    >>> from lamina import backend as K
    >>> class Clip(Constraint):
    ...     def __init__(self, limit=1.0):
    ...         self.limit = limit
    ...     def __call__(self, w):
    ...         return K.clip(w, -self.limit, self.limit)
    >>> K.convert_to_numpy(Clip()(K.convert_to_tensor([-3.0, 0.5]))).tolist()
    [-1.0, 0.5]
    >>> Clip(2.0).get_config(), MaxNorm(3.0).get_config()
    ({'limit': 2.0}, {'max_value': 3.0, 'axis': 0})
    """

    def __call__(self, w):
        return w


class MaxNorm(Constraint):
    """Rescales each slice along ``axis`` whose L2 norm exceeds ``max_value`` down to it.

    ``axis=0`` constrains each column of a Dense kernel ``(in, out)`` (each unit's
    incoming weights); for a conv kernel ``(rows, cols, in, out)`` use
    ``axis=[0, 1, 2]``.

    >>> from lamina import backend as K
    >>> w = K.convert_to_tensor([[3.0, 0.6], [4.0, 0.8]])
    >>> [[round(v, 4) for v in row] for row in K.convert_to_numpy(MaxNorm(2.0)(w)).tolist()]
    [[1.2, 0.6], [1.6, 0.8]]
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        w = _as_tensor(w)
        norms = _norms(w, self.axis)
        desired = K.clip(norms, 0, self.max_value)
        return K.multiply(w, K.divide(desired, K.add(norms, K.epsilon())))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves each slice's L2 norm along ``axis`` into ``[min_value, max_value]``.

    ``rate`` in ``(0, 1]`` sets how far: the new norm is
    ``rate * clip(norm, min_value, max_value) + (1 - rate) * norm``.

    >>> from lamina import backend as K
    >>> w = K.convert_to_tensor([[3.0, 0.3], [4.0, 0.4]])
    >>> [[round(v, 4) for v in row] for row in K.convert_to_numpy(MinMaxNorm(1.0, 2.0)(w)).tolist()]
    [[1.2, 0.6], [1.6, 0.8]]
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        w = _as_tensor(w)
        norms = _norms(w, self.axis)
        desired = K.add(K.multiply(K.clip(norms, self.min_value, self.max_value), self.rate),
                        K.multiply(norms, 1.0 - self.rate))
        return K.multiply(w, K.divide(desired, K.add(norms, K.epsilon())))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to zero.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(NonNeg()(K.convert_to_tensor([-1.0, 0.0, 2.0]))).tolist()
    [0.0, 0.0, 2.0]
    """

    def __call__(self, w):
        w = _as_tensor(w)
        return K.where(K.greater_equal(w, 0), w, K.zeros_like(w))


class UnitNorm(Constraint):
    """Scales each slice along ``axis`` to unit L2 norm.

    >>> from lamina import backend as K
    >>> w = K.convert_to_tensor([[3.0], [4.0]])
    >>> [[round(v, 4) for v in row] for row in K.convert_to_numpy(UnitNorm()(w)).tolist()]
    [[0.6], [0.8]]
    """

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = _as_tensor(w)
        return K.divide(w, K.add(_norms(w, self.axis), K.epsilon()))

    def get_config(self):
        return {"axis": self.axis}


max_norm = MaxNorm
min_max_norm = MinMaxNorm
non_neg = NonNeg
unit_norm = UnitNorm

_CLASSES = {"Constraint": Constraint, "MaxNorm": MaxNorm, "MinMaxNorm": MinMaxNorm,
            "NonNeg": NonNeg, "UnitNorm": UnitNorm, "max_norm": MaxNorm,
            "min_max_norm": MinMaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm}


_CATALOGUE = Catalogue("lamina.constraints", "constraint", _CLASSES,
                       accepts="a callable weight -> weight")


def serialize(constraint):
    """``{"class_name": ..., "config": ...}`` describing ``constraint``.

    >>> serialize(UnitNorm(axis=1))
    {'class_name': 'UnitNorm', 'config': {'axis': 1}}
    """
    return _CATALOGUE.serialize(constraint)


def deserialize(config, custom_objects=None):
    """The constraint that ``serialize`` described (``custom_objects`` maps extra names
    to classes).

    >>> deserialize({"class_name": "MaxNorm", "config": {"max_value": 3}}).max_value
    3
    """
    return _CATALOGUE.deserialize(config, custom_objects)


def get(identifier):
    """A constraint from ``identifier``.

    None gives None; a name (``"max_norm"``, ``"MaxNorm"``) gives the class with its
    default arguments; a ``serialize`` dict, a class or an instance work too; any
    other callable ``weight -> weight`` is returned as is.

    >>> type(get("unit_norm")).__name__, get(None) is None
    ('UnitNorm', True)
    """
    return _CATALOGUE.get(identifier)
