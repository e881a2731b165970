"""How a K function is made from its specification and the engine's implementation.

Each K function is written once, in ``lamina/backend/ops/``, as a *specification*:
its signature and docstring. ``@op`` turns it into the public function, bound to
the selected engine's implementation of the same name. The public function is
generated with the specification's exact signature so that its eager path is one
type check per tensor argument and one library call (DESIGN.md, principle 6):

    def add(x1, x2):
        if x1.__class__ in _SPECIAL or x2.__class__ in _SPECIAL:
            return _slow(_op, (x1, x2), {})
        try:
            return _impl(x1, x2)
        except Exception as e:
            raise _fail(_op, e, (x1, x2), {}) from e

``_SPECIAL`` holds SymbolicTensor and Variable. Inside the special branch, a
Variable given for a tensor parameter is replaced by its value and, when nothing
special remains, the library is called at once (a layer's weights cost one more
class test). The slow path records a graph node when a symbolic tensor is among the
arguments (anywhere, also inside lists and shape tuples), and otherwise replaces
Variables inside nested arguments by their values. Library
errors are re-raised as ValueError or TypeError naming the K function and the
shapes and dtypes it received.

Arguments named in ``_STATIC_PARAMS`` (``axis``, ``dtype``, ...) are never
tensors and are not checked; those in ``_DEEP_PARAMS`` and ``*args`` may be
sequences holding tensors and are searched.

>>> from lamina import backend as K
>>> K.add.__name__, K.add.__module__
('add', 'lamina.backend.ops.math')
"""

import inspect
import re

from lamina.backend import tree

# Classes that leave the fast path: SymbolicTensor and Variable (added by lamina.backend)
# anywhere, and nested lists given for a tensor argument.
_TENSOR_LIKE = set()
_SPECIAL = {list}
_STATIC_PARAMS = frozenset({
    "axis", "axes", "axis1", "axis2", "keepdims", "dtype", "ord", "padding", "strides",
    "data_format", "dilation_rate", "from_logits", "k", "sorted", "num", "endpoint",
    "indexing", "name", "seed", "training", "source", "destination", "mode", "method",
    "interpolation", "num_classes", "subscripts", "equation", "stable", "side", "offset_axis",
    "pool_size", "axis_name", "return_counts", "assume_unique", "epsilon", "antialias",
    "unroll", "go_backwards", "return_all_outputs", "input_length", "zero_output_for_mask",
    "reverse", "trainable", "sparse", "label_smoothing", "output_padding", "pool_mode",
    "dim_ordering", "has_aux", "argnums", "maxval_is_inclusive", "num_segments",
    "indices_are_sorted", "unique_indices", "length", "constant_values", "rtol", "atol",
    "equal_nan", "decimals", "right", "copy", "nan", "posinf", "neginf", "step_dtype",
})
_DEEP_PARAMS = frozenset({"shape", "newshape", "xs", "tensors", "operands", "elems",
                          "values", "start_indices", "reps", "repeats", "pad_width",
                          "sizes", "indices_or_sections", "begin", "size", "updates",
                          "indices", "arrays", "condlist", "choicelist", "ops",
                          "variables", "initial_states", "constants", "x_list"})


class OpInfo:
    """What the dispatcher knows about one K function."""

    __slots__ = ("name", "impl", "static", "wrap_errors", "function", "tensor_positions",
                 "tensor_keywords", "convert_lists")

    def __init__(self, name, impl, static, wrap_errors, convert_lists=True):
        self.name = name
        self.impl = impl
        self.static = static
        self.wrap_errors = wrap_errors
        self.convert_lists = convert_lists
        self.function = None
        self.tensor_positions = ()
        self.tensor_keywords = ()


def has_special(value):
    """True when ``value`` is, or contains, a SymbolicTensor or a Variable.

    >>> has_special([1, (2, 3)])
    False
    """
    cls = value.__class__
    if cls in _TENSOR_LIKE:
        return True
    if cls is list or cls is tuple:
        for v in value:
            c = v.__class__
            if c in _TENSOR_LIKE or ((c is list or c is tuple or c is dict) and has_special(v)):
                return True
        return False
    if cls is dict:
        return any(has_special(v) for v in value.values())
    return False


def _is_symbolic(value):
    return getattr(value, "_lamina_symbolic", False)


def _unwrap(value):
    """Replace every Variable inside ``value`` by its current value."""
    cls = value.__class__
    if cls is list or cls is tuple or cls is dict:
        return tree.map_structure(_unwrap, value)
    if cls in _TENSOR_LIKE and not _is_symbolic(value):
        return value.value
    return value


def _numbers_only(value):
    return not tree.any_leaf(lambda v: hasattr(v, "shape"), value)


def _lists_to_tensors(info, args, kwargs):
    """Nested lists of numbers given for tensor arguments become tensors (Python floats ->
    floatx). A list holding tensors (``K.stack([a, b])``) is left to the engine."""
    convert = None
    for i in info.tensor_positions:
        if i < len(args) and args[i].__class__ is list and _numbers_only(args[i]):
            if convert is None:
                from lamina.backend import engine
                convert = engine.convert_to_tensor
                args = list(args)
            args[i] = convert(args[i])
    for k in info.tensor_keywords:
        if kwargs.get(k).__class__ is list and _numbers_only(kwargs[k]):
            from lamina.backend import engine
            kwargs = dict(kwargs, **{k: engine.convert_to_tensor(kwargs[k])})
    return args, kwargs


def _slow(info, args, kwargs):
    if tree.any_leaf(_is_symbolic, (args, kwargs)):
        from lamina.backend import symbolic
        return symbolic.record(info.function, args, kwargs, name=info.name, direct=info.static)
    args, kwargs = _unwrap(args), _unwrap(kwargs)
    if info.convert_lists:
        args, kwargs = _lists_to_tensors(info, args, kwargs)
    if not info.wrap_errors:
        return info.impl(*args, **kwargs)
    try:
        return info.impl(*args, **kwargs)
    except Exception as e:
        raise _fail(info, e, args, kwargs) from e


def describe(value):
    """A short text for an argument in an error message: shape and dtype for tensors.

    >>> import numpy as np
    >>> describe(np.zeros((2, 3), "float32"))
    'float32 tensor of shape (2, 3)'
    """
    shape = getattr(value, "shape", None)
    if shape is not None and hasattr(value, "dtype"):
        from lamina.backend.dtypes import standardize_dtype
        try:
            dtype = standardize_dtype(value.dtype)
        except TypeError:
            dtype = str(value.dtype)
        return f"{dtype} tensor of shape {tuple(shape)}"
    if isinstance(value, (list, tuple)) and len(value) <= 8:
        inner = ", ".join(describe(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_EXPLAINERS = {}


def explainer(name):
    """Register a function ``(args, kwargs) -> message or None`` that explains an error of
    the K function ``name`` in the user's terms."""
    def register(fn):
        _EXPLAINERS[name] = fn
        return fn
    return register


def _fail(info, error, args, kwargs):
    """The error to raise for ``error`` from the K function ``info`` called with ``args``."""
    if getattr(error, "_lamina_explained", False):
        return error
    explain = _EXPLAINERS.get(info.name)
    detail = explain(args, kwargs) if explain else None
    message = str(error)
    if detail is not None:
        cls = ValueError
    elif message.startswith(info.name + ":"):
        return error
    else:
        received = ", ".join(describe(a) for a in args)
        if kwargs:
            received += ", " + ", ".join(f"{k}={describe(v)}" for k, v in kwargs.items())
        first_line = message.strip().splitlines()[0] if message.strip() else type(error).__name__
        detail = f"cannot apply to ({received}): {first_line}"
        is_type = isinstance(error, TypeError) or "dtype" in message or "scalar type" in message
        cls = TypeError if is_type else ValueError
    new_error = cls(f"{info.name}: {detail}")
    new_error._lamina_explained = True
    return new_error


def _param_sources(sig):
    """Source texts for the generated function: parameter list, call arguments, the
    positional tuple and keyword dict given to the slow path, the special check, and
    the default values referenced by the parameter list."""
    params, call, positional, keyword, checks, defaults = [], [], [], [], [], {}
    tensor_positions, tensor_keywords = [], []
    star_seen = False
    for i, p in enumerate(sig.parameters.values()):
        name = p.name
        if p.kind is p.VAR_POSITIONAL:
            params.append(f"*{name}")
            call.append(f"*{name}")
            positional.append(f"*{name}")
            checks.append(f"_has_special({name})")
            star_seen = True
            continue
        if p.kind is p.VAR_KEYWORD:
            params.append(f"**{name}")
            call.append(f"**{name}")
            keyword.append(f"**{name}")
            checks.append(f"_has_special({name})")
            continue
        if p.kind is p.KEYWORD_ONLY and not star_seen:
            params.append("*")
            star_seen = True
        default = ""
        if p.default is not p.empty:
            defaults[f"_d{i}"] = p.default
            default = f"=_d{i}"
        params.append(name + default)
        if p.kind is p.KEYWORD_ONLY:
            call.append(f"{name}={name}")
            keyword.append(f"{name!r}: {name}")
        else:
            call.append(name)
            positional.append(name)
        if name in _DEEP_PARAMS:
            checks.append(f"_has_special({name})")
        elif name not in _STATIC_PARAMS:
            checks.append(f"{name}.__class__ in _SPECIAL")
            if p.kind is p.KEYWORD_ONLY:
                tensor_keywords.append(name)
            else:
                tensor_positions.append(len(positional) - 1)
    return (tuple(tensor_positions), tuple(tensor_keywords), ", ".join(params),
            ", ".join(call), "(" + "".join(a + ", " for a in positional) + ")",
            "{" + ", ".join(keyword) + "}", " or ".join(checks) or "False", defaults)


def _variable_reads(sig, check, call, wrap_errors, pos, kw):
    """Source of the special branch's first part: when every special argument is a
    Variable given for a tensor parameter, call the library on their values (a
    layer's weights reach the library without the slow path). The original arguments
    stay untouched for the slow path, which must record Variables themselves in a
    graph."""
    names = [p.name for p in sig.parameters.values()
             if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
             and p.name not in _DEEP_PARAMS and p.name not in _STATIC_PARAMS]
    if not names:
        return ""
    lines = [f"            _v_{n} = {n}.value if {n}.__class__ is _Variable else {n}\n"
             for n in names]
    renamed_check, renamed_call = check, call
    for n in names:
        renamed_check = re.sub(rf"\b{n}\.__class__", f"_v_{n}.__class__", renamed_check)
        renamed_call = re.sub(rf"(?<![\w.]){n}\b(?!=)", f"_v_{n}", renamed_call)
    lines.append(f"            if not ({renamed_check}):\n")
    if wrap_errors:
        lines.append(f"                try:\n"
                     f"                    return {renamed_call}\n"
                     f"                except Exception as _e:\n"
                     f"                    raise _fail(_info, _e, {pos}, {kw}) from _e\n")
    else:
        lines.append(f"                return {renamed_call}\n")
    return "".join(lines)


def make_function(spec, impl, static=False, wrap_errors=True, convert_lists=True):
    """Build the public K function for ``spec`` (a function whose signature and docstring
    define it) calling ``impl`` (the engine's implementation)."""
    from lamina.backend.variables import Variable
    name = spec.__name__
    info = OpInfo(name, impl, static, wrap_errors, convert_lists)
    signature = inspect.signature(spec)
    tensor_positions, tensor_keywords, params, call_args, pos, kw, check, defaults = \
        _param_sources(signature)
    info.tensor_positions, info.tensor_keywords = tensor_positions, tensor_keywords
    call = f"_impl({call_args})"
    body = f"        return {call}\n"
    if wrap_errors:
        body = (f"        try:\n            return {call}\n"
                f"        except Exception as _e:\n"
                f"            raise _fail(_info, _e, {pos}, {kw}) from _e\n")
    hidden = {"_impl": impl, "_info": info, "_SPECIAL": _SPECIAL, "_slow": _slow,
              "_fail": _fail, "_has_special": has_special, "_Variable": Variable, **defaults}
    fast = ""
    fast_path = getattr(impl, "same_dtype_fast_path", None)
    if fast_path is not None and call_args == "x1, x2":
        # Two arrays of the same dtype: no promotion can differ from the table, so the
        # library function is called directly. Symbolic tensors and Variables refuse
        # NumPy's ufuncs (their __array_ufunc__ is None) and Python scalars have no
        # dtype: those, and any error, continue on the ordinary path below.
        hidden["_raw"] = fast_path
        fast = ("        try:\n"
                "            if x1.dtype is x2.dtype:\n"
                "                return _raw(x1, x2)\n"
                "        except Exception:\n"
                "            pass\n")
    reads = "" if static else _variable_reads(signature, check, call, wrap_errors, pos, kw)
    source = (f"def _make({', '.join(hidden)}):\n"
              f"    def {name}({params}):\n"
              f"{fast}"
              f"        if {check}:\n"
              f"{reads}"
              f"            return _slow(_info, {pos}, {kw})\n"
              f"{body}"
              f"    return {name}\n")
    # Compiled in the specification's module, so that the function's globals and
    # __module__ are the module's (doctest finds its example there); everything the
    # body uses is a closure variable, nothing is added to the module.
    namespace = {}
    exec(compile(source, f"<lamina.backend.{name}>", "exec"), spec.__globals__, namespace)
    function = namespace["_make"](**hidden)
    function.__doc__ = spec.__doc__
    function.__module__ = spec.__module__
    function.__qualname__ = name
    function.__wrapped_spec__ = spec
    function._lamina_op = info
    info.function = function
    return function


def _missing(name, engine_name):
    def unavailable(*args, **kwargs):
        raise NotImplementedError(f"{name}: not available on the {engine_name} engine.")
    return unavailable


def op(spec=None, *, static=False, wrap_errors=True, convert_lists=True):
    """Decorator: make the public K function for the specification ``spec``, bound to
    the selected engine's implementation of the same name.

    ``static=True`` marks a function of metadata only (``shape``, ``ndim``): on
    symbolic tensors it is evaluated directly, not abstractly. ``wrap_errors=False``
    keeps exceptions as they are (for functions that call user code, like ``cond``).
    ``convert_lists=False`` passes nested lists through unconverted (``is_tensor``).

    >>> from lamina.backend.dispatch import op
    >>> @op
    ... def negative(x):
    ...     '''Numerical negative, element-wise.'''
    >>> negative.__name__
    'negative'
    """
    def build(spec):
        from lamina.backend import engine
        impl = getattr(engine, spec.__name__, None) or _missing(spec.__name__, engine.name)
        return make_function(spec, impl, static=static, wrap_errors=wrap_errors,
                             convert_lists=convert_lists)
    return build(spec) if spec is not None else build
