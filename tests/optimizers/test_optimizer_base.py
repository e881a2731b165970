"""Optimizer base behaviour: learning_rate reading and setting, variables, build,
None gradients, weight-decay exclusion, get/serialize round trips, errors."""

import numpy as np
import pytest

from lamina import backend as K
from lamina import optimizers
from lamina.optimizers import schedules

ALL = ["SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax", "Nadam", "Lion"]


def test_setting_learning_rate_assigns_the_variable():
    w = K.Variable([1.0])
    optimizer = optimizers.RMSprop(learning_rate=0.1)
    rate_variable = optimizer.variables[1]
    optimizer.learning_rate = 0.5
    assert optimizer.variables[1] is rate_variable
    assert float(rate_variable.numpy()) == 0.5 and float(optimizer.lr) == 0.5
    optimizer.apply([K.ones(1)], [w])  # rho 0.9: v = 0.1, step = 0.5 / sqrt(0.1 + 1e-7)
    np.testing.assert_allclose(w.numpy(), [1.0 - 0.5 / np.sqrt(0.1 + 1e-7)], rtol=1e-5)


def test_setting_a_number_over_a_schedule_or_a_negative_rate_fails():
    optimizer = optimizers.Adam(learning_rate=schedules.ExponentialDecay(0.1, 2, 0.5))
    with pytest.raises(TypeError, match=r"Adam: the learning rate comes from the schedule "
                                        r"ExponentialDecay.*Received learning_rate=0.1"):
        optimizer.learning_rate = 0.1
    with pytest.raises(ValueError, match=r"SGD: learning_rate must be a number >= 0. "
                                         r"Received learning_rate=-0.5"):
        optimizers.SGD(learning_rate=-0.5)
    plain = optimizers.SGD()
    with pytest.raises(ValueError, match=r"learning_rate=-1"):
        plain.learning_rate = -1


def test_variables_are_deterministic_and_build_is_idempotent():
    a, b = K.Variable(np.ones((3, 2), "float32"), name="a"), K.Variable([1.0, 2.0], name="b")
    optimizer = optimizers.Adam(amsgrad=True, name="adam_vars")
    optimizer.build([a, b])
    names = [v.name for v in optimizer.variables]
    assert names == ["adam_vars/iterations", "adam_vars/learning_rate", "adam_vars/a_momentum",
                     "adam_vars/b_momentum", "adam_vars/a_velocity", "adam_vars/b_velocity",
                     "adam_vars/a_velocity_hat", "adam_vars/b_velocity_hat"]
    optimizer.build([a, b])
    assert [v.name for v in optimizer.variables] == names
    assert optimizer.iterations.dtype == "int64"
    assert all(not v.trainable for v in optimizer.variables)
    assert optimizer.variables[2].shape == (3, 2)


def test_none_gradients_are_skipped_and_apply_gradients_pairs():
    a, b = K.Variable([1.0], name="a"), K.Variable([1.0], name="b")
    optimizer = optimizers.SGD(learning_rate=0.5)
    optimizer.apply_gradients([(None, a), (K.ones(1), b)])
    assert a.numpy().tolist() == [1.0] and b.numpy().tolist() == [0.5]
    optimizer.apply([K.ones(1), K.ones(1)])  # the built variables
    assert a.numpy().tolist() == [0.5] and b.numpy().tolist() == [0.0]
    assert int(optimizer.iterations) == 2


def test_weight_decay_is_decoupled_and_can_exclude_variables():
    kernel, bias = K.Variable([2.0], name="kernel"), K.Variable([2.0], name="bias")
    optimizer = optimizers.SGD(learning_rate=0.5, weight_decay=0.1)
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    optimizer.apply([K.zeros(1), K.zeros(1)], [kernel, bias])
    np.testing.assert_allclose(kernel.numpy(), [2.0 - 2.0 * 0.1 * 0.5], rtol=1e-6)
    assert bias.numpy().tolist() == [2.0]
    with pytest.raises(ValueError, match="before the optimizer is built"):
        optimizer.exclude_from_weight_decay(var_list=[kernel])


@pytest.mark.parametrize("kwargs, message", [
    ({"clipnorm": 1.0, "global_clipnorm": 1.0},
     r"SGD: only one of clipnorm, clipvalue and global_clipnorm can be set. Received "
     r"clipnorm=1.0, clipvalue=None, global_clipnorm=1.0"),
    ({"clipvalue": -1.0}, r"SGD: clipvalue must be a number >= 0. Received clipvalue=-1.0"),
    ({"momentum": 1.5}, r"SGD: momentum must be a number >= 0 and <= 1. Received momentum=1.5"),
    ({"learning_rate": "fast"}, r"learning_rate must be a number >= 0. Received "
                                r"learning_rate='fast'"),
])
def test_constructor_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        optimizers.SGD(**kwargs)


def test_other_constructor_errors():
    with pytest.raises(ValueError, match=r"Lion: beta_1 must be a number > 0 and <= 1. "
                                         r"Received beta_1=0.0"):
        optimizers.Lion(beta_1=0.0)
    with pytest.raises(ValueError, match=r"AdamW: weight_decay must be a number >= 0. "
                                         r"Received weight_decay=None"):
        optimizers.AdamW(weight_decay=None)


def test_apply_errors_name_what_was_expected():
    a, b = K.Variable([1.0, 2.0], name="a"), K.Variable([1.0], name="b")
    optimizer = optimizers.Adam()
    with pytest.raises(ValueError, match=r"Adam.apply: received no trainable_variables and "
                                         r"the optimizer is not built"):
        optimizer.apply([K.ones(2)])
    with pytest.raises(ValueError, match=r"Adam.apply: expected one gradient per variable. "
                                         r"Received 1 gradients for 2 variables"):
        optimizer.apply([K.ones(2)], [a, b])
    with pytest.raises(ValueError, match=r"the gradient of variable 'a' has shape \(3,\); "
                                         r"expected the variable's shape \(2,\)"):
        optimizer.apply([K.ones(3), K.ones(1)], [a, b])
    with pytest.raises(ValueError, match=r"unknown variable 'c'.*\['a', 'b'\]"):
        optimizer.apply([K.ones(1)], [K.Variable([1.0], name="c")])


@pytest.mark.parametrize("name", ALL)
def test_get_serialize_deserialize_round_trip(name):
    optimizer = optimizers.get(name.lower())
    assert type(optimizer).__name__ == name
    config = optimizers.serialize(optimizer)
    rebuilt = optimizers.deserialize(config)
    assert type(rebuilt) is type(optimizer)
    assert rebuilt.get_config() == optimizer.get_config()
    assert optimizers.get(config).get_config() == optimizer.get_config()


def test_get_accepts_instances_classes_and_schedules_in_configs():
    optimizer = optimizers.SGD(learning_rate=schedules.CosineDecay(0.1, 10), clipvalue=0.5)
    assert optimizers.get(optimizer) is optimizer
    assert isinstance(optimizers.get(optimizers.Lion), optimizers.Lion)
    rebuilt = optimizers.deserialize(optimizers.serialize(optimizer))
    assert isinstance(rebuilt._schedule, schedules.CosineDecay) and rebuilt.clipvalue == 0.5
    assert optimizers.Adam(learning_rate=0.001).get_config()["learning_rate"] == 0.001
    with pytest.raises(ValueError, match=r"unknown optimizer 'adamm'; did you mean 'Adam'\? "
                                         r"Known names: Adadelta"):
        optimizers.get("adamm")
    with pytest.raises(ValueError, match=r"could not interpret optimizer identifier 3"):
        optimizers.get(3)
