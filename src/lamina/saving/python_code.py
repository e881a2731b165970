"""A Python lambda or closure saved as code: the one part of a model file that is not
data, so it loads only when the caller says the file is trusted (``safe_mode=False``).

The function's bytecode is stored with ``marshal`` (which is specific to the Python
version: the version is stored too and checked), its defaults and closure values as
plain data. The rebuilt function sees ``K`` (``lamina.backend``), ``ops``, ``np``
and ``lamina`` as globals.

>>> from lamina.saving.serialization import _SafeModeScope
>>> data = dump_function(lambda x, k=2: x * k)
>>> data["class_name"]
'__lambda__'
>>> with _SafeModeScope(False):
...     load_function(data, "demo")(21)
42
"""

import base64
import marshal
import sys
import types

import numpy as np


def dump_function(fn):
    """``fn`` (a lambda or closure) as JSON-able data."""
    from lamina.saving.serialization import serialize_lamina_object
    closure = [cell.cell_contents for cell in fn.__closure__ or ()]
    return {"class_name": "__lambda__",
            "config": {"code": base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii"),
                       "python": list(sys.version_info[:2]),
                       "defaults": serialize_lamina_object(list(fn.__defaults__ or ())),
                       "closure": serialize_lamina_object(closure)}}


def load_function(data, where):
    """The function :func:`dump_function` stored; refused in safe mode."""
    import lamina
    from lamina import backend, ops
    from lamina.saving.serialization import deserialize_lamina_object, in_safe_mode
    if in_safe_mode():
        raise ValueError(f"{where} holds Python code (a lambda or a closure); loading it "
                         "would run code from the file, which safe mode refuses. If you trust "
                         "the file, load it with safe_mode=False; better, define the function "
                         "at module level, where it is saved by reference.")
    config = data.get("config")
    if not isinstance(config, dict) or not {"code", "python", "defaults", "closure"} <= set(config):
        raise ValueError(f"{where}: the saved lambda lacks code, python, defaults or closure.")
    if list(config["python"]) != list(sys.version_info[:2]):
        raise ValueError(f"{where}: the lambda was saved by Python "
                         f"{'.'.join(map(str, config['python']))}; its code cannot run on "
                         f"Python {sys.version_info[0]}.{sys.version_info[1]}.")
    code = marshal.loads(base64.b64decode(config["code"]))
    defaults = deserialize_lamina_object(config["defaults"]) or None
    closure = tuple(types.CellType(v) for v in deserialize_lamina_object(config["closure"]))
    env = {"K": backend, "ops": ops, "np": np, "lamina": lamina, "__builtins__": __builtins__}
    return types.FunctionType(code, env, code.co_name, tuple(defaults) if defaults else None,
                              closure or None)
