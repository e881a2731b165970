"""compile / fit / evaluate / predict on every engine (training on jax and torch)."""

import numpy as np
import pytest

from lamina import Input, Model, Sequential, layers, losses, optimizers
from lamina import backend as K
from lamina.utils import set_random_seed

ENGINE = K.backend()
needs_training = pytest.mark.skipif(ENGINE == "numpy", reason="the numpy engine cannot train")


def blobs(n=256, features=8, classes=3, seed=0):
    """Separable classes: the label is the argmax of a fixed linear map."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    labels = np.argmax(x @ rng.normal(size=(features, classes)), axis=1)
    return x, np.eye(classes, dtype="float32")[labels], labels


def mlp(features=8, classes=3, name=None):
    inputs = Input((features,))
    hidden = layers.Dense(32, activation="relu", name="hidden")(inputs)
    outputs = layers.Dense(classes, activation="softmax", name="probs")(hidden)
    return Model(inputs, outputs, name=name), hidden


@needs_training
def test_fit_learns_separable_classes_and_history_records_each_epoch():
    set_random_seed(1)
    x, y, _ = blobs()
    model, _ = mlp()
    model.compile(optimizer=optimizers.Adam(0.01), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=15, batch_size=32, verbose=0)
    assert list(history.history) == ["loss", "accuracy"]
    assert len(history.history["loss"]) == 15 and history.epoch == list(range(15))
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0]
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert accuracy > 0.9
    assert loss == pytest.approx(float(np.mean(-np.sum(y * np.log(model.predict(x, verbose=0)),
                                                       axis=1))), rel=1e-4)


@pytest.mark.skipif(ENGINE != "numpy", reason="the numpy engine's limits")
def test_numpy_evaluates_and_predicts_but_fit_says_which_engines_train():
    x, y, _ = blobs(32)
    model, _ = mlp()
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    assert np.isfinite(model.evaluate(x, y, verbose=0))
    assert model.predict(x, verbose=0).shape == (32, 3)
    with pytest.raises(RuntimeError, match="numpy engine .* cannot train.*jax.*torch"):
        model.fit(x, y, verbose=0)
    with pytest.raises(RuntimeError, match="cannot train"):
        model.train_on_batch(x, y)


def test_predict_matches_calling_the_model_and_keeps_output_structure():
    x, _, _ = blobs(50)
    inputs = Input((8,))
    a = layers.Dense(2, name="a")(inputs)
    b = layers.Dense(3, name="b")(inputs)
    model = Model(inputs, {"first": a, "second": b})
    out = model.predict(x, batch_size=16, verbose=0)
    direct = model(K.convert_to_tensor(x))
    assert sorted(out) == ["first", "second"]
    np.testing.assert_allclose(out["second"], K.convert_to_numpy(direct["second"]), rtol=1e-5,
                               atol=1e-6)
    assert model.predict_on_batch(x[:4])["first"].shape == (4, 2)


@needs_training
def test_the_articles_custom_loss_given_to_compile_trains():
    def customed_loss(true_label, predict_label):
        loss = losses.categorical_crossentropy(true_label, predict_label)
        loss += K.max(predict_label)
        return loss

    set_random_seed(2)
    x, y, _ = blobs()
    model, _ = mlp()
    model.compile(optimizer="rmsprop", loss=customed_loss)
    history = model.fit(x, y, epochs=3, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    probs = model.predict(x, verbose=0)
    expected = np.mean(-np.sum(y * np.log(np.clip(probs, 1e-7, 1)), axis=1)) + probs.max()
    # K.max(predict_label) is the largest value of the whole batch
    assert model.evaluate(x, y, batch_size=len(x), verbose=0) == pytest.approx(float(expected),
                                                                               rel=1e-4)


@needs_training
def test_add_loss_alone_trains_without_labels():
    set_random_seed(3)
    x, _, _ = blobs()
    model, hidden = mlp()
    model.add_loss(100 * K.mean(K.square(hidden)))
    model.compile(optimizer="rmsprop")
    history = model.fit(x, epochs=3, batch_size=32, verbose=0)
    assert list(history.history) == ["loss"]
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_compile_loss_plus_add_loss_is_their_sum_and_each_term_is_logged():
    x, y, _ = blobs(64)
    model, hidden = mlp()
    model.add_loss(0.5 * K.mean(K.square(hidden)), name="activity")
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert list(logs) == ["loss", "categorical_crossentropy", "activity"]
    assert logs["loss"] == pytest.approx(logs["categorical_crossentropy"] + logs["activity"],
                                         rel=1e-5)
    probs = model.predict(x, verbose=0)
    expected = np.mean(-np.sum(y * np.log(np.clip(probs, 1e-7, 1)), axis=1))
    assert logs["categorical_crossentropy"] == pytest.approx(float(expected), rel=1e-4)


@needs_training
def test_targets_make_the_label_loss_a_graph_expression():
    set_random_seed(4)
    x, y, _ = blobs()
    model, hidden = mlp()
    out = model.outputs[0]
    model.add_loss(K.mean(losses.categorical_crossentropy(model.targets[0], out))
                   + 1e-3 * K.mean(K.square(hidden)))
    model.add_loss(lambda: 1e-4 * K.sum(K.square(model.get_layer("probs").kernel)),
                   name="kernel_penalty")
    model.compile(optimizer=optimizers.Adam(0.01))
    history = model.fit(x, y, epochs=10, batch_size=32, verbose=0)
    assert set(history.history) == {"loss", "added_loss", "kernel_penalty"}
    assert history.history["loss"][-1] < 0.7 * history.history["loss"][0]
    accuracy = np.mean(model.predict(x, verbose=0).argmax(1) == y.argmax(1))
    assert accuracy > 0.85


def test_several_outputs_take_losses_by_name_with_weights_and_none():
    x, y, labels = blobs(64)
    inputs = Input((8,), name="features")
    h = layers.Dense(16, activation="relu")(inputs)
    probs = layers.Dense(3, activation="softmax", name="probs")(h)
    value = layers.Dense(1, name="value")(h)
    aux = layers.Dense(2, name="aux")(h)
    model = Model(inputs, [probs, value, aux])
    model.compile(optimizer="sgd", loss={"probs": "sparse_categorical_crossentropy",
                                         "value": "mse"},
                  loss_weights={"probs": 1.0, "value": 0.5}, metrics={"probs": ["accuracy"]})
    target = labels.astype("float32")[:, None]
    logs = model.evaluate(x, {"probs": labels, "value": target}, verbose=0, return_dict=True)
    assert list(logs) == ["loss", "probs_loss", "value_loss", "probs_accuracy"]
    p, v, _ = model.predict(x, verbose=0)
    ce = np.mean(-np.log(np.clip(p[np.arange(64), labels], 1e-7, 1)))
    mse = np.mean((v - target) ** 2)
    assert logs["probs_loss"] == pytest.approx(ce, rel=1e-4)
    assert logs["value_loss"] == pytest.approx(0.5 * mse, rel=1e-4)
    assert logs["loss"] == pytest.approx(ce + 0.5 * mse, rel=1e-4)
    assert logs["probs_accuracy"] == pytest.approx(np.mean(p.argmax(1) == labels))
    if ENGINE != "numpy":
        history = model.fit(x, [labels, target, None], epochs=2, verbose=0)
        assert "value_loss" in history.history


def test_sample_weight_and_class_weight_weight_the_loss():
    x, y, labels = blobs(40)
    model, _ = mlp()
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    probs = model.predict(x, verbose=0)
    per_sample = -np.log(np.clip(probs[np.arange(40), labels], 1e-7, 1))
    weights = np.linspace(0.0, 2.0, 40).astype("float32")
    weighted = model.evaluate(x, y, sample_weight=weights, batch_size=40, verbose=0)
    assert weighted == pytest.approx(float(np.mean(per_sample * weights)), rel=1e-4)
    if ENGINE != "numpy":
        before = [w.copy() for w in model.get_weights()]
        model.fit(x, y, class_weight={0: 0.0, 1: 0.0, 2: 0.0}, epochs=1, verbose=0)
        for old, new in zip(before, model.get_weights()):
            np.testing.assert_allclose(old, new)


@needs_training
def test_generators_pydatasets_and_validation_data_are_accepted():
    from lamina.utils import PyDataset
    x, y, _ = blobs(96)

    class Batches(PyDataset):
        def __init__(self):
            super().__init__()
            self.epochs_seen = 0

        def __len__(self):
            return 3

        def __getitem__(self, i):
            return x[i * 32:(i + 1) * 32], y[i * 32:(i + 1) * 32]

        def on_epoch_end(self):
            self.epochs_seen += 1

    model, _ = mlp()
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    data = Batches()
    history = model.fit(data, epochs=2, validation_data=(x, y), verbose=0)
    assert data.epochs_seen == 2
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}

    def generator():
        while True:
            for i in range(3):
                yield x[i * 32:(i + 1) * 32], y[i * 32:(i + 1) * 32]

    history = model.fit(generator(), steps_per_epoch=3, epochs=2, verbose=0,
                        validation_data=generator(), validation_steps=2)
    assert len(history.history["val_loss"]) == 2
    assert np.isfinite(model.evaluate(generator(), steps=3, verbose=0)[0])


@pytest.mark.skipif(ENGINE != "torch", reason="a torch DataLoader needs the torch engine")
def test_a_torch_dataloader_is_accepted():
    import torch
    x, y, _ = blobs(64)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=16)
    model, _ = mlp()
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    history = model.fit(loader, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict(x, verbose=0).shape == (64, 3)


@needs_training
def test_a_train_step_written_with_K_runs_on_every_training_engine():
    class HalfStep(Model):
        """Applies half of each gradient step: a custom train_step written once."""

        def train_step(self, data):
            x, y = data
            weights = self.trainable_variables

            def loss_fn(ws):
                return K.mean(K.square(self(x, training=True) - y))

            loss, grads = K.value_and_grad(loss_fn)(weights)
            self.optimizer.apply([0.5 * g for g in grads], weights)
            return {"loss": loss}

    inputs = Input((3,))
    model = HalfStep(inputs, layers.Dense(1)(inputs))
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], "float32")).astype("float32")
    model.compile(optimizer=optimizers.SGD(0.1), loss="mse")
    history = model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.1 * history.history["loss"][0]


@needs_training
def test_set_random_seed_makes_a_run_repeatable():
    x, y, _ = blobs(64)

    def run():
        set_random_seed(123)
        inputs = Input((8,))
        h = layers.Dropout(0.3)(layers.Dense(16, activation="relu")(inputs))
        model = Model(inputs, layers.Dense(3, activation="softmax")(h))
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        model.fit(x, y, epochs=2, batch_size=16, verbose=0)
        return model.get_weights()

    for a, b in zip(run(), run()):
        np.testing.assert_array_equal(a, b)


@needs_training
def test_batch_norm_statistics_and_weight_penalties_take_part_in_training():
    set_random_seed(5)
    x, y, _ = blobs(128)
    x = 3.0 * x + 2.0
    inputs = Input((8,))
    h = layers.BatchNormalization(momentum=0.5)(inputs)
    out = layers.Dense(3, activation="softmax", kernel_regularizer="l2")(h)
    model = Model(inputs, out)
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    bn = model.layers[1]
    model.fit(x, y, epochs=3, batch_size=32, verbose=0)
    np.testing.assert_allclose(bn.moving_mean.numpy(), x.mean(axis=0), atol=0.5)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert list(logs) == ["loss", "categorical_crossentropy", "layer_losses"]
    penalty = 0.01 * np.sum(model.layers[2].kernel.numpy() ** 2)
    assert logs["layer_losses"] == pytest.approx(float(penalty), rel=1e-4)


@needs_training
def test_train_and_test_on_batch():
    x, y, _ = blobs(32)
    model, _ = mlp()
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
    first = model.test_on_batch(x, y)
    logs = model.train_on_batch(x, y, return_dict=True)
    assert sorted(logs) == ["accuracy", "loss"]
    assert logs["loss"] == pytest.approx(first[0], rel=1e-5)  # the loss before the update
    assert model.test_on_batch(x, y)[0] < first[0]


@needs_training
def test_sequential_and_subclassed_models_train():
    x, y, _ = blobs(64)
    sequential = Sequential([layers.Dense(16, activation="relu"),
                             layers.Dense(3, activation="softmax")])
    sequential.compile(optimizer="adam", loss="categorical_crossentropy")
    assert len(sequential.fit(x, y, epochs=2, verbose=0).history["loss"]) == 2

    class Net(Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(16, activation="relu")
            self.out = layers.Dense(3, activation="softmax")

        def call(self, inputs):
            h = self.hidden(inputs)
            self.add_loss(1e-3 * K.mean(K.square(h)))
            return self.out(h)

    net = Net()
    net.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    history = net.fit(x, y, epochs=2, verbose=0)
    assert set(history.history) == {"loss", "categorical_crossentropy", "layer_losses",
                                    "accuracy"}


@needs_training
def test_inputs_given_as_a_dict_by_input_name_and_epoch_options():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(64, 3)).astype("float32")
    b = rng.normal(size=(64, 2)).astype("float32")
    y = (a.sum(1, keepdims=True) - b.sum(1, keepdims=True)).astype("float32")
    in_a, in_b = Input((3,), name="a"), Input((2,), name="b")
    merged = layers.Concatenate()([in_a, in_b])
    model = Model([in_a, in_b], layers.Dense(1)(merged))
    model.compile(optimizer=optimizers.SGD(0.1), loss="mse")
    history = model.fit({"b": b, "a": a}, y, epochs=6, initial_epoch=2, batch_size=16,
                        validation_data=({"a": a, "b": b}, y), validation_freq=2, verbose=0)
    assert history.epoch == [2, 3, 4, 5]
    assert len(history.history["loss"]) == 4 and len(history.history["val_loss"]) == 2
    np.testing.assert_allclose(model.predict({"a": a, "b": b}, verbose=0),
                               model.predict([a, b], verbose=0), rtol=1e-6)


@pytest.mark.skipif(ENGINE != "torch", reason="torch.compile is the torch engine's")
def test_jit_compile_true_on_torch_trains_through_torch_compile():
    x, y, _ = blobs(32)
    model, _ = mlp()
    model.compile(optimizer="sgd", loss="categorical_crossentropy", jit_compile=True)
    history = model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert hasattr(model._steps()["train"].fn, "_torchdynamo_orig_callable")


def test_engine_arrays_and_generators_feed_evaluate_and_predict():
    x, y, _ = blobs(48)
    model, _ = mlp()
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    from_numpy = model.evaluate(x, y, verbose=0)
    engine_x, engine_y = K.convert_to_tensor(x), K.convert_to_tensor(y)
    assert model.evaluate(engine_x, engine_y, verbose=0) == pytest.approx(from_numpy, rel=1e-6)

    def batches():
        for i in range(0, 48, 16):
            yield (x[i:i + 16],)

    np.testing.assert_allclose(model.predict(batches(), verbose=0),
                               model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    if ENGINE != "numpy":
        history = model.fit(engine_x, engine_y, epochs=1, batch_size=16, verbose=0)
        assert np.isfinite(history.history["loss"][0])


def test_a_custom_layers_own_weight_regularizer_joins_the_loss():
    class Scale(layers.Layer):
        def build(self, input_shape):
            self.w = K.Variable(K.ones((input_shape[-1],)) * 2.0,
                                regularizer=lambda w: 0.5 * K.sum(K.square(w)))

        def call(self, inputs):
            return inputs * self.w

    inputs = Input((3,))
    model = Model(inputs, Scale()(inputs))
    model.compile(optimizer="sgd", loss="mse")
    x = np.zeros((4, 3), "float32")
    logs = model.evaluate(x, x, verbose=0, return_dict=True)
    assert logs["layer_losses"] == pytest.approx(0.5 * 3 * 4.0)
    assert logs["loss"] == pytest.approx(6.0)


def test_an_output_mask_weights_the_loss_and_the_metrics():
    x = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, -1.0]],
                  [[0.0, 0.0], [2.0, 2.0], [1.0, 1.0]]], "float32")  # (2, 3 steps, 2)
    y = np.ones((2, 3, 2), "float32")
    inputs = Input((3, 2))
    model = Model(inputs, layers.Masking(0.0)(inputs))
    model.compile(optimizer="sgd", loss="mae", metrics=["mse"])
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    kept = np.any(x != 0, axis=-1)
    per_step_mae = np.abs(x - y).mean(axis=-1)
    per_step_mse = ((x - y) ** 2).mean(axis=-1)
    assert logs["mse"] == pytest.approx(float(per_step_mse[kept].mean()), rel=1e-5)
    assert logs["loss"] == pytest.approx(float((per_step_mae * kept).sum() / kept.size),
                                         rel=1e-5)


@pytest.mark.skipif(K.backend() == "numpy", reason="numpy cannot train")
def test_freezing_a_layer_takes_effect_at_the_next_compile():
    x = Input((3,))
    frozen = layers.Dense(4, name="frozen")
    model = Model(x, layers.Dense(1)(frozen(x)))
    model.compile(optimizer="sgd", loss="mse")
    data, labels = np.ones((8, 3), "float32"), np.zeros((8, 1), "float32")
    model.fit(data, labels, epochs=1, verbose=0)
    frozen.trainable = False
    model.compile(optimizer="sgd", loss="mse")
    before = [w.copy() for w in frozen.get_weights()]
    model.fit(data, labels, epochs=2, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, frozen.get_weights()))
    assert len(model.trainable_weights) == 2
