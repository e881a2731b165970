"""The generated K functions: signatures, the eager fast path, the slow paths, errors."""

import inspect

import numpy as np
import pytest

from lamina import backend as K


def test_k_function_keeps_the_specification_signature_and_doc():
    spec = K.add.__wrapped_spec__
    assert inspect.signature(K.add) == inspect.signature(spec)
    assert K.add.__doc__ == spec.__doc__
    assert "sum(x, axis=None, keepdims=False)" in f"sum{inspect.signature(K.sum)}"


def test_eager_call_returns_engine_tensor():
    out = K.add(K.ones((2, 2)), K.ones((2, 2)))
    assert K.is_tensor(out)
    assert not isinstance(out, (K.SymbolicTensor, K.Variable))
    np.testing.assert_allclose(K.convert_to_numpy(out), 2 * np.ones((2, 2)))


def test_nested_float_lists_become_floatx_tensors():
    out = K.abs([-1.0, 2.0])
    assert K.dtype(out) == "float32"
    assert K.convert_to_numpy(out).tolist() == [1.0, 2.0]


def test_variables_inside_lists_are_unwrapped():
    v = K.Variable([1.0, 2.0])
    out = K.stack([v, v])
    assert K.shape(out) == (2, 2)


def test_symbolic_argument_inside_a_shape_tuple_records_a_node():
    x = K.Input((3,))
    batch = K.shape(x)[0]
    assert isinstance(batch, K.SymbolicTensor) and batch.static
    z = K.zeros((batch, 5))
    assert isinstance(z, K.SymbolicTensor)
    assert z.shape == (None, 5)


def test_library_errors_name_the_function_and_what_it_received():
    with pytest.raises(ValueError) as info:
        K.add(K.ones((2, 3)), K.ones((4,)))
    assert str(info.value) == "add: shapes (2, 3) and (4,) cannot be broadcast together"
    with pytest.raises(ValueError, match=r"^reshape: cannot reshape a tensor of shape \(2, 3\)"):
        K.reshape(K.ones((2, 3)), (4, 2))


def test_errors_at_graph_building_time_use_symbolic_shapes():
    with pytest.raises(ValueError) as info:
        K.dot(K.Input((3,)), K.ones((4, 5)))
    assert str(info.value) == ("dot: shapes (None, 3) and (4, 5) are not aligned: "
                               "3 (dim 1) != 4 (dim 0)")


def test_generic_error_describes_arguments():
    with pytest.raises((ValueError, TypeError)) as info:
        K.take_along_axis(K.ones((2, 3)), K.ones((5, 7, 9), dtype="int32"), axis=1)
    message = str(info.value)
    assert message.startswith("take_along_axis:")
    assert "(2, 3)" in message


def test_user_errors_inside_control_flow_callbacks_are_not_rewrapped():
    class Custom(Exception):
        pass

    def boom():
        raise Custom("from the user")

    with pytest.raises(Custom):
        K.cond(K.convert_to_tensor(True), boom, boom)
