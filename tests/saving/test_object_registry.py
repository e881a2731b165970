"""The registry of serializable objects, custom object scopes, and the constructor
arguments every catalogue base class captures for ``get_config``."""

import json

import numpy as np
import pytest

from lamina import backend as K
from lamina import activations, constraints, initializers, losses, metrics, optimizers
from lamina import regularizers
from lamina.optimizers import schedules
from lamina.saving import (CustomObjectScope, custom_object_scope, deserialize_lamina_object,
                           get_custom_objects, get_registered_name, get_registered_object,
                           register_keras_serializable, register_serializable,
                           serialize_lamina_object)
from lamina.saving import object_registry


@pytest.fixture(autouse=True)
def clean_registry():
    """Restores the global registry after each test (test_serialization uses it too)."""
    objects = dict(object_registry._GLOBAL_CUSTOM_OBJECTS)
    names = dict(object_registry._GLOBAL_CUSTOM_NAMES)
    yield
    object_registry._GLOBAL_CUSTOM_OBJECTS.clear()
    object_registry._GLOBAL_CUSTOM_OBJECTS.update(objects)
    object_registry._GLOBAL_CUSTOM_NAMES.clear()
    object_registry._GLOBAL_CUSTOM_NAMES.update(names)


def to_np(x):
    return np.asarray(K.convert_to_numpy(x))


def json_round_trip(obj, **kwargs):
    return deserialize_lamina_object(json.loads(json.dumps(serialize_lamina_object(obj))),
                                     **kwargs)


# -- registration -------------------------------------------------------------------
def test_register_class_and_function_under_package_and_name():
    @register_serializable()
    class Halver(regularizers.Regularizer):
        def __call__(self, x):
            return K.sum(x) / 2

    @register_serializable(package="Mine", name="twice")
    def double(x):
        return 2 * x

    assert get_registered_name(Halver) == "Custom>Halver"
    assert get_registered_name(Halver()) == "Custom>Halver"
    assert get_registered_object("Custom>Halver") is Halver
    assert get_registered_name(double) == "Mine>twice"
    assert get_registered_object("Mine>twice") is double
    assert get_custom_objects()["Mine>twice"] is double


def test_unregistered_names_and_missing_objects():
    def plain(x):
        return x

    assert get_registered_name(plain) == "plain"
    assert get_registered_name(regularizers.L1) == "L1"
    assert get_registered_object("Custom>plain") is None


def test_keras_alias_registers_the_same_way():
    assert register_keras_serializable is register_serializable

    @register_keras_serializable(package="Ported")
    def gelu_like(x):
        return x

    assert get_registered_object("Ported>gelu_like") is gelu_like


def test_registering_again_replaces_the_entry():
    @register_serializable(package="Redo", name="fn")
    def first(x):
        return x

    @register_serializable(package="Redo", name="fn")
    def second(x):
        return x

    assert get_registered_object("Redo>fn") is second
    assert get_registered_name(first) == "first"


def test_class_without_get_config_is_refused():
    class Opaque:
        def __init__(self, size):
            self.size = size

    with pytest.raises(ValueError, match=r"'Opaque' has no get_config\(\)"):
        register_serializable()(Opaque)
    assert get_registered_object("Custom>Opaque") is None


@pytest.mark.parametrize("kwargs, field", [({"package": "a>b"}, "package"),
                                           ({"package": ""}, "package"),
                                           ({"name": 3}, "name")])
def test_bad_package_or_name_is_refused(kwargs, field):
    with pytest.raises(ValueError, match=f"{field} must be a non-empty string"):
        register_serializable(**kwargs)


# -- scopes and lookup order ----------------------------------------------------------
def test_scope_adds_objects_for_its_duration_only():
    def shout(x):
        return x

    with custom_object_scope({"shout": shout}):
        assert get_registered_object("shout") is shout
        assert activations.get("shout") is shout
    assert get_registered_object("shout") is None
    with pytest.raises(ValueError, match="unknown activation 'shout'"):
        activations.get("shout")


def test_lookup_order_is_custom_objects_then_inner_scope_then_outer_then_registry():
    register_serializable(package="Order", name="x")(regularizers.L1)
    assert get_registered_object("Order>x") is regularizers.L1
    with CustomObjectScope({"Order>x": regularizers.L2}):
        assert get_registered_object("Order>x") is regularizers.L2
        with CustomObjectScope({"Order>x": regularizers.L1L2}):
            assert get_registered_object("Order>x") is regularizers.L1L2
            found = get_registered_object("Order>x", custom_objects={"Order>x": int})
            assert found is int
        assert get_registered_object("Order>x") is regularizers.L2


def test_scope_accepts_several_dicts_and_rejects_other_values():
    with CustomObjectScope({"a": int}, None, {"b": str}):
        assert get_registered_object("a") is int and get_registered_object("b") is str
    with pytest.raises(TypeError, match=r"CustomObjectScope expects dicts.*\[1, 2\]"):
        CustomObjectScope([1, 2])


def test_global_custom_objects_by_plain_name_reach_the_catalogues():
    class Doubling(constraints.Constraint):
        def __call__(self, w):
            return 2 * w

    get_custom_objects()["Doubling"] = Doubling
    assert isinstance(constraints.get("Doubling"), Doubling)
    config = constraints.serialize(Doubling())
    assert isinstance(constraints.deserialize(config), Doubling)


# -- automatic constructor capture, one case per base kind ------------------------------
class ScaledError(losses.Loss):
    def __init__(self, factor=0.1):
        super().__init__()
        self.factor = factor

    def call(self, y_true, y_pred):
        return K.mean(K.abs(y_true - y_pred), axis=-1) * self.factor


class CountAbove(metrics.Metric):
    def __init__(self, threshold=0.5, name="count_above"):
        super().__init__(name=name)
        self.threshold = threshold
        self.count = self.add_variable((), name="count")

    def update_state(self, values):
        above = K.cast(K.greater(values, self.threshold), self.dtype)
        self.count.assign_add(K.sum(above))

    def result(self):
        return self.count.value


class ScaledSGD(optimizers.Optimizer):
    def __init__(self, learning_rate=0.1, factor=2.0):
        super().__init__(learning_rate=learning_rate)
        self.factor = factor

    def update_step(self, gradient, variable, learning_rate):
        variable.assign_sub(gradient * K.cast(learning_rate, variable.dtype) * self.factor)


class LinearWarmup(schedules.LearningRateSchedule):
    def __init__(self, peak=0.1, steps=4):
        self.peak, self.steps = peak, steps

    def __call__(self, step):
        return K.minimum(K.cast(step, "float32") / self.steps, 1.0) * self.peak


class SumPenalty(regularizers.Regularizer):
    def __init__(self, factor=0.1):
        self.factor = factor

    def __call__(self, x):
        return K.sum(x) * self.factor


class Clip(constraints.Constraint):
    def __init__(self, limit=1.0):
        self.limit = limit

    def __call__(self, w):
        return K.clip(w, -self.limit, self.limit)


class Filled(initializers.Initializer):
    def __init__(self, value=0.5):
        self.value = value

    def __call__(self, shape, dtype=None):
        return K.full(shape, self.value, dtype=dtype or K.floatx())


Y_TRUE = np.array([[0.0, 1.0], [2.0, 0.0]], dtype="float32")
Y_PRED = np.array([[1.0, 1.0], [0.0, 3.0]], dtype="float32")


def _loss_value(loss):
    return float(to_np(loss(Y_TRUE, Y_PRED)))


def _metric_value(metric):
    metric.update_state(Y_PRED)
    return float(to_np(metric.result()))


def _optimizer_step(optimizer):
    w = K.Variable([1.0, -1.0])
    optimizer.apply([K.convert_to_tensor([0.5, 0.5])], [w])
    return w.numpy().tolist()


CASES = {
    "loss": (lambda: ScaledError(3.0), {"factor": 3.0}, _loss_value,
             3.0 * np.mean(np.abs(Y_TRUE - Y_PRED))),
    "metric": (lambda: CountAbove(1.5), {"name": "count_above", "threshold": 1.5},
               _metric_value, float(np.sum(Y_PRED > 1.5))),
    "optimizer": (lambda: ScaledSGD(0.25, factor=4.0), {"learning_rate": 0.25, "factor": 4.0},
                  _optimizer_step, [0.5, -1.5]),
    "schedule": (lambda: LinearWarmup(0.2, steps=4), {"peak": 0.2, "steps": 4},
                 lambda s: float(to_np(s(2))), 0.1),
    "regularizer": (lambda: SumPenalty(0.5), {"factor": 0.5},
                    lambda r: float(to_np(r(K.convert_to_tensor(Y_PRED)))), 0.5 * Y_PRED.sum()),
    "constraint": (lambda: Clip(2.0), {"limit": 2.0},
                   lambda c: to_np(c(K.convert_to_tensor(Y_PRED))),
                   np.clip(Y_PRED, -2.0, 2.0)),
    "initializer": (lambda: Filled(0.25), {"value": 0.25},
                    lambda i: to_np(i((2,))).tolist(), [0.25, 0.25]),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_subclass_without_get_config_captures_its_arguments(kind):
    make, expected_config, _, _ = CASES[kind]
    obj = make()
    assert obj.get_config() == expected_config
    assert type(obj).from_config(obj.get_config()).get_config() == expected_config


@pytest.mark.parametrize("kind", sorted(CASES))
def test_registered_subclass_saves_and_loads_without_custom_objects(kind):
    make, expected_config, measure, expected_value = CASES[kind]
    obj = make()
    register_serializable(package="Auto")(type(obj))
    data = json.loads(json.dumps(serialize_lamina_object(obj)))
    assert data["registered_name"] == f"Auto>{type(obj).__name__}"
    rebuilt = deserialize_lamina_object(data)
    assert type(rebuilt) is type(obj)
    assert rebuilt.get_config() == expected_config
    np.testing.assert_allclose(measure(rebuilt), expected_value, rtol=1e-6)


def test_keyword_arguments_keep_the_base_settings():
    class Weighted(losses.Loss):
        def __init__(self, weight=1.0, **kwargs):
            super().__init__(**kwargs)
            self.weight = weight

        def call(self, y_true, y_pred):
            return K.mean(K.square(y_true - y_pred), axis=-1) * self.weight

    loss = Weighted(2.0, name="weighted", reduction="sum")
    assert loss.get_config() == {"name": "weighted", "reduction": "sum", "dtype": "float32",
                                 "weight": 2.0}
    rebuilt = Weighted.from_config(loss.get_config())
    assert (rebuilt.name, rebuilt.reduction, rebuilt.weight) == ("weighted", "sum", 2.0)


def test_nested_lamina_objects_are_serialized_in_the_captured_config():
    class Combined(regularizers.Regularizer):
        def __init__(self, first, second=None):
            self.first, self.second = first, second

        def __call__(self, x):
            return self.first(x) + self.second(x)

    penalty = Combined(regularizers.L1(0.5), second=regularizers.L2(0.25))
    config = penalty.get_config()
    assert config["first"]["class_name"] == "L1" and config["first"]["config"] == {"l1": 0.5}
    json.dumps(config)
    rebuilt = Combined.from_config(json.loads(json.dumps(config)))
    assert isinstance(rebuilt.second, regularizers.L2) and rebuilt.second.l2 == 0.25
    x = K.convert_to_tensor([[1.0, -2.0]])
    assert float(to_np(rebuilt(x))) == pytest.approx(0.5 * 3.0 + 0.25 * 5.0)


def test_positional_varargs_cannot_be_captured():
    class Sum(regularizers.Regularizer):
        def __init__(self, *factors):
            self.factors = factors

    assert Sum().get_config() == {}
    with pytest.raises(NotImplementedError, match=r"Sum: the positional arguments \*factors"):
        Sum(1.0, 2.0).get_config()


def test_own_get_config_is_kept_and_super_gives_the_base_fields():
    class Named(metrics.Metric):
        def __init__(self, level=1, **kwargs):
            super().__init__(**kwargs)
            self.level = level

        def get_config(self):
            return {**super().get_config(), "level": self.level * 10}

    assert Named(2, name="n").get_config() == {"name": "n", "dtype": "float32", "level": 20}


# -- names from the registry in get(), as compile() uses them --------------------------
def test_registered_names_resolve_in_get():
    register_serializable(package="Train")(ScaledError)
    register_serializable(package="Train")(SumPenalty)
    register_serializable(package="Train")(CountAbove)

    @register_serializable(package="Train")
    def halved(x):
        return x / 2

    @register_serializable(package="Train")
    def misses(y_true, y_pred):
        return K.abs(y_true - y_pred)

    assert isinstance(losses.get("Train>ScaledError"), ScaledError)
    assert isinstance(regularizers.get("Train>SumPenalty"), SumPenalty)
    assert isinstance(metrics.get("Train>CountAbove"), CountAbove)
    assert activations.get("Train>halved") is halved
    wrapped = metrics.get("Train>misses")
    assert isinstance(wrapped, metrics.MeanMetricWrapper) and wrapped.name == "misses"
    assert activations.serialize(halved) == "Train>halved"
    assert losses.serialize(halved) == {"class_name": "function", "config": "Train>halved"}
    assert losses.serialize(ScaledError())["class_name"] == "Train>ScaledError"
    assert isinstance(losses.deserialize(losses.serialize(ScaledError(2.0))), ScaledError)


def test_optimizer_with_a_registered_schedule_round_trips():
    register_serializable(package="Train")(LinearWarmup)
    optimizer = optimizers.SGD(learning_rate=LinearWarmup(0.2, steps=4))
    rebuilt = json_round_trip(optimizer)
    assert isinstance(rebuilt._schedule, LinearWarmup)
    assert rebuilt._schedule.get_config() == {"peak": 0.2, "steps": 4}
