"""A model's Variables as safetensors, matched by the model's structure.

Variables are grouped by the layer that owns them, in the order of ``model.layers``
(a model's own Variables come last). A file lists its groups in its metadata; loading
pairs the file's groups with the model's by position, so a model rebuilt from the
same code loads the weights whatever names its layers got. Every group is checked
before any Variable changes: a file that does not fit raises an error naming the
first layer that does not fit, and leaves the model as it was.

>>> import os, tempfile
>>> from lamina import Input, Model, layers
>>> def build():
...     x = Input((3,))
...     return Model(x, layers.Dense(2)(layers.Dense(4)(x)))
>>> a, b = build(), build()
>>> path = os.path.join(tempfile.mkdtemp(), "demo.weights.safetensors")
>>> save_weights(a, path)
>>> load_weights(b, path)
>>> all((wa == wb).all() for wa, wb in zip(a.get_weights(), b.get_weights()))
True
"""

import json
import os
import warnings

import numpy as np

from lamina.saving import archive, safetensors
from lamina.saving.errors import FormatError
from lamina.saving.file_kinds import check_readable, warn_keras_suffix

_GROUPS_KEY = "lamina.groups"
MAX_WEIGHTS_BYTES = 1 << 36


def _groups(model, kind):
    """``[(name, class_name, variables)]``: each direct sub-layer's ``kind`` ("weights"
    or "variables") in layer order, then the model's own remaining ones."""
    layers = model.layers if hasattr(model, "layers") else model._sublayers()
    groups, seen = [], set()
    for layer in layers:
        variables = [v for v in getattr(layer, kind) if id(v) not in seen]
        seen.update(id(v) for v in variables)
        if variables:
            groups.append((layer.name, type(layer).__name__, variables))
    own = [v for v in getattr(model, kind) if id(v) not in seen]
    if own:
        groups.append((model.name, type(model).__name__, own))
    return groups


def check_built(model, what):
    """Raise, naming ``what`` (the operation), when ``model`` has no weights yet.

    >>> from lamina import Sequential, layers
    >>> check_built(Sequential([layers.Dense(2)], name="net"), "save")
    Traceback (most recent call last):
    ...
    ValueError: save: model 'net' is not built yet, so it has no weights. Call it on data, or give it an Input, first.
    """
    if not model.built:
        raise ValueError(f"{what}: model {model.name!r} is not built yet, so it has no "
                         "weights. Call it on data, or give it an Input, first.")


def tensors_of(model, kind="weights"):
    """``(tensors, metadata)`` to write for ``model``'s ``kind`` ("weights" or
    "variables")."""
    tensors, listing = {}, []
    for g, (name, class_name, variables) in enumerate(_groups(model, kind)):
        keys = []
        for i, v in enumerate(variables):
            key = f"{g}/{name}/{i}/{v.name}"
            tensors[key] = np.asarray(v.numpy())
            keys.append(key)
        listing.append([name, class_name, keys])
    return tensors, {_GROUPS_KEY: json.dumps(listing)}


def plan_assignment(model, tensors, metadata, where, kind="weights", skip_mismatch=False):
    """``[(variable, key)]``: which tensor of the file goes to which of ``model``'s
    ``kind``, checked by shape. ``tensors`` maps keys to anything with a ``shape`` (the
    arrays, or the header's declarations before the data is read)."""
    try:
        listing = json.loads(metadata[_GROUPS_KEY])
        listing = [(str(n), str(c), [str(k) for k in keys]) for n, c, keys in listing]
    except (KeyError, ValueError, TypeError) as e:
        raise FormatError(f"{where}: not a lamina weights file (no valid layer listing in "
                          f"its metadata: {e!r}).") from None
    groups = _groups(model, kind)
    plan = []
    for index in range(max(len(groups), len(listing))):
        problem = _mismatch(groups, listing, tensors, index, where)
        if problem is None:
            plan.extend(zip(groups[index][2], listing[index][2]))
        elif skip_mismatch:
            warnings.warn(f"Skipping weights: {problem}", stacklevel=4)
        else:
            raise ValueError(problem + " Pass skip_mismatch=True to load the layers that fit.")
    return plan


def assign(plan, tensors):
    """Assign the tensors (key -> array) to the Variables as ``plan`` pairs them."""
    for variable, key in plan:
        variable.assign(tensors[key].astype(variable.dtype, copy=False))


def _mismatch(groups, listing, tensors, index, where):
    if index >= len(groups):
        name, class_name, _ = listing[index]
        return (f"{where} holds weights for {len(listing)} layers but model has "
                f"{len(groups)} layers with weights; the file's layer {name!r} "
                f"({class_name}) has no counterpart.")
    name, class_name, variables = groups[index]
    if index >= len(listing):
        return (f"layer {name!r} ({class_name}) has no weights in {where}, which holds "
                f"weights for {len(listing)} layers; the model has {len(groups)}.")
    file_name, file_class, keys = listing[index]
    missing = [k for k in keys if k not in tensors]
    if missing:
        raise FormatError(f"{where}: the listing names {missing[0]!r} but the file has no "
                          "such tensor.")
    expected = [tuple(v.shape) for v in variables]
    found = [tuple(tensors[k].shape) for k in keys]
    if expected != found:
        return (f"layer {name!r} ({class_name}) expects weights of shapes {expected}; "
                f"{where} has {found} for its layer {file_name!r} ({file_class}).")
    return None


def save_weights(model, filepath, overwrite=True):
    """Write ``model``'s weights to ``filepath`` as safetensors, atomically. Any file
    name works; lamina's own suffix is ``.weights.safetensors``. A ``.h5``, ``.hdf5``
    or ``.keras`` name (``"x.weights.h5"``) gets safetensors too, with a warning (once
    per process) that Keras cannot read it; :func:`load_weights` reads it.

    >>> import os, tempfile, warnings
    >>> from lamina import Input, Model, layers
    >>> x = Input((3,)); model = Model(x, layers.Dense(2)(x))
    >>> path = os.path.join(tempfile.mkdtemp(), "x.weights.h5")
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     save_weights(model, path)
    >>> load_weights(model, path)
    """
    filepath = os.fspath(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"save_weights: {filepath!r} exists and overwrite=False.")
    check_built(model, "save_weights")
    warn_keras_suffix(filepath, "a lamina weights file (safetensors)")
    data = safetensors.dumps(*tensors_of(model))
    archive.write_atomically(filepath, lambda f: f.write(data))


def load_weights(model, filepath, skip_mismatch=False):
    """Load weights written by :func:`save_weights` (or the weights of a model archive
    written by ``model.save``) into ``model``, matched by structure. The format is told
    from the file's bytes, not its name; a file lamina does not read (HDF5, a Keras 3
    ``.keras`` archive) gets a :class:`FormatError` saying what it is."""
    filepath = os.fspath(filepath)
    check_built(model, "load_weights")
    kind = check_readable(filepath, "load_weights")
    if kind == "lamina-zip":
        from lamina.saving.model_file import open_model_file
        with open_model_file(filepath, "load_weights") as reader:
            load_variables(model, reader, "model.weights.safetensors", filepath, "variables",
                           skip_mismatch)
        return
    if kind != "safetensors":
        raise FormatError(f"load_weights: {filepath} is neither a lamina weights file "
                          "(safetensors) nor a lamina model archive (zip); expected a file "
                          "written by save_weights or model.save.")
    size = os.path.getsize(filepath)
    if size > MAX_WEIGHTS_BYTES:
        raise FormatError(f"{filepath}: {size} bytes is larger than any lamina weights file "
                          "may be.")
    with open(filepath, "rb") as f:
        load_variables(model, _FileReader(f, size), None, filepath, "weights", skip_mismatch)


class _FileReader:
    """A plain file read the way :class:`lamina.saving.archive.Reader` reads an entry."""

    def __init__(self, file, size):
        self.file, self._size = file, size

    def size(self, name):
        return self._size

    def read(self, name, size=None):
        size = self._size if size is None else min(size, self._size)
        self.file.seek(0)
        data = bytearray(size)
        if self.file.readinto(data) != size:
            raise FormatError(f"{self.file.name}: the file changed while it was read.")
        return data


def read_header(reader, name, where):
    """The checked :class:`~lamina.saving.safetensors.Header` of the safetensors entry
    ``name`` of ``reader``, read without its data."""
    return safetensors.read_header(lambda begin, size: reader.read(name, begin + size)[begin:],
                                   reader.size(name), where)


def load_variables(model, reader, name, where, kind="variables", skip_mismatch=False):
    """Load the safetensors entry ``name`` of ``reader`` into ``model``'s ``kind``: its
    header is read and matched with the model first, its data only when they fit."""
    header = read_header(reader, name, where)
    plan = plan_assignment(model, header.specs, header.metadata, where, kind, skip_mismatch)
    assign(plan, safetensors.tensors(header, reader.read(name)))
