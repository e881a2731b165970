"""Saving and loading: ``model.save("m.lamina")`` and :func:`load_model`, weights in
safetensors (``model.save_weights`` / ``load_weights``), and the registry of custom
classes. A file is data: loading never runs code from it (see
:mod:`lamina.saving.model_file`). Any file name works: a Keras name (``"m.keras"``,
``"m.h5"``) holds lamina's format, with a once-per-process warning that Keras cannot
read it (see :mod:`lamina.saving.file_kinds`).

>>> import os, tempfile
>>> from lamina import Input, Model, layers, saving
>>> x = Input((3,)); model = Model(x, layers.Dense(2)(x))
>>> path = os.path.join(tempfile.mkdtemp(), "model.lamina")
>>> model.save(path)
>>> saving.load_model(path).output.shape
(None, 2)
"""
from lamina.saving.errors import FormatError  # noqa: F401
from lamina.saving.model_file import load_model, save_model  # noqa: F401
from lamina.saving.weights import load_weights, save_weights  # noqa: F401
from lamina.saving.object_registry import (  # noqa: F401,E402
    CustomObjectScope, custom_object_scope, get_custom_objects, get_registered_name,
    get_registered_object, register_keras_serializable, register_serializable)
from lamina.saving.serialization import (  # noqa: F401,E402
    deserialize_lamina_object, serialize_lamina_object)
from lamina.saving.serialization import (  # noqa: F401,E402
    deserialize_lamina_object as deserialize_keras_object,
    serialize_lamina_object as serialize_keras_object)
