"""Integer indices as one-hot, multi-hot, count or TF-IDF vectors, with K functions
only, so the same code runs eagerly and inside compiled models on every engine.

The rules are Keras 3's (``CategoryEncoding`` and the ``output_mode`` of the
lookup, hashing and discretization layers):

- ``"one_hot"``: each index becomes a vector of ``depth``; a last axis of size 1 is
  replaced by it, any other last axis gets a new axis after it;
- ``"multi_hot"``, ``"count"`` and ``"tf_idf"`` reduce the last axis: a sample
  ``(k,)`` of indices becomes one vector of ``depth`` (a scalar is one index).

Indices outside ``[0, depth)`` (the dropped mask token of a lookup) contribute
nothing: each index is compared with ``arange(depth)``, which gives the same result
on every engine where ``one_hot`` kernels differ (torch raises, JAX gives zeros).

>>> from lamina import backend as K
>>> K.convert_to_numpy(encode([[0, 2], [1, 1]], 3, "count")).tolist()
[[1.0, 0.0, 1.0], [0.0, 2.0, 0.0]]
"""

from lamina import backend as K

MODES = ("one_hot", "multi_hot", "count", "tf_idf")


def _hot(indices, depth):
    """``(..., k, depth)`` booleans: whether each index equals each position."""
    return K.equal(K.expand_dims(indices, -1), K.arange(depth, dtype=indices.dtype))


def encode(indices, depth, output_mode, dtype="float32", count_weights=None,
           idf_weights=None):
    """``indices`` (integers) encoded as ``output_mode`` (see the module docstring) with
    ``depth`` positions, as ``dtype``. ``count_weights`` (the shape of ``indices``)
    weighs each occurrence in ``"count"`` mode; ``idf_weights`` (``(depth,)``)
    multiplies the counts in ``"tf_idf"`` mode.

    >>> K.convert_to_numpy(encode([[1], [3]], 3, "one_hot")).tolist()
    [[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]
    """
    indices = K.convert_to_tensor(indices)
    if not K.standardize_dtype(indices.dtype).startswith(("int", "uint")):
        indices = K.cast(indices, "int64")
    if len(indices.shape) == 0:
        indices = K.expand_dims(indices, -1)
    if output_mode == "one_hot":
        if indices.shape[-1] == 1:
            indices = K.squeeze(indices, -1)
        return K.cast(_hot(indices, depth), dtype)
    if output_mode == "multi_hot":
        return K.cast(K.any(_hot(indices, depth), axis=-2), dtype)
    hot = K.cast(_hot(indices, depth), dtype)
    if count_weights is not None:
        hot = hot * K.expand_dims(K.cast(count_weights, dtype), -1)
    counts = K.sum(hot, axis=-2)
    if output_mode == "tf_idf":
        return counts * K.cast(idf_weights, dtype)
    return counts


def output_shape(input_shape, depth, output_mode):
    """The shape :func:`encode` gives for ``input_shape``.

    >>> output_shape((None, 1), 4, "one_hot"), output_shape((None, 3), 4, "one_hot")
    ((None, 4), (None, 3, 4))
    """
    input_shape = tuple(input_shape)
    if not input_shape:
        return (depth,)
    if output_mode == "one_hot" and input_shape[-1] != 1:
        return input_shape + (depth,)
    return input_shape[:-1] + (depth,)


def check_mode(layer_name, output_mode, allowed):
    """Raise unless ``output_mode`` is one of ``allowed``.

    >>> check_mode("Hashing", "int", ("int", "one_hot"))
    """
    if output_mode not in allowed:
        raise ValueError(f"{layer_name}: output_mode must be one of {list(allowed)}; received "
                         f"{output_mode!r}.")


def check_not_sparse(layer_name, sparse):
    """Raise for ``sparse=True``: JAX, torch and NumPy tensors here are dense.

    >>> check_not_sparse("Hashing", False)
    """
    if sparse:
        raise ValueError(f"{layer_name}: sparse=True is not supported: lamina's engines "
                         f"({K.backend()} here) return dense tensors, as Keras 3 does off "
                         f"TensorFlow. Use sparse=False.")
