"""The torch engine's math, array and core functions against the numpy engine's.

Each case calls the K function on torch tensors and the numpy engine's implementation
(:func:`lamina.backend.numpy_api.implement` over NumPy) on the same values, and checks
the values, the shapes and the exact result dtypes. Each case also runs on torch's
``meta`` device, as shape inference does, and must give the same shape there.
Runs only with ``LAMINA_BACKEND=torch``.
"""

import itertools

import numpy as np
import pytest

from lamina import backend as K

pytestmark = pytest.mark.skipif(K.backend() != "torch", reason="torch engine parity checks")

if K.backend() == "torch":
    import torch

    from lamina.backend import numpy as numpy_engine
    from lamina.backend.numpy_api import implement
    from lamina.backend.ops import arrays as _arrays
    from lamina.backend.ops import core as _core
    from lamina.backend.ops import math as _math
    from lamina.backend.torch import core as torch_core

    REF = dict(implement(np))
    for _name in ("slice", "slice_update", "scatter", "scatter_update", "segment_sum", "scan",
                  "stop_gradient", "fori_loop", "while_loop", "cond"):
        REF[_name] = getattr(numpy_engine, _name)

rng = np.random.default_rng(0)


def a(shape, dtype="float32", lo=-5, hi=5):
    if dtype == "bool":
        return rng.random(shape) > 0.5
    if np.dtype(dtype).kind in "iu":
        return rng.integers(0 if dtype.startswith("u") else lo, hi, shape).astype(dtype)
    return rng.uniform(lo, hi, shape).astype(dtype)


def pos(shape, dtype="float32"):
    return a(shape, dtype, 1, 5)


class C:
    """A case: K.<name>(*args, **kwargs), with ``meta=False`` when shape inference cannot
    run on the meta device (the output shape depends on the values)."""

    def __init__(self, name, *args, meta=True, **kwargs):
        self.name, self.args, self.kwargs, self.meta = name, args, kwargs, meta

    def __repr__(self):
        def d(v):
            return f"{v.dtype}{v.shape}" if isinstance(v, np.ndarray) else repr(v)
        return f"{self.name}({', '.join(d(v) for v in self.args)}, {self.kwargs})"


DTYPES = ("float32", "float16", "float64", "int32", "int64", "int8", "uint8", "bool")
ELEMENTWISE = ("add", "subtract", "multiply", "maximum", "minimum", "divide", "true_divide",
               "power", "equal", "not_equal", "greater", "less_equal", "logical_and",
               "logical_xor", "arctan2", "logaddexp", "mod", "floor_divide")


def _binary_cases():
    cases = []
    for d1, d2 in itertools.product(DTYPES, DTYPES):
        for name in ("add", "multiply", "maximum", "divide", "equal", "logical_or"):
            cases.append(C(name, a((2, 3), d1), a((3,), d2)))
    for name in ELEMENTWISE:
        for d in ("float32", "int32"):
            x = pos((2, 3), d) if name in ("mod", "floor_divide", "power") else a((2, 3), d)
            y = pos((2, 3), d) if name in ("mod", "floor_divide", "power", "divide") \
                else a((2, 3), d)
            if name == "subtract" and d == "bool":
                continue
            cases.append(C(name, x, y))
            for scalar in (2, 2.5, True):
                if name in ("logical_and", "logical_xor") and scalar is not True:
                    continue
                cases.append(C(name, x, scalar))
                if name not in ("power", "mod", "floor_divide", "divide", "true_divide"):
                    cases.append(C(name, scalar, x))
            cases.append(C(name, x, np.asarray(y[0, 0], "float64" if d == "int32" else d)))
    cases += [C("add", a((3,), "float16"), np.asarray(1.0, "float32")),
              C("add", np.asarray(1.0, "float32"), a((3,), "float16")),
              C("mod", a((5,), lo=-7, hi=7), np.float32(-2.5)),
              C("mod", a((6,), "int32", -7, 7), pos((6,), "int32")),
              C("mod", np.array([5, -5], "int32"), -3),
              C("floor_divide", a((6,), lo=-7, hi=7), np.float32(-2.5)),
              C("power", a((4,), "int32", 0, 4), 2.0)]
    return cases


UNARY_FLOAT = ("exp", "expm1", "log", "log10", "log1p", "log2", "sqrt", "sin", "cos", "tan",
               "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh",
               "arctanh", "ceil", "floor", "reciprocal", "rsqrt")
UNARY_SAME = ("abs", "absolute", "negative", "sign", "square", "conj", "real", "imag",
              "isfinite", "isinf", "isnan", "logical_not", "round", "nan_to_num")


def _unary_cases():
    cases = []
    for name in UNARY_FLOAT:
        lo = {"arccosh": 1.0, "arcsin": -1.0, "arccos": -1.0, "arctanh": -0.9}.get(name, 0.1)
        hi = {"arccosh": 5.0, "arcsin": 1.0, "arccos": 1.0, "arctanh": 0.9}.get(name, 3.0)
        for d in ("float32", "float64", "float16"):
            cases.append(C(name, a((2, 3), d, lo, hi)))
        if name not in ("arcsin", "arccos", "arctanh"):
            cases.append(C(name, a((2, 3), "int32", 1, 4)))
    for name in UNARY_SAME:
        for d in ("float32", "int32", "float16", "int8"):
            if name == "negative" and d == "bool":
                continue
            cases.append(C(name, a((2, 3), d)))
    cases += [C("abs", a((3,), "bool")), C("square", a((3,), "bool")),
              C("round", np.array([0.5, 1.5, 2.5, -0.5, 2.26], "float32"), 1),
              C("round", np.array([0.5, 1.5, 2.5, -0.5, 2.26], "float32")),
              C("round", np.array([1234, -1250, 1350], "int32"), -2),
              C("nan_to_num", np.array([np.nan, np.inf, -np.inf, 1.0], "float32")),
              C("nan_to_num", np.array([np.nan, np.inf, -np.inf, 1.0], "float32"), nan=1.0,
                posinf=9.0, neginf=-9.0),
              C("isnan", np.array([np.nan, 1.0], "float32")),
              C("clip", a((2, 3)), -1.0, 1.0), C("clip", a((2, 3), "int32"), -1, 2),
              C("clip", a((2, 3), "int32"), -1.5, 2.5), C("clip", a((3,), "bool"), 0, 1),
              C("clip", a((2, 3)), a((3,), lo=-3, hi=0), 2.0),
              C("clip", a((2, 3)), None, 1.0)]
    return cases


def _reduction_cases():
    cases = []
    for name in ("sum", "mean", "std", "var", "max", "min", "amax", "amin", "all", "any",
                 "argmax", "argmin", "prod", "median", "logsumexp", "count_nonzero"):
        for d in ("float32", "int32", "bool", "uint8", "float16"):
            if name in ("std", "var", "median", "logsumexp") and d in ("bool", "uint8"):
                continue
            x = a((2, 3, 4), d, -2, 3)
            axes = [None, 0, -1] if name in ("argmax", "argmin") else \
                [None, 0, -1, (0, 2), [1, 2]]
            for axis in axes:
                keep = [False] if name == "count_nonzero" else [False, True]
                for keepdims in keep:
                    kwargs = {} if name == "count_nonzero" else {"keepdims": keepdims}
                    cases.append(C(name, x, axis=axis, **kwargs))
    cases += [C("max", a((2, 3)), axis=0, initial=4.9), C("min", a((2, 3)), initial=-6.0),
              C("max", a((0, 3)), axis=0, initial=1.0),
              C("median", a((4, 6)), axis=1), C("median", a((5,))),
              C("sum", a((2, 3), "int8")), C("sum", a((2, 3)), axis=()),
              C("prod", a((2, 3), "int32", -3, 3), dtype="float32"),
              C("logsumexp", np.array([-np.inf, -np.inf], "float32")),
              C("argsort", a((3, 4))), C("argsort", a((3, 4)), axis=0),
              C("argsort", a((3, 4)), axis=None), C("sort", a((3, 4), "int32")),
              C("sort", a((3, 4)), axis=0), C("sort", a((3, 4)), axis=None),
              C("cumsum", a((3, 4))), C("cumsum", a((3, 4), "int32"), axis=1),
              C("cumsum", a((3, 4), "bool"), axis=0), C("cumsum", a((3, 4), "uint8"), 0),
              C("cumprod", a((3, 4), "int32", -2, 3), axis=0),
              C("cumprod", a((3, 4)), dtype="float64"),
              C("average", a((3, 4))), C("average", a((3, 4)), axis=1, weights=pos((4,))),
              C("average", a((3, 4), "int32"), axis=0, weights=pos((3, 4))),
              C("average", a((3, 4)), weights=pos((3, 4))),
              C("norm", a((3, 4))), C("norm", a((3, 4)), axis=1),
              C("norm", a((3, 4)), ord=1, axis=0), C("norm", a((3, 4)), ord="fro"),
              C("norm", a((3, 4)), ord=np.inf), C("norm", a((5,), "int32"), ord=1),
              C("norm", a((2, 3, 4)), axis=(1, 2), keepdims=True),
              C("quantile", a((7,)), 0.3), C("quantile", a((4, 5)), 0.5, axis=1),
              C("quantile", a((4, 5)), np.array([0.1, 0.9]), axis=0, keepdims=True),
              C("quantile", a((3, 4, 5)), np.array([0.25, 0.5]), axis=(0, 2)),
              C("quantile", a((4, 5), "int32"), 0.4)]
    for method in ("lower", "higher", "midpoint", "nearest"):
        cases.append(C("quantile", a((9,)), np.array([0.1, 0.5, 0.62]), method=method))
    cases += [C("top_k", a((3, 6)), 2), C("top_k", a((6,), "int32"), 3),
              C("trace", a((3, 3))), C("trace", a((3, 4), "int32"), 1),
              C("trace", a((2, 3, 4)), axis1=1, axis2=2)]
    return cases


def _linalg_cases():
    cases = []
    for s1, s2 in [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                   ((5, 2, 3), (3, 4)), ((5, 2, 3), (3,)), ((2, 3), (4, 3, 2)),
                   ((2, 2, 3), (4, 3, 2)), ((), (3, 2))]:
        cases.append(C("dot", a(s1), a(s2)))
        if len(s1) and len(s2) and (len(s2) < 3 or s1[:-2] in ((), s2[:-2])):
            cases.append(C("matmul", a(s1), a(s2)))
    cases += [C("matmul", a((2, 3), "int32"), a((3, 2))),
              C("matmul", a((4, 2, 3)), a((3, 2))), C("dot", a((2, 3), "int32"), a((3,))),
              C("matmul", a((2, 3), "int32"), a((3, 2), "int32")),
              C("vdot", a((2, 3)), a((6,))), C("outer", a((3,)), a((2, 2), "int32")),
              C("tensordot", a((2, 3, 4)), a((3, 4, 5))),
              C("tensordot", a((2, 3)), a((3, 2)), axes=1),
              C("tensordot", a((2, 3, 4)), a((4, 2, 3)), axes=([0, 1], [1, 2])),
              C("tensordot", a((2, 3)), a((2, 3)), axes=[1, 1]),
              C("cross", a((3,)), a((3,))), C("cross", a((4, 3)), a((3,))),
              C("cross", a((3, 4)), a((3, 4)), axis=0),
              C("cross", a((3, 4), "int32"), a((4, 3)), axisa=0),
              C("einsum", "ij,jk->ik", a((2, 3)), a((3, 4))),
              C("einsum", "ij,jk", a((2, 3), "int32"), a((3, 4))),
              C("einsum", "...i,...i->...", a((2, 5, 3)), a((5, 3))),
              C("einsum", "ii", a((3, 3)))]
    return cases


def _creation_cases():
    return [C("zeros", (2, 3)), C("zeros", 3, dtype="int32"), C("ones", (2,), dtype="bool"),
            C("empty", (2, 2)), C("full", (2, 3), 7.0), C("full", (2,), 3),
            C("full", (2,), True), C("full", (2,), np.float16(1.5)),
            C("full", (2, 3), np.array([1.0, 2.0, 3.0], "float32")),
            C("full", (2,), 1, dtype="float64"),
            C("zeros_like", a((2, 3), "int32")), C("ones_like", a((2,)), dtype="int8"),
            C("full_like", a((2,), "int32"), 2.5), C("full_like", a((2,)), 3, dtype="int32"),
            C("eye", 3), C("eye", 3, 4, k=1), C("eye", 4, 2, k=-1, dtype="int32"),
            C("identity", 2, dtype="bool"), C("tri", 3), C("tri", 3, 5, k=2),
            C("arange", 5), C("arange", 1, 7, 2), C("arange", 0.0, 1.0, 0.1),
            C("arange", 2, 8, dtype="float32"), C("arange", 0, 5, 0.5),
            C("linspace", 0.0, 1.0, 5), C("linspace", 0, 10, 5, dtype="int32"),
            C("linspace", 0.0, 1.0, 4, endpoint=False), C("linspace", 2.0, 3.0, 1),
            C("linspace", np.array([0.0, 1.0]), np.array([1.0, 3.0]), 4, axis=1),
            C("logspace", 0.0, 2.0, 3), C("logspace", 0.0, 3.0, 4, base=2),
            C("meshgrid", a((2,)), a((3,))), C("meshgrid", a((2,)), a((3,), "int32"),
                                               indexing="ij"),
            C("copy", a((2, 3))), C("array", [1.0, 2.0]), C("array", [1, 2], dtype="float64")]


def _shape_cases():
    x = a((2, 3, 4))
    return [C("reshape", x, (6, -1)), C("reshape", x, 24), C("transpose", x),
            C("transpose", x, (1, 0, 2)), C("moveaxis", x, 0, -1),
            C("moveaxis", x, (0, 1), (2, 0)), C("swapaxes", x, 0, 2),
            C("expand_dims", x, 0), C("expand_dims", x, -1), C("expand_dims", x, (0, 4)),
            C("squeeze", a((1, 3, 1))), C("squeeze", a((1, 3, 1)), axis=2),
            C("squeeze", a((1, 3, 1)), axis=(0, 2)), C("ravel", x),
            C("broadcast_to", a((3, 1)), (2, 3, 4)), C("flip", x), C("flip", x, axis=1),
            C("flip", x, axis=(0, 2)), C("roll", x, 2), C("roll", x, -1, axis=1),
            C("roll", x, (1, 2), axis=(0, 2)), C("tile", a((2, 3)), 2),
            C("tile", a((2, 3)), (2, 1, 2)), C("repeat", a((2, 3)), 2),
            C("repeat", a((2, 3)), 2, axis=1), C("repeat", a((2, 3)), [1, 2], axis=0),
            C("tril", a((3, 4))), C("triu", a((3, 4)), 1), C("tril", a((2, 3, 3)), -1),
            C("diag", a((3,))), C("diag", a((3, 4)), 1), C("diag", a((2,)), -1),
            C("diagonal", x), C("diagonal", x, 1, 1, 2),
            C("diff", a((5,))), C("diff", a((3, 4), "int32"), 2, 0),
            C("diff", a((5,), "bool")),
            C("concatenate", [a((2, 3)), a((1, 3), "int32")]),
            C("concatenate", [a((2, 3)), a((2, 1))], axis=1),
            C("concatenate", [a((2, 3)), a((1,))], axis=None),
            C("stack", [a((2, 3)), a((2, 3), "float16")]),
            C("stack", [a((2, 3)), a((2, 3))], axis=-1),
            C("hstack", [a((2, 3)), a((2, 1), "int32")]), C("vstack", [a((3,)), a((3,))]),
            C("append", a((2, 3)), a((3,))), C("append", a((2, 3)), a((1, 3)), axis=0),
            C("split", a((6, 2)), 3), C("split", a((6, 2)), [1, 4]),
            C("split", a((2, 6)), [2, 8], axis=1), C("unstack", x), C("unstack", x, axis=1),
            C("pad", a((3,)), [(1, 2)]), C("pad", a((2, 3), "int32"), [(1, 0), (2, 1)]),
            C("pad", a((2, 3)), 1), C("pad", a((2, 3)), [(1, 1)], constant_values=9.0),
            C("pad", a((3,), "bool"), [(1, 1)])]


def _pad_cases():
    cases = []
    for mode in ("reflect", "symmetric", "edge", "wrap"):
        for widths in ([(2, 2)], [(4, 7)], [(0, 1)]):
            cases.append(C("pad", np.arange(4, dtype="int32"), widths, mode=mode))
        cases.append(C("pad", a((3, 4)), [(1, 2), (3, 0)], mode=mode))
        cases.append(C("pad", a((1, 4)), [(2, 2), (1, 1)], mode=mode))
    cases.append(C("pad", a((2, 3)), ((1, 2), (3, 4)), constant_values=((1.0, 2.0), (3.0, 4.0))))
    return cases


def _index_cases():
    x = a((4, 5, 6))
    keys = [1, -1, (1, 2), builtins_slice(1, 3), (Ellipsis, 1), (None, 1),
            (builtins_slice(None, None, -1),), (1, builtins_slice(4, 0, -2)),
            (Ellipsis, builtins_slice(None, None, -3)), (builtins_slice(None, None, -1), None, 2),
            (np.array([0, 2, 3]),), ([0, 1], [1, 2]), (builtins_slice(None), [0, 2], 1),
            (np.array([0, 2]), builtins_slice(None), np.array([1, 3])),
            (builtins_slice(None, None, 2), builtins_slice(5, None, -1))]
    cases = [C("get_item", x, k) for k in keys]
    cases += [C("get_item", x, x > 0, meta=False), C("get_item", x, (x[:, :, 0] > 0,), meta=False),
              C("take", a((3, 4)), np.array([0, 5, -1], "int32")),
              C("take", a((3, 4)), np.array([[0, 2], [1, -1]]), axis=1),
              C("take", a((3, 4)), 1, axis=0), C("take", a((3, 4)), np.array([2, 0]), axis=-2),
              C("take_along_axis", a((3, 4)), np.array([[0], [3], [-1]]), axis=1),
              C("take_along_axis", a((3, 4)), np.array([[0, 1, 2, 0]]), axis=0),
              C("take_along_axis", a((6,)), np.array([5, 0]), axis=None),
              C("nonzero", a((3, 4), "int32", -1, 2), meta=False),
              C("where", a((3, 4)) > 0, a((3, 4)), a((4,), "int32")),
              C("where", a((3, 4)) > 0, 1.0, 0), C("where", a((3, 4)) > 0, a((3, 4), "int32"), 2.5),
              C("where", a((3, 4), "int32", -1, 2), a((3, 4), "float16"), 2.5),
              C("where", a((3, 4)) > 0, meta=False),
              C("digitize", a((3, 4)), np.array([-1.0, 0.0, 2.0], "float32")),
              C("digitize", a((3, 4)), np.array([2.0, 0.0, -1.0], "float32")),
              C("digitize", np.array([0.0, 1.0, 2.0, 3.0], "float32"),
                np.array([1.0, 2.0], "float32")),
              C("bincount", np.array([0, 1, 1, 4], "int32"), meta=False),
              C("bincount", np.array([0, 1, 1], "int32"), minlength=5, meta=False),
              C("bincount", np.array([0, 1, 1], "int32"), weights=np.array([0.5, 1.0, 2.0],
                                                                          "float32"),
                meta=False),
              C("select", [a((4,)) > 0, a((4,)) > 1], [a((4,)), a((4,))], 0.0),
              C("select", [a((4,)) > 0], [a((4,), "int32")], 0),
              C("isclose", a((4,)), a((4,))), C("isclose", np.array([1.0, 2.0], "float32"),
                                                np.array([1.0 + 1e-7, 2.1], "float32")),
              C("isclose", np.array([1, 2], "int32"), np.array([1.0, 2.5], "float32")),
              C("isclose", np.array([np.nan, 1.0], "float32"), np.array([np.nan, 1.0],
                                                                      "float32"),
                equal_nan=True),
              C("divide_no_nan", np.array([1.0, 2.0], "float32"), np.array([0.0, 4.0], "float32")),
              C("divide_no_nan", np.array([1, 2], "int32"), np.array([0, 4], "int32")),
              C("size", a((2, 3))), C("shape", a((2, 3))), C("ndim", a((2, 3))),
              C("dtype", a((2,), "int8")), C("cast", a((2, 3)), "int32"),
              C("cast", a((2, 3), "int32"), "float16")]
    return cases


def _core_cases():
    return [C("slice", a((4, 5)), (1, 2), (2, 3)),
            C("slice_update", a((4, 5)), (1, 2), a((2, 3))),
            C("slice_update", a((4, 5)), (0, 0), a((1, 5), "int32")),
            C("scatter", np.array([[1], [3], [1]]), a((3,)), (5,)),
            C("scatter", np.array([[0, 1], [2, 2]]), a((2, 4)), (3, 3, 4)),
            C("scatter_update", a((4, 3)), np.array([[0], [2]]), a((2, 3))),
            C("scatter_update", a((4, 3)), np.array([[0, 1], [3, 2]]), a((2,))),
            C("segment_sum", a((5, 2)), np.array([0, 0, 2, 1, 2]), 3),
            C("segment_sum", a((5,)), np.array([0, 0, 2, -1, 7]), 3),
            C("segment_sum", a((4,), "int32"), np.array([0, 1, 1, 3]), meta=False),
            C("stop_gradient", a((2,)))]


def builtins_slice(*args):
    return slice(*args)


CASES = (_binary_cases() + _unary_cases() + _reduction_cases() + _linalg_cases()
         + _creation_cases() + _shape_cases() + _pad_cases() + _index_cases() + _core_cases())


DEVICES = ["cpu"] + (["cuda"] if K.backend() == "torch" and torch.cuda.is_available() else [])


def _to_torch(v, device="cpu"):
    if isinstance(v, (np.ndarray, np.generic)):
        return torch.from_numpy(np.array(v)).to(device)
    if isinstance(v, list) and v and isinstance(v[0], np.ndarray):
        return [_to_torch(e, device) for e in v]
    if isinstance(v, tuple):
        return tuple(_to_torch(e, device) for e in v)
    if isinstance(v, dict):
        return {k: _to_torch(e, device) for k, e in v.items()}
    return v


def _to_meta(v):
    if isinstance(v, torch.Tensor):
        return torch.empty(v.shape, dtype=v.dtype, device="meta")
    if isinstance(v, (list, tuple)):
        return type(v)(_to_meta(e) for e in v)
    return v


def _compare(got, want, case):
    if isinstance(want, (tuple, list)):
        assert isinstance(got, (tuple, list)) and len(got) == len(want), case
        for g, w in zip(got, want):
            _compare(g, w, case)
        return
    if isinstance(want, (str, int, float)) and not isinstance(got, torch.Tensor):
        assert got == want, case
        return
    want = np.asarray(want)
    assert K.dtype(got) == K.standardize_dtype(want.dtype), \
        f"{case}: dtype {K.dtype(got)}, numpy engine gives {want.dtype}"
    got = K.convert_to_numpy(got)
    assert got.shape == want.shape, f"{case}: shape {got.shape}, expected {want.shape}"
    tol = 2e-3 if want.dtype == np.float16 else 2e-5
    np.testing.assert_allclose(got.astype("float64"), want.astype("float64"), rtol=tol,
                               atol=tol, equal_nan=True, err_msg=str(case))


def k_function(name):
    """The K function ``name`` of the NumPy-style catalogue (``K.<name>`` may be the
    Keras 2 function of that name, such as ``K.argmax(x, axis=-1)``)."""
    for module in (_math, _arrays, _core):
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(name)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("case", CASES, ids=repr)
def test_matches_numpy_engine(case, device):
    with np.errstate(all="ignore"):
        want = REF[case.name](*case.args, **case.kwargs)
    got = k_function(case.name)(*_to_torch(case.args, device),
                                **_to_torch(case.kwargs, device))
    _compare(got, want, case)
    if device != "cpu":
        return
    if case.meta and isinstance(got, torch.Tensor):
        impl = getattr(K.engine, case.name)
        torch_core._probing[0] = True  # as abstract_eval does, without its fallback
        try:
            with torch.device("meta"):
                probe = impl(*_to_meta(_to_torch(case.args)),
                             **_to_meta(_to_torch(case.kwargs)))
        finally:
            torch_core._probing[0] = False
        assert probe.device.type == "meta" and tuple(probe.shape) == tuple(got.shape), case
        assert probe.dtype == got.dtype, case


def test_weak_python_scalars_keep_the_tensor_dtype():
    x = torch.ones(3, dtype=torch.float16)
    assert K.multiply(x, 2.0).dtype == torch.float16
    assert K.add(torch.ones(3, dtype=torch.int8), 3).dtype == torch.int8
    assert K.add(torch.ones(3, dtype=torch.int32), 1.5).dtype == torch.float32
    assert K.add(torch.ones(3, dtype=torch.bool), 1).dtype == torch.int32


def test_zero_d_tensors_are_not_weak():
    x = torch.ones(3, dtype=torch.float16)
    assert K.add(x, torch.tensor(1.0)).dtype == torch.float32
    assert K.multiply(torch.ones(3, dtype=torch.int32),
                      torch.tensor(2, dtype=torch.int8)).dtype == torch.int32
    assert K.add(torch.ones(3, dtype=torch.int32), torch.tensor(2, dtype=torch.int64)).dtype \
        == torch.int64


def test_control_flow():
    assert K.while_loop(lambda i, s: i < 4, lambda i, s: (i + 1, s + i), (0, 0)) == (4, 6)
    assert K.while_loop(lambda i: i < 100, lambda i: i + 1, 0, maximum_iterations=7) == 7
    assert int(K.fori_loop(1, 4, lambda i, acc: acc * i, torch.tensor(1))) == 6
    assert float(K.cond(torch.tensor(False), lambda: 1.0, lambda: 2.0)) == 2.0
    carry, ys = K.scan(lambda c, x: (c + x, (c, x * 2)), torch.tensor(0.0),
                       torch.arange(4.0), reverse=True)
    assert float(carry) == 6.0
    assert ys[0].tolist() == [6.0, 5.0, 3.0, 0.0] and ys[1].tolist() == [0.0, 2.0, 4.0, 6.0]
    carry, ys = K.scan(lambda c, _: (c * 2, c), torch.tensor(1), length=3)
    assert int(carry) == 8 and ys.tolist() == [1, 2, 4]


def test_vectorized_map_with_and_without_vmap():
    x = torch.arange(6.0).reshape(3, 2)
    assert K.vectorized_map(lambda r: K.sum(r * 2.0), x).tolist() == [2.0, 10.0, 18.0]
    out = K.vectorized_map(lambda r: K.ones(()) if float(r[0]) > 1 else K.zeros(()), x)
    assert out.tolist() == [0.0, 1.0, 1.0]
    pair = K.vectorized_map(lambda e: e[0] + e[1], (x, x))
    assert pair.tolist() == (2 * x).tolist()


def test_gradients_flow_through_slices_and_scatters():
    w = torch.ones(4, requires_grad=True)
    out = K.sum(K.slice_update(K.zeros(6), (1,), w * 3.0)) + K.sum(
        K.scatter([[0], [0]], w[:2], (3,))) + K.sum(K.get_item(w, slice(None, None, -1)))
    out.backward()
    assert w.grad.tolist() == [5.0, 5.0, 4.0, 4.0]


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="equal sections"):
        K.split(torch.zeros(5), 2)
    with pytest.raises(ValueError, match="squeeze"):
        K.squeeze(torch.zeros((2, 1)), axis=0)
    with pytest.raises(ValueError, match="mode"):
        K.pad(torch.zeros(3), [(1, 1)], mode="nonsense")
    with pytest.raises(ValueError, match="method"):
        K.quantile(torch.zeros(3), 0.5, method="nonsense")
