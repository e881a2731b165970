"""Python operators (+ - * / // % ** @, comparisons, unary -, indexing) for Variables
and symbolic tensors, defined once through the K functions.

On a symbolic tensor an operator records a node like any K function; on a static
symbolic value (an unknown dimension size from ``K.shape``) it records Python's own
operator, so shape arithmetic such as ``K.shape(x)[0] * 2`` stays a Python int when
evaluated.

>>> from lamina import backend as K
>>> v = K.Variable([1.0, 2.0])
>>> K.convert_to_numpy(2.0 * v + 1.0).tolist()
[3.0, 5.0]
"""

import operator

from lamina.backend import symbolic

_BINARY = {
    "add": ("add", operator.add), "sub": ("subtract", operator.sub),
    "mul": ("multiply", operator.mul), "truediv": ("true_divide", operator.truediv),
    "floordiv": ("floor_divide", operator.floordiv), "mod": ("mod", operator.mod),
    "pow": ("power", operator.pow), "matmul": ("matmul", operator.matmul),
    "and": ("logical_and", operator.and_), "or": ("logical_or", operator.or_),
    "xor": ("logical_xor", operator.xor),
}
_COMPARE = {
    "lt": ("less", operator.lt), "le": ("less_equal", operator.le),
    "gt": ("greater", operator.gt), "ge": ("greater_equal", operator.ge),
    "eq": ("equal", operator.eq), "ne": ("not_equal", operator.ne),
}
_UNARY = {"neg": ("negative", operator.neg), "abs": ("abs", operator.abs),
          "invert": ("logical_not", operator.invert), "pos": (None, operator.pos)}


def _is_static(value):
    return isinstance(value, symbolic.SymbolicTensor) and value.static


def _static_call(py_op, name, *args):
    return symbolic.record(py_op, args, {}, name=name, direct=True)


def _binary(ops, k_name, py_op, reflected):
    def method(self, other):
        a, b = (other, self) if reflected else (self, other)
        if _is_static(a) or _is_static(b):
            return _static_call(py_op, k_name, a, b)
        return getattr(ops, k_name)(a, b)
    return method


def _unary(ops, k_name, py_op):
    def method(self):
        if _is_static(self) or k_name is None:
            return _static_call(py_op, k_name or "pos", self) if _is_static(self) else self
        return getattr(ops, k_name)(self)
    return method


def install(cls, ops):
    """Give ``cls`` the tensor operators, implemented with the K functions in ``ops``."""
    for short, (k_name, py_op) in _BINARY.items():
        setattr(cls, f"__{short}__", _binary(ops, k_name, py_op, reflected=False))
        setattr(cls, f"__r{short}__", _binary(ops, k_name, py_op, reflected=True))
    for short, (k_name, py_op) in _COMPARE.items():
        setattr(cls, f"__{short}__", _binary(ops, k_name, py_op, reflected=False))
    for short, (k_name, py_op) in _UNARY.items():
        setattr(cls, f"__{short}__", _unary(ops, k_name, py_op))
    cls.__getitem__ = lambda self, key: ops.get_item(self, key)
    cls.__hash__ = object.__hash__
