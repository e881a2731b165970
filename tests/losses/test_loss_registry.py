"""lamina.losses.get / serialize / deserialize: snake_case names and aliases give the
functions, CamelCase names instances; dicts, classes, instances and callables; unknown
names list the known ones; config round trips of every class (same config, same value)."""

import json

import numpy as np
import numpy_losses as ref
import pytest

from lamina import backend as K
from lamina import losses

FUNCTIONS = [
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "huber", "log_cosh", "cosine_similarity", "hinge",
    "squared_hinge", "categorical_hinge", "binary_crossentropy", "binary_focal_crossentropy",
    "categorical_crossentropy", "categorical_focal_crossentropy",
    "sparse_categorical_crossentropy", "kl_divergence", "poisson"]
ALIASES = {"mse": "mean_squared_error", "MSE": "mean_squared_error",
           "mae": "mean_absolute_error", "MAE": "mean_absolute_error",
           "mape": "mean_absolute_percentage_error", "MAPE": "mean_absolute_percentage_error",
           "msle": "mean_squared_logarithmic_error", "MSLE": "mean_squared_logarithmic_error",
           "kld": "kl_divergence", "KLD": "kl_divergence",
           "kullback_leibler_divergence": "kl_divergence", "bce": "binary_crossentropy",
           "BCE": "binary_crossentropy", "logcosh": "log_cosh"}
CLASSES = [
    "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError", "Huber", "LogCosh", "CosineSimilarity", "Hinge",
    "SquaredHinge", "CategoricalHinge", "BinaryCrossentropy", "BinaryFocalCrossentropy",
    "CategoricalCrossentropy", "CategoricalFocalCrossentropy",
    "SparseCategoricalCrossentropy", "KLDivergence", "Poisson"]


def N(x):
    return np.asarray(K.convert_to_numpy(x))


@pytest.mark.parametrize("name", FUNCTIONS)
def test_snake_case_names_give_the_functions(name):
    assert losses.get(name) is getattr(losses, name)


@pytest.mark.parametrize("alias, name", ALIASES.items())
def test_aliases_are_the_functions(alias, name):
    assert losses.get(alias) is getattr(losses, name)
    assert getattr(losses, alias) is getattr(losses, name)


@pytest.mark.parametrize("name", CLASSES)
def test_camel_case_names_give_instances(name):
    loss = losses.get(name)
    assert type(loss) is getattr(losses, name) and isinstance(loss, losses.LossFunctionWrapper)
    assert loss.reduction == "sum_over_batch_size"


def test_other_identifier_kinds():
    assert losses.get(None) is None
    instance = losses.Huber(delta=2.0)
    assert losses.get(instance) is instance
    assert type(losses.get(losses.Poisson)) is losses.Poisson

    def doubled_error(y_true, y_pred):
        return 2.0 * losses.mean_absolute_error(y_true, y_pred)
    assert losses.get(doubled_error) is doubled_error
    got = losses.get({"class_name": "CategoricalCrossentropy",
                      "config": {"from_logits": True, "label_smoothing": 0.1}})
    assert isinstance(got, losses.CategoricalCrossentropy)
    assert (got.from_logits, got.label_smoothing) == (True, 0.1)
    assert losses.get({"class_name": "function", "config": "mse"}) is losses.mean_squared_error


def test_unknown_identifiers_list_the_known_names():
    with pytest.raises(ValueError) as info:
        losses.get("mean_sqared_error")
    message = str(info.value)
    assert "lamina.losses: unknown loss 'mean_sqared_error'" in message
    assert "mean_squared_error" in message and "SparseCategoricalCrossentropy" in message
    with pytest.raises(ValueError, match=r"lamina.losses.get: could not interpret loss "
                                         r"identifier 0.5.*Known names"):
        losses.get(0.5)
    with pytest.raises(ValueError, match=r"lamina.losses.serialize: expected a Loss instance "
                                         r"or a loss function. Received 3"):
        losses.serialize(3)
    with pytest.raises(ValueError, match=r"lamina.losses.deserialize: expected a name or a dict"):
        losses.deserialize(["mse"])


NON_DEFAULT = [
    losses.MeanSquaredError(reduction="sum", name="my_mse"),
    losses.MeanAbsoluteError(reduction=None),
    losses.MeanAbsolutePercentageError(dtype="float64"),
    losses.MeanSquaredLogarithmicError(reduction="mean"),
    losses.Huber(delta=0.5),
    losses.LogCosh(reduction="none"),
    losses.CosineSimilarity(axis=0),
    losses.Hinge(reduction="mean_with_sample_weight"),
    losses.SquaredHinge(),
    losses.CategoricalHinge(),
    losses.KLDivergence(),
    losses.Poisson(),
    losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.2, axis=0),
    losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.3, gamma=1.0),
    losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
    losses.CategoricalFocalCrossentropy(alpha=[0.2, 0.3, 0.5], gamma=3.0),
    losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=1),
]
INPUTS = {"SparseCategoricalCrossentropy": (ref.LABELS.astype("int32"), ref.LOGITS),
          "MeanSquaredLogarithmicError": (ref.POSITIVE_TRUE, ref.POSITIVE_PRED),
          "Poisson": (ref.POSITIVE_TRUE, ref.POSITIVE_PRED),
          "BinaryFocalCrossentropy": (ref.BINARY, ref.BINARY_PROBS),
          "KLDivergence": (ref.ONE_HOT, ref.PROBS)}


@pytest.mark.parametrize("loss", NON_DEFAULT, ids=lambda loss: type(loss).__name__)
def test_config_round_trip_through_json(loss):
    config = loss.get_config()
    serialized = json.loads(json.dumps(losses.serialize(loss)))
    again = losses.deserialize(serialized)
    assert type(again) is type(loss) and again.get_config() == config
    assert type(loss).from_config(config).get_config() == config
    y_true, y_pred = INPUTS.get(type(loss).__name__, (ref.ONE_HOT, ref.REG_PRED))
    y_true = y_true if y_true.dtype.kind == "i" else y_true.astype("float32")
    y_pred = y_pred.astype("float32")
    np.testing.assert_allclose(N(again(y_true, y_pred)), N(loss(y_true, y_pred)), rtol=1e-6)


def test_config_holds_the_constructor_arguments():
    assert losses.BinaryCrossentropy(label_smoothing=0.2).get_config() == {
        "name": "binary_crossentropy", "reduction": "sum_over_batch_size", "dtype": "float32",
        "from_logits": False, "label_smoothing": 0.2, "axis": -1}
    assert losses.Huber().get_config()["name"] == "huber_loss"
    assert losses.SparseCategoricalCrossentropy(ignore_class=255).ignore_class == 255


@pytest.mark.parametrize("name", FUNCTIONS)
def test_functions_serialize_by_name(name):
    fn = getattr(losses, name)
    assert losses.serialize(fn) == {"class_name": "function", "config": name}
    assert losses.deserialize(losses.serialize(fn)) is fn
    assert losses.deserialize(name) is fn


def test_wrapper_round_trip_with_a_builtin_and_a_custom_function():
    wrapper = losses.LossFunctionWrapper(losses.huber, reduction="sum", delta=0.25)
    config = wrapper.get_config()
    assert config["fn"] == {"class_name": "function", "config": "huber"}
    again = losses.deserialize(losses.serialize(wrapper))
    assert again.fn is losses.huber and again.get_config() == config

    def capped_error(y_true, y_pred, cap=1.0):
        return K.minimum(losses.mean_absolute_error(y_true, y_pred), cap)
    custom = losses.LossFunctionWrapper(capped_error, cap=0.5)
    with pytest.raises(ValueError, match="unknown loss 'capped_error'"):
        losses.deserialize(losses.serialize(custom))
    again = losses.deserialize(losses.serialize(custom),
                               custom_objects={"capped_error": capped_error})
    assert again.fn is capped_error and again.get_config() == custom.get_config()


def test_custom_loss_class_through_custom_objects():
    class ScaledError(losses.Loss):
        def __init__(self, scale=1.0, **kwargs):
            super().__init__(**kwargs)
            self.scale = scale

        def call(self, y_true, y_pred):
            return self.scale * losses.mean_absolute_error(y_true, y_pred)

        def get_config(self):
            return {**super().get_config(), "scale": self.scale}

    config = losses.serialize(ScaledError(3.0, name="scaled"))
    again = losses.deserialize(config, custom_objects={"ScaledError": ScaledError})
    assert again.scale == 3.0 and again.name == "scaled"
