"""Reshape, Flatten, Permute, RepeatVector against NumPy, with symbolic shapes and errors."""

import numpy as np
import pytest

from lamina import Input, layers
from lamina import backend as K

DATA = np.arange(2 * 3 * 4, dtype="float32").reshape(2, 3, 4)


def run(layer, data=DATA):
    return K.convert_to_numpy(layer(K.convert_to_tensor(data)))


def test_reshape_matches_numpy_and_infers_shapes():
    np.testing.assert_array_equal(run(layers.Reshape((4, 3))), DATA.reshape(2, 4, 3))
    np.testing.assert_array_equal(run(layers.Reshape((-1, 2))), DATA.reshape(2, 6, 2))
    assert layers.Reshape((12,))(Input((3, 4))).shape == (None, 12)
    assert layers.Reshape((784,))(Input((None, 28, 28))).shape == (None, 784)


def test_reshape_errors_name_the_layer():
    with pytest.raises(ValueError, match=r"Reshape 'r': cannot reshape inputs of shape "
                                         r"\(None, 3, 4\) \(12 values per sample\)"):
        layers.Reshape((5,), name="r")(Input((3, 4)))
    with pytest.raises(ValueError, match="at most one -1"):
        layers.Reshape((-1, -1))


def test_flatten_both_data_formats():
    np.testing.assert_array_equal(run(layers.Flatten()), DATA.reshape(2, 12))
    channels_first = run(layers.Flatten(data_format="channels_first"))
    np.testing.assert_array_equal(channels_first, np.moveaxis(DATA, 1, -1).reshape(2, 12))
    assert layers.Flatten()(Input((None, 4))).shape == (None, None)


def test_permute_and_repeat_vector():
    np.testing.assert_array_equal(run(layers.Permute((2, 1))), DATA.transpose(0, 2, 1))
    flat = DATA.reshape(2, 12)
    repeated = run(layers.RepeatVector(3), flat)
    np.testing.assert_array_equal(repeated, np.repeat(flat[:, None, :], 3, axis=1))
    assert layers.RepeatVector(5)(Input((7,))).shape == (None, 5, 7)
    with pytest.raises(ValueError, match="dims must be a permutation"):
        layers.Permute((1, 3))
    with pytest.raises(ValueError, match="RepeatVector layer 'rv' expects inputs of rank 2"):
        layers.RepeatVector(2, name="rv")(Input((3, 4)))
