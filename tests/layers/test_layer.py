"""The Layer contract: build/call, tracked weights, losses, training flag, config, errors."""

import numpy as np
import pytest

from lamina import Input, Model, layers, regularizers
from lamina import backend as K


class Holder(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.in_list = [K.Variable(K.ones((2,)))]
        self.in_dict = {"a": K.Variable(K.ones((3,)), trainable=False)}

    def build(self, input_shape):
        self.pair = (K.Variable(K.ones((input_shape[-1], 4))), layers.Dense(2))

    def call(self, inputs):
        return self.pair[1](K.matmul(inputs, self.pair[0]))


def test_variables_in_attributes_lists_dicts_tuples_and_sublayers_are_tracked():
    layer = Holder()
    layer(K.ones((1, 5)))
    shapes = sorted(w.shape for w in layer.weights)
    assert shapes == sorted([(2,), (3,), (5, 4), (4, 2), (2,)])
    assert layer.count_params() == 2 + 3 + 20 + 8 + 2
    assert [w.shape for w in layer.non_trainable_weights] == [(3,)]


def test_variable_assigned_after_build_is_tracked():
    layer = layers.Dense(2)
    layer(K.ones((1, 3)))
    layer.extra = K.Variable(K.zeros((7,)))
    assert any(w is layer.extra for w in layer.weights)


def test_trainable_false_freezes_all_weights_including_sublayers():
    layer = Holder()
    layer(K.ones((1, 5)))
    layer.trainable = False
    assert layer.trainable_weights == []
    assert len(layer.non_trainable_weights) == len(layer.weights) == 5


def test_set_weights_round_trip_and_shape_error():
    dense = layers.Dense(3, name="fc")
    dense(K.ones((1, 2)))
    new = [np.full((2, 3), 0.5, "float32"), np.arange(3, dtype="float32")]
    dense.set_weights(new)
    np.testing.assert_allclose(dense.get_weights()[0], new[0])
    out = K.convert_to_numpy(dense(K.ones((1, 2))))
    np.testing.assert_allclose(out, [[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match=r"Dense layer 'fc': weight 'kernel' has shape \(2, 3\); "
                                         r"received an array of shape \(3, 2\)"):
        dense.set_weights([np.zeros((3, 2)), np.zeros(3)])
    np.testing.assert_allclose(dense.get_weights()[0], new[0])  # nothing half-assigned
    with pytest.raises(ValueError, match="expects a list of 2 arrays; received 1"):
        dense.set_weights([np.zeros((2, 3))])


def test_constructor_keywords_name_trainable_dtype_input_shape():
    layer = layers.Dense(2, name="named", trainable=False, dtype="float64", input_shape=(3,))
    assert (layer.name, layer.trainable, layer.dtype) == ("named", False, "float64")
    assert layer._batch_input_shape == (None, 3)
    layer(K.ones((1, 3), dtype="float64"))
    assert layer.kernel.dtype == "float64"


class WithLoss(layers.Layer):
    def call(self, inputs):
        self.add_loss(K.mean(K.square(inputs)))
        return inputs * 2.0


def test_add_loss_in_call_eager_and_symbolic():
    layer = WithLoss()
    layer(K.convert_to_tensor([[1.0, 3.0]]))
    assert len(layer.losses) == 1
    assert float(K.convert_to_numpy(layer.losses[0])) == pytest.approx(5.0)
    x = Input((2,))
    y = layer(x)
    assert isinstance(layer.losses[0], K.SymbolicTensor)
    from lamina.backend import symbolic
    value = symbolic.evaluate(layer.losses[0], {x: np.array([[2.0, 2.0]], "float32")})
    assert float(K.convert_to_numpy(value)) == pytest.approx(4.0)
    assert y.shape == (None, 2)


def test_weight_regularizer_penalties_are_in_losses():
    dense = layers.Dense(2, kernel_regularizer=regularizers.L2(0.5), kernel_initializer="ones")
    dense(K.ones((1, 3)))
    (penalty,) = dense.losses
    assert float(K.convert_to_numpy(penalty)) == pytest.approx(0.5 * 6)


def test_custom_regularizer_on_a_custom_layers_own_weight():
    class Custom(layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight("w", (input_shape[-1],), "ones",
                                     regularizer=lambda w: 10.0 * K.sum(w))
            self.v = K.variable(K.ones((2,)), regularizer=lambda w: K.sum(w * 3.0))

        def call(self, inputs):
            return inputs * self.w

    layer = Custom()
    layer(K.ones((1, 4)))
    values = sorted(float(K.convert_to_numpy(p)) for p in layer.losses)
    assert values == [6.0, 40.0]


def test_activity_regularizer_adds_a_loss_per_sample():
    dense = layers.Dense(1, kernel_initializer="ones", use_bias=False,
                         activity_regularizer=regularizers.L1(1.0))
    dense(K.ones((2, 3)))
    (loss,) = dense.losses
    assert float(K.convert_to_numpy(loss)) == pytest.approx(3.0)  # |3| + |3| over 2 samples


class Recorder(layers.Layer):
    def call(self, inputs, training=None):
        self.seen = training
        return inputs


class Outer(layers.Layer):
    def __init__(self):
        super().__init__()
        self.inner = Recorder()

    def call(self, inputs):
        return self.inner(inputs)


def test_training_flows_from_the_outer_call_to_inner_layers():
    outer = Outer()
    outer(K.ones((1, 2)), training=True)
    assert outer.inner.seen is True
    outer(K.ones((1, 2)), training=False)
    assert outer.inner.seen is False
    x = Input((2,))
    model = Model(x, Outer()(x))
    model(np.ones((1, 2), "float32"), training=True)
    assert model.layers[1].inner.seen is True


def test_compute_output_shape_by_abstract_evaluation():
    assert layers.Dense(7).compute_output_shape((None, 3)) == (None, 7)
    assert layers.Reshape((2, -1)).compute_output_shape((5, 4, 3)) == (5, 2, 6)


class Plain(layers.Layer):
    def __init__(self, units, scale=1.0, tag="x", **kwargs):
        super().__init__(**kwargs)
        self.units, self.scale, self.tag = units, scale, tag


def test_get_config_captures_constructor_arguments_and_from_config_rebuilds():
    layer = Plain(3, scale=2.5, name="plain")
    config = layer.get_config()
    assert config["units"] == 3 and config["scale"] == 2.5 and config["tag"] == "x"
    assert config["name"] == "plain"
    clone = Plain.from_config(config)
    assert (clone.units, clone.scale, clone.name) == (3, 2.5, "plain")


def test_lambda_output_shape_arguments_and_training():
    seen = {}

    def fn(x, factor, training=None):
        seen["training"] = training
        return K.concatenate([x, x * factor], axis=-1)

    layer = layers.Lambda(fn, arguments={"factor": 3.0})
    assert layer(Input((4,))).shape == (None, 8)
    out = K.convert_to_numpy(layer(K.ones((1, 2)), training=True))
    np.testing.assert_allclose(out, [[1, 1, 3, 3]])
    assert seen["training"] is True


def test_incompatible_shape_names_the_layer_expected_and_received():
    dense = layers.Dense(3, name="fc1")
    dense(Input((784,)))
    with pytest.raises(ValueError) as info:
        dense(Input((28, 28)))
    assert str(info.value) == ("Dense layer 'fc1' expects a last dimension of 784. "
                               "Received input shape (None, 28, 28).")


def test_errors_inside_call_name_the_layer_and_input_shape():
    class Bad(layers.Layer):
        def build(self, input_shape):
            self.w = K.Variable(K.ones((5, 2)))

        def call(self, inputs):
            return K.dot(inputs, self.w)

    with pytest.raises(ValueError) as info:
        Bad(name="bad")(Input((3,)))
    message = str(info.value)
    assert message.startswith("Bad layer 'bad' could not be called on inputs of shape (None, 3)")
    assert "dot: shapes (None, 3) and (5, 2) are not aligned" in message


def test_non_tensor_input_is_rejected_with_its_type():
    with pytest.raises(TypeError, match="Dense layer 'fc2' expects tensors as inputs; "
                                        "received 'text' of type str"):
        layers.Dense(2, name="fc2")("text")
