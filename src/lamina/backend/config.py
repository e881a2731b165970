"""Global settings: engine name, floatx, epsilon, image data format, the dtype policy of
new layers and the caps on ``fit``'s epochs and steps (``lamina.config`` shows them
under Keras 3's names).

The engine is chosen once per process, in this order:

1. the ``LAMINA_BACKEND`` environment variable (``jax``, ``torch`` or ``numpy``);
2. the ``backend`` key of ``$LAMINA_HOME/lamina.json`` (``~/.lamina/lamina.json``
   when ``LAMINA_HOME`` is unset), which may also set ``floatx``, ``epsilon`` and
   ``image_data_format``;
3. the first installed of jax, torch, numpy.

The device new tensors go to follows the same order: ``LAMINA_DEVICE``, then the
file's ``device`` key, then the engine's own choice (see :mod:`lamina.backend.device`).
So does how the process keeps freed host memory: ``LAMINA_HOST_MEMORY``, then the
file's ``host_memory`` key, then ``"retain"`` (see :mod:`lamina.backend.host_memory`).

Example:

>>> from lamina.backend import config
>>> config.floatx()
'float32'
"""

import importlib.util
import json
import os

ENGINES = ("jax", "torch", "numpy")
_PIP = {"jax": "pip install 'lamina[jax]'  (or: pip install jax)",
        "torch": "pip install 'lamina[torch]'  (or: pip install torch==2.13.0)",
        "numpy": "pip install numpy"}
_FLOAT_TYPES = ("float16", "bfloat16", "float32", "float64")
_DATA_FORMATS = ("channels_last", "channels_first")

MIXED_POLICIES = ("mixed_float16", "mixed_bfloat16")

_settings = {"floatx": "float32", "epsilon": 1e-7, "image_data_format": "channels_last",
             "dtype_policy": None, "max_epochs": None, "max_steps_per_epoch": None,
             "device": None, "host_memory": ("retain", "the default")}


def lamina_home():
    """The folder holding ``lamina.json`` and caches: ``$LAMINA_HOME`` or ``~/.lamina``.

    >>> lamina_home().endswith(".lamina") or "LAMINA_HOME" in os.environ
    True
    """
    return os.environ.get("LAMINA_HOME") or os.path.join(os.path.expanduser("~"), ".lamina")


def _read_config_file():
    path = os.path.join(lamina_home(), "lamina.json")
    if not os.path.exists(path):
        return {}
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        raise ValueError(f"lamina: cannot read the configuration file {path}: {e}") from None
    if not isinstance(data, dict):
        raise ValueError(f"lamina: the configuration file {path} must hold a JSON object; "
                         f"received {type(data).__name__}.")
    return data


def _installed(engine):
    return importlib.util.find_spec(engine) is not None


def _requested(variable, key, file_config):
    """``(value, where it was set)`` from the environment ``variable``, else from the
    configuration file's ``key``; None when neither sets it."""
    if os.environ.get(variable):
        return os.environ[variable], variable
    if file_config.get(key) is not None:
        return file_config[key], f"{key!r} in {os.path.join(lamina_home(), 'lamina.json')}"
    return None


def resolve_engine():
    """Return the engine name to use, following the order in the module docstring.

    Raises ValueError for an unknown name and ImportError for an engine that is not
    installed, naming the engines that exist and the pip command that installs it.

    >>> resolve_engine() in ENGINES
    True
    """
    file_config = _read_config_file()
    setters = {"floatx": set_floatx, "epsilon": set_epsilon,
               "image_data_format": set_image_data_format}
    for key, setter in setters.items():
        if key in file_config:
            try:
                setter(file_config[key])
            except ValueError as e:
                path = os.path.join(lamina_home(), "lamina.json")
                raise ValueError(f"lamina: bad {key!r} in the configuration file {path}: {e}") \
                    from None
    for key, variable in (("device", "LAMINA_DEVICE"), ("host_memory", "LAMINA_HOST_MEMORY")):
        requested = _requested(variable, key, file_config)
        if requested is not None:
            _settings[key] = requested
    name = os.environ.get("LAMINA_BACKEND") or file_config.get("backend")
    source = "LAMINA_BACKEND" if os.environ.get("LAMINA_BACKEND") else "lamina.json"
    if name is None:
        for engine in ENGINES:
            if _installed(engine):
                return engine
        raise ImportError("lamina needs at least one engine; none of jax, torch, numpy is "
                          f"installed. Install one, e.g. {_PIP['numpy']}")
    name = str(name).strip().lower()
    if name not in ENGINES:
        raise ValueError(f"lamina: unknown engine {name!r} (from {source}). "
                         f"The engines are: {', '.join(ENGINES)}.")
    if not _installed(name):
        raise ImportError(f"lamina: the engine {name!r} (from {source}) is not installed. "
                          f"Install it with: {_PIP[name]}. The engines are: {', '.join(ENGINES)}.")
    return name


def requested_device():
    """``(device name, where it was set)`` from ``LAMINA_DEVICE`` or the configuration
    file's ``device`` key, read when the engine was chosen; None when neither is set.

    >>> requested_device() is None or isinstance(requested_device()[0], str)
    True
    """
    return _settings["device"]


def requested_host_memory():
    """``(policy, where it was set)``: ``LAMINA_HOST_MEMORY``, the configuration file's
    ``host_memory`` key, or ``("retain", "the default")``; read when the engine was chosen.

    >>> policy, source = requested_host_memory()
    >>> policy in ("retain", "system") or source != "the default"
    True
    """
    return _settings["host_memory"]


def floatx():
    """The default float dtype, as a string (``'float32'`` unless changed).

    >>> floatx()
    'float32'
    """
    return _settings["floatx"]


def set_floatx(value):
    """Set the default float dtype: one of float16, bfloat16, float32, float64.

    >>> set_floatx("float64"); floatx()
    'float64'
    >>> set_floatx("float32")
    """
    value = str(value)
    if value not in _FLOAT_TYPES:
        raise ValueError(f"set_floatx: expected one of {_FLOAT_TYPES}; received {value!r}.")
    _settings["floatx"] = value


def epsilon():
    """The fuzz factor used to avoid divisions by zero (1e-7 unless changed).

    >>> epsilon()
    1e-07
    """
    return _settings["epsilon"]


def set_epsilon(value):
    """Set the fuzz factor returned by :func:`epsilon`.

    >>> set_epsilon(1e-5); epsilon()
    1e-05
    >>> set_epsilon(1e-7)
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"set_epsilon: expected a non-negative number; received {value!r}.")
    _settings["epsilon"] = float(value)


def image_data_format():
    """``'channels_last'`` (the default) or ``'channels_first'``.

    >>> image_data_format()
    'channels_last'
    """
    return _settings["image_data_format"]


def set_image_data_format(data_format):
    """Set the default image data format: ``'channels_last'`` or ``'channels_first'``.

    >>> set_image_data_format("channels_first"); image_data_format()
    'channels_first'
    >>> set_image_data_format("channels_last")
    """
    data_format = str(data_format)
    if data_format not in _DATA_FORMATS:
        raise ValueError(f"set_image_data_format: expected one of {_DATA_FORMATS}; "
                         f"received {data_format!r}.")
    _settings["image_data_format"] = data_format


def standardize_data_format(data_format):
    """Return ``data_format``, or the global default when it is None; validate it.

    >>> standardize_data_format(None)
    'channels_last'
    """
    if data_format is None:
        return image_data_format()
    if data_format not in _DATA_FORMATS:
        raise ValueError(f"data_format: expected one of {_DATA_FORMATS}; received {data_format!r}.")
    return data_format


def check_dtype_policy_name(name, where="set_dtype_policy"):
    """Return ``name`` if it names a policy lamina runs: a float dtype (float16,
    bfloat16, float32, float64: variables and computations in that dtype) or a mixed
    precision policy (mixed_float16, mixed_bfloat16: float32 variables, computations in
    the low precision); raise a ValueError suggesting the closest name otherwise.

    >>> check_dtype_policy_name("mixed_bfloat16")
    'mixed_bfloat16'
    """
    if name in _FLOAT_TYPES or name in MIXED_POLICIES:
        return name
    from lamina._catalogue import closest_name
    known = _FLOAT_TYPES + MIXED_POLICIES
    best = closest_name(name, known) if isinstance(name, str) else None
    hint = f"; did you mean {best!r}?" if best is not None else "."
    raise ValueError(f"{where}: expected a dtype policy name, one of {', '.join(known)}; "
                     f"received {name!r}{hint}")


def dtype_policy_name():
    """The dtype policy of layers created from now on: the one set with
    :func:`set_dtype_policy_name`, else :func:`floatx`.

    >>> dtype_policy_name()
    'float32'
    """
    return _settings["dtype_policy"] or _settings["floatx"]


def set_dtype_policy_name(name):
    """Make layers created from now on use the dtype policy ``name`` (float16, bfloat16,
    float32, float64, mixed_float16 or mixed_bfloat16); None follows :func:`floatx`
    again.

    >>> set_dtype_policy_name("float64"); dtype_policy_name()
    'float64'
    >>> set_dtype_policy_name(None)
    """
    _settings["dtype_policy"] = None if name is None else check_dtype_policy_name(name)


def _check_cap(where, value):
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"{where}: expected a positive int or None; received {value!r}.")
    return value


def max_epochs():
    """The cap on the number of epochs ``fit`` runs (None: no cap).

    >>> max_epochs() is None
    True
    """
    return _settings["max_epochs"]


def set_max_epochs(max_epochs):
    """Cap every ``fit`` at ``max_epochs`` epochs (None removes the cap), e.g. for a quick
    trial run of a long script.

    >>> set_max_epochs(2); max_epochs()
    2
    >>> set_max_epochs(None)
    """
    _settings["max_epochs"] = _check_cap("set_max_epochs", max_epochs)


def max_steps_per_epoch():
    """The cap on the number of steps of each ``fit`` epoch (None: no cap).

    >>> max_steps_per_epoch() is None
    True
    """
    return _settings["max_steps_per_epoch"]


def set_max_steps_per_epoch(max_steps_per_epoch):
    """Cap each epoch of ``fit`` at ``max_steps_per_epoch`` steps (None removes the cap).

    >>> set_max_steps_per_epoch(10); max_steps_per_epoch()
    10
    >>> set_max_steps_per_epoch(None)
    """
    _settings["max_steps_per_epoch"] = _check_cap("set_max_steps_per_epoch",
                                                  max_steps_per_epoch)
