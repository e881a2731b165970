"""A misspelt name of a loss, metric, optimizer, activation or initializer fails where
it is written (compile, the layer's constructor) with a 'did you mean' suggestion and
the known names, without lamina's base classes among them."""

import pytest

from lamina import Input, Model, activations, initializers, layers, losses, metrics, optimizers
from lamina._catalogue import closest_name


def model():
    inputs = Input((3,))
    return Model(inputs, layers.Dense(2, activation="softmax")(inputs))


def test_compile_suggests_the_loss_name():
    with pytest.raises(ValueError) as error:
        model().compile(optimizer="sgd", loss="categorical_crossentropyy")
    message = str(error.value)
    assert message.startswith("compile: lamina.losses: unknown loss 'categorical_crossentropyy'; "
                              "did you mean 'categorical_crossentropy'? Known names: ")
    known = message.split("Known names: ")[1].rstrip(".").split(", ")
    assert "mse" in known and "CategoricalCrossentropy" in known
    assert "Loss" not in known and "LossFunctionWrapper" not in known


def test_compile_checks_losses_given_per_output_and_weighted_metrics():
    with pytest.raises(ValueError, match="unknown loss 'msee'; did you mean 'mse'"):
        model().compile(optimizer="sgd", loss=["msee"])
    with pytest.raises(ValueError, match="unknown metric 'binary_acuracy'; did you mean "
                                         "'binary_accuracy'"):
        model().compile(optimizer="sgd", loss="mse", weighted_metrics=[["binary_acuracy"]])


def test_compile_suggests_the_metric_name_without_internal_classes():
    with pytest.raises(ValueError) as error:
        model().compile(optimizer="sgd", loss="mse", metrics=["acuracy"])
    message = str(error.value)
    assert message.startswith("compile: lamina.metrics: unknown metric 'acuracy'; did you mean "
                              "'accuracy'? Known names: ")
    assert "mean_metric_wrapper" not in message and "MeanMetricWrapper" not in message


def test_compile_suggests_the_optimizer_name():
    with pytest.raises(ValueError, match=r"^compile: lamina.optimizers: unknown optimizer "
                                         r"'rmsprob'; did you mean 'RMSprop'\? Known names: "
                                         r"Adadelta, Adagrad, Adam, AdamW, Adamax, Lion, Nadam, "
                                         r"RMSprop, SGD\.$"):
        model().compile(optimizer="rmsprob", loss="mse")


def test_layers_suggest_activation_and_initializer_names_at_construction():
    with pytest.raises(ValueError, match=r"unknown activation 'rleu'; did you mean 'relu'\?"):
        layers.Dense(2, activation="rleu")
    with pytest.raises(ValueError, match=r"unknown initializer 'glorot_unifrom'; did you mean "
                                         r"'glorot_uniform'\?"):
        layers.Dense(2, kernel_initializer="glorot_unifrom")


def test_base_classes_are_still_found_by_name_for_configs():
    assert losses.deserialize(losses.serialize(losses.LossFunctionWrapper(losses.mse))).fn \
        is losses.mse
    assert type(metrics.deserialize(metrics.serialize(metrics.MeanMetricWrapper(
        metrics.binary_accuracy)))).__name__ == "MeanMetricWrapper"


def test_a_name_close_to_nothing_gets_no_suggestion():
    with pytest.raises(ValueError) as error:
        activations.get("zzzz")
    assert "did you mean" not in str(error.value)
    assert str(error.value).startswith("lamina.activations: unknown activation 'zzzz'. Known "
                                       "names: celu, elu,")
    with pytest.raises(ValueError, match="unknown initializer 'he_nromal'; did you mean "
                                         "'he_normal'"):
        initializers.get("he_nromal")
    with pytest.raises(ValueError, match="unknown optimizer 'sgdd'; did you mean 'SGD'"):
        optimizers.get("sgdd")


def test_the_suggestion_keeps_the_style_of_the_name_written():
    names = ["glorot_uniform", "GlorotUniform"]
    assert closest_name("GlorotUnifrom", names) == "GlorotUniform"
    assert closest_name("glorot_unifrom", names) == "glorot_uniform"


def test_a_lower_case_typo_is_offered_the_lower_case_name():
    with pytest.raises(ValueError, match="unknown loss 'huberr'; did you mean 'huber'\\?"):
        losses.get("huberr")
    with pytest.raises(ValueError, match="unknown loss 'Hubber'; did you mean 'Huber'\\?"):
        losses.get("Hubber")
