"""``model.save(path)`` and ``load_model(path)``: the lamina model archive.

The archive is written under whatever name it is given (``"model.lamina"`` is lamina's
own suffix; ``"model.keras"`` or ``"model.h5"`` work too, with a once-per-process
warning that Keras cannot read the file; see :mod:`lamina.saving.file_kinds`). It is
a zip of four entries:

- ``config.json``: the model (its class, its layers and their constructor arguments,
  the graph with the symbolic ``add_loss`` terms and ``model.targets``), and the
  ``compile`` arguments;
- ``model.weights.safetensors``: every Variable of the model (weights, then random
  seed states), in the engine-neutral safetensors format;
- ``optimizer.safetensors``: the optimizer's Variables (step count, slots), when the
  model was compiled and trained;
- ``metadata.json``: lamina's version, the engine, the date.

Nothing in the file is code: classes are looked up by name among lamina's own and the
registered or given ``custom_objects`` (see :mod:`lamina.saving.serialization`), so a
file saved on torch loads on JAX or NumPy, and a file from a stranger runs nothing.

>>> import os, tempfile
>>> import numpy as np
>>> from lamina import Input, Model, layers
>>> x = Input((3,)); model = Model(x, layers.Dense(2)(x))
>>> path = os.path.join(tempfile.mkdtemp(), "demo.lamina")
>>> save_model(model, path)
>>> loaded = load_model(path)
>>> data = np.ones((1, 3), "float32")
>>> np.allclose(loaded.predict(data, verbose=0), model.predict(data, verbose=0))
True
"""

import contextlib
import datetime
import json
import os

from lamina.saving import archive, safetensors
from lamina.saving.errors import FormatError
from lamina.saving.file_kinds import check_readable, warn_keras_suffix
from lamina.saving.load_budget import check_input_shape, weight_budget
from lamina.saving.weights import (assign, check_built, plan_assignment, read_header,
                                   tensors_of)

FORMAT_VERSION = 1
_LIMITS = {"config.json": 64 << 20, "metadata.json": 1 << 20,
           "model.weights.safetensors": 1 << 36, "optimizer.safetensors": 1 << 36}
_REQUIRED = ("config.json", "metadata.json", "model.weights.safetensors")


def open_model_file(filepath, operation="load_model"):
    """The model archive at ``filepath`` as a checked :class:`~lamina.saving.archive.Reader`
    (entry names and declared sizes); a file of another format gets a
    :class:`FormatError` naming ``operation``."""
    if check_readable(filepath, operation) == "safetensors":
        raise FormatError(f"{operation}: {filepath} holds weights only (a safetensors file, as "
                          "save_weights writes), not a model. Build the model in code and "
                          "call model.load_weights on it.")
    return archive.Reader(filepath, _LIMITS, _REQUIRED)


def _json(data, where):
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise FormatError(f"{where} is not valid JSON ({e}).") from None


def _metadata():
    from lamina import __version__, backend as K
    return {"format": "lamina", "format_version": FORMAT_VERSION, "lamina_version": __version__,
            "engine": K.backend(),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}


def model_config(model):
    """The ``config.json`` content for ``model``."""
    from lamina.saving.serialization import serialize_lamina_object
    config = {"model": serialize_lamina_object(model)}
    build_shapes = getattr(model, "_build_shapes", None)
    if build_shapes is not None and model._static_graph() is None:
        config["build_input_shape"] = build_shapes
    if getattr(model, "_compiled", False):
        config["compile_config"] = serialize_lamina_object(model._compile_config)
    return config


def save_model(model, filepath, overwrite=True):
    """Write ``model`` (architecture, weights, compile arguments, optimizer state) to
    ``filepath`` as a lamina model archive, atomically: an interrupted save leaves the
    previous file as it was. Any file name works; lamina's own suffix is ``.lamina``.
    A ``.keras``, ``.h5`` or ``.hdf5`` name gets the lamina archive too, with a warning
    (once per process) that Keras cannot read it; :func:`load_model` reads it.

    >>> import os, tempfile, warnings
    >>> from lamina import Input, Model, layers
    >>> x = Input((3,)); model = Model(x, layers.Dense(2)(x))
    >>> path = os.path.join(tempfile.mkdtemp(), "model.keras")
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     save_model(model, path)
    >>> load_model(path).output.shape
    (None, 2)
    """
    filepath = os.fspath(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"save: {filepath!r} exists and overwrite=False.")
    check_built(model, "save")
    warn_keras_suffix(filepath, "a lamina model archive")
    entries = {"config.json": json.dumps(model_config(model)).encode("utf-8"),
               "model.weights.safetensors": safetensors.dumps(*tensors_of(model, "variables")),
               "metadata.json": json.dumps(_metadata()).encode("utf-8")}
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and getattr(optimizer, "_trainable_variables", None):
        entries["optimizer.safetensors"] = safetensors.dumps(
            {f"{i}/{v.name}": v.numpy() for i, v in enumerate(optimizer.variables)})
    archive.write_atomically(filepath, lambda f: archive.write_entries(f, entries))


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """The model saved at ``filepath`` by ``model.save``, whatever the file's name.
    A file lamina does not read (HDF5, a Keras 3 ``.keras`` archive, a SavedModel
    folder, a weights-only file) gets a :class:`FormatError` saying what it is.

    ``custom_objects`` maps names to the custom classes and functions the model uses
    (unless they are registered with ``@lamina.saving.register_serializable()``).
    ``compile=False`` skips the compile arguments and the optimizer state.
    ``safe_mode=False`` also loads the Python code of lambdas in Lambda layers: only
    for files you trust.

    Loading needs about twice the memory of the model's weights, whatever the file
    declares: the weights' header is checked against the archive's real sizes, the
    model is built within the size of the weights (see
    :mod:`lamina.saving.load_budget`), and the weights are read only once their
    shapes match the model's."""
    filepath = os.fspath(filepath)
    with open_model_file(filepath) as reader:
        metadata = _json(reader.read("metadata.json"), f"{filepath} (metadata.json)")
        if not isinstance(metadata, dict) or metadata.get("format") != "lamina":
            raise FormatError(f"{filepath}: metadata.json does not describe a lamina model "
                              "file.")
        if metadata.get("format_version") != FORMAT_VERSION:
            raise FormatError(f"{filepath}: format version "
                              f"{metadata.get('format_version')!r:.20} is not "
                              f"{FORMAT_VERSION}, the one this lamina reads.")
        config = _json(reader.read("config.json"), f"{filepath} (config.json)")
        if not isinstance(config, dict) or not isinstance(config.get("model"), dict):
            raise FormatError(f"{filepath}: config.json has no model description.")
        weights = read_header(reader, "model.weights.safetensors",
                              f"{filepath} (model.weights.safetensors)")
        with _reported(filepath):
            with weight_budget(weights.nbytes, filepath):
                model = model_from_config(config, custom_objects, safe_mode)
            plan = plan_assignment(model, weights.specs, weights.metadata, filepath,
                                   "variables")
        assign(plan, safetensors.tensors(weights, reader.read("model.weights.safetensors")))
        if compile and "compile_config" in config:
            with _reported(filepath):
                _compile(model, config["compile_config"], custom_objects, safe_mode)
                if "optimizer.safetensors" in reader:
                    load_optimizer(model, reader, filepath)
    return model


@contextlib.contextmanager
def _reported(filepath):
    """Re-raise an error from rebuilding a model as one error naming the file (of the same
    class for a ValueError or TypeError, else a FormatError)."""
    try:
        yield
    except Exception as error:
        if str(error).startswith(filepath):
            raise
        cls = type(error) if isinstance(error, (ValueError, TypeError)) else FormatError
        try:
            new = cls(f"{filepath}: {error}")
        except Exception:  # an error class whose constructor takes other arguments
            new = FormatError(f"{filepath}: {error}")
        raise new from error


def model_from_config(config, custom_objects=None, safe_mode=True):
    """The (built) model that :func:`model_config` described."""
    from lamina.saving.serialization import deserialize_as
    model = deserialize_as(config["model"], "model", custom_objects, safe_mode)
    shapes = config.get("build_input_shape")
    if not model.built and shapes is not None:
        _build(model, shapes)
    return model


def _build(model, shapes):
    from lamina import backend as K

    def as_shape(value):
        return all(isinstance(d, int) or d is None for d in value)

    def zeros(value):
        if as_shape(value):
            return K.zeros(tuple(1 if d is None else d for d in value))
        return [zeros(v) for v in value]

    def check(value):
        if as_shape(value):
            check_input_shape(value, "build_input_shape")
        else:
            for v in value:
                check(v)

    if not isinstance(shapes, list):
        raise FormatError(f"build_input_shape must be a list; found {shapes!r:.60}.")
    check(shapes)
    model(zeros(shapes))


def _compile(model, compile_config, custom_objects, safe_mode):
    from lamina.saving.serialization import deserialize_lamina_object
    arguments = deserialize_lamina_object(compile_config, custom_objects=custom_objects,
                                          safe_mode=safe_mode)
    if not isinstance(arguments, dict):
        raise FormatError(f"compile_config must be an object; found {arguments!r:.60}.")
    model.compile(**arguments)


def load_optimizer(model, reader, filepath):
    """Build ``model.optimizer`` and set its state from the ``optimizer.safetensors``
    entry of ``reader``, whose header is checked against the optimizer first."""
    where = f"{filepath} (optimizer.safetensors)"
    header = read_header(reader, "optimizer.safetensors", where)
    variables = _optimizer_variables(model, header.specs, filepath)
    _assign_optimizer(variables, safetensors.tensors(header, reader.read(
        "optimizer.safetensors")))


def _optimizer_variables(model, tensors, filepath):
    optimizer = model.optimizer
    optimizer.build(model.trainable_variables)
    variables = optimizer.variables
    values = list(tensors.values())
    if len(values) != len(variables) or any(
            tuple(v.shape) != tuple(a.shape) for v, a in zip(variables, values)):
        raise FormatError(f"{filepath}: the optimizer state holds {len(values)} tensors of "
                          f"shapes {[tuple(a.shape) for a in values][:6]}; the model's "
                          f"{type(optimizer).__name__} has {len(variables)} of shapes "
                          f"{[v.shape for v in variables][:6]}.")
    return variables


def _assign_optimizer(variables, tensors):
    for variable, value in zip(variables, tensors.values()):
        variable.assign(value.astype(variable.dtype, copy=False))
