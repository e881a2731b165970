"""TensorBoard: the event files it writes, read back with the real ``tensorboard``
package: epoch and batch scalars in train/validation runs with the right values and
steps, the learning rate (a schedule's too), weight histograms and images, the model
summary, embeddings; argument errors."""

import os

import numpy as np
import pytest

pytest.importorskip("tensorboardX")
event_accumulator = pytest.importorskip(
    "tensorboard.backend.event_processing.event_accumulator")

from lamina import Input, Model, layers, optimizers  # noqa: E402
from lamina import backend as K  # noqa: E402
from lamina.callbacks import LambdaCallback, TensorBoard  # noqa: E402

trains = pytest.mark.skipif(K.backend() == "numpy", reason="the numpy engine cannot train")

X = np.linspace(-1, 1, 24, dtype="float32").reshape(8, 3)
Y = X.sum(axis=1, keepdims=True)


def events(folder):
    """An EventAccumulator holding everything written to ``folder``."""
    sizes = {kind: 0 for kind in (event_accumulator.SCALARS, event_accumulator.HISTOGRAMS,
                                  event_accumulator.IMAGES, event_accumulator.TENSORS)}
    accumulator = event_accumulator.EventAccumulator(str(folder), size_guidance=sizes)
    return accumulator.Reload()


def scalars(accumulator, tag):
    return [(e.step, e.value) for e in accumulator.Scalars(tag)]


def small_model(optimizer="sgd"):
    x = Input((3,))
    model = Model(x, layers.Dense(1, name="out")(layers.Dense(4, name="hidden")(x)))
    model.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
    return model


@trains
def test_epoch_scalars_go_to_train_and_validation_runs(tmp_path):
    model = small_model()
    history = model.fit(X, Y, batch_size=4, epochs=3, verbose=0, validation_data=(X, Y),
                        callbacks=[TensorBoard(tmp_path)])
    assert sorted(os.listdir(tmp_path)) == ["train", "validation"]
    train, validation = events(tmp_path / "train"), events(tmp_path / "validation")
    for name in ("loss", "mae"):
        steps, values = zip(*scalars(train, f"epoch_{name}"))
        assert steps == (0, 1, 2)
        np.testing.assert_allclose(values, history.history[name], rtol=1e-5)
        steps, values = zip(*scalars(validation, f"epoch_{name}"))
        assert steps == (0, 1, 2)
        np.testing.assert_allclose(values, history.history[f"val_{name}"], rtol=1e-5)
    assert "epoch_val_loss" not in train.Tags()["scalars"]
    assert [v for _, v in scalars(train, "epoch_learning_rate")] == pytest.approx([0.01] * 3)
    # the validation run fit does after each epoch, at the optimizer's step count
    steps, values = zip(*scalars(validation, "evaluation_loss_vs_iterations"))
    assert steps == (2, 4, 6)
    np.testing.assert_allclose(values, history.history["val_loss"], rtol=1e-5)


@trains
@pytest.mark.parametrize("update_freq, every", [("batch", 1), (3, 3)])
def test_batch_scalars_every_n_batches_counted_across_epochs(tmp_path, update_freq, every):
    model = small_model()
    seen = []
    record = LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(
        float(logs["loss"])))
    model.fit(X, Y, batch_size=4, epochs=3, verbose=0,
              callbacks=[record, TensorBoard(tmp_path, update_freq=update_freq,
                                             write_steps_per_second=True)])
    train = events(tmp_path / "train")
    steps, values = zip(*scalars(train, "batch_loss"))
    assert steps == tuple(range(every, 7, every))
    np.testing.assert_allclose(values, [seen[s - 1] for s in steps], rtol=1e-5)
    assert len(scalars(train, "batch_steps_per_second")) == len(steps)
    assert all(v > 0 for _, v in scalars(train, "epoch_steps_per_second"))


@trains
def test_a_schedules_learning_rate_is_logged_at_each_epoch(tmp_path):
    schedule = optimizers.schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)
    model = small_model(optimizers.SGD(schedule))
    model.fit(X, Y, batch_size=4, epochs=3, verbose=0, callbacks=[TensorBoard(tmp_path)])
    rates = [v for _, v in scalars(events(tmp_path / "train"), "epoch_learning_rate")]
    # 2 batches per epoch: after epoch e the optimizer has run 2 (e + 1) steps
    assert rates == pytest.approx([0.1 * 0.5 ** (e + 1) for e in range(3)], rel=1e-5)


@trains
def test_histograms_images_and_summary(tmp_path):
    model = small_model()
    model.fit(X, Y, batch_size=4, epochs=3, verbose=0,
              callbacks=[TensorBoard(tmp_path, histogram_freq=2, write_images=True)])
    train = events(tmp_path / "train")
    assert {"hidden/kernel/histogram", "hidden/bias/histogram", "out/kernel/histogram",
            "out/bias/histogram"} <= set(train.Tags()["histograms"])
    kernel = model.get_layer("out").kernel.numpy()
    histograms = train.Histograms("out/kernel/histogram")
    assert [h.step for h in histograms] == [0, 2]
    last = histograms[-1].histogram_value
    assert last.num == kernel.size
    assert (last.min, last.max) == pytest.approx((kernel.min(), kernel.max()), rel=1e-5)
    assert last.sum == pytest.approx(kernel.sum(), rel=1e-4, abs=1e-5)
    images = train.Images("hidden/kernel/image")
    assert [i.step for i in images] == [0, 2]
    assert (images[0].width, images[0].height) == (4, 3)  # the (3, 4) kernel as it is
    (summary,) = train.Tensors("model_summary/text_summary")
    text = summary.tensor_proto.string_val[0].decode()
    assert "hidden (Dense)" in text and "Total params" in text


def test_embeddings_for_the_projector(tmp_path):
    x = Input((2,), dtype="int32")
    model = Model(x, layers.Embedding(4, 3, name="words")(x))
    labels = tmp_path / "labels.tsv"
    labels.write_text("word\tcount\nthe\t9\ncat\t3\nsat\t2\non\t5\n")
    board = TensorBoard(tmp_path / "logs", embeddings_freq=1, write_graph=False,
                        embeddings_metadata={"words": str(labels)})
    board.set_model(model)
    board.on_train_begin()
    board.on_epoch_begin(0)
    board.on_epoch_end(0, {"loss": 1.0})
    board.on_train_end()
    config = (tmp_path / "logs" / "train" / "projector_config.pbtxt").read_text()
    assert 'tensor_name: "words:00000"' in config
    (folder,) = [f for f in (tmp_path / "logs" / "train").iterdir() if f.is_dir()]
    rows = np.loadtxt(folder / "words" / "tensors.tsv", delimiter="\t")
    np.testing.assert_allclose(rows, model.get_layer("words").embeddings.numpy(), rtol=1e-5)
    assert (folder / "words" / "metadata.tsv").read_text().splitlines()[:2] == \
        ["word\tcount", "the\t9"]


def test_hooks_by_hand_write_only_the_runs_that_get_values(tmp_path):
    board = TensorBoard(tmp_path, write_graph=False)
    board.set_model(small_model())
    board.on_train_begin()
    board.on_epoch_begin(0)
    board.on_epoch_end(0, {"loss": 0.25, "note": "not a number"})
    board.on_train_end()
    assert os.listdir(tmp_path) == ["train"]
    train = events(tmp_path / "train")
    assert scalars(train, "epoch_loss") == [(0, 0.25)]
    assert "epoch_note" not in train.Tags()["scalars"]


@pytest.mark.parametrize("kwargs, message", [
    ({"profile_batch": 5}, "lamina does not profile batches; profile_batch must be 0. "
                           "Received profile_batch=5"),
    ({"profile_batch": (2, 4)}, "Received profile_batch=\\(2, 4\\)"),
    ({"update_freq": "step"}, "update_freq must be 'epoch', 'batch' or an int >= 1 "
                              "\\(a number of batches\\). Received update_freq='step'"),
    ({"update_freq": 0}, "Received update_freq=0"),
    ({"histogram_freq": -1}, "histogram_freq must be an int >= 0"),
    ({"embeddings_freq": 1.5}, "Received embeddings_freq=1.5"),
])
def test_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message) as error:
        TensorBoard(**kwargs)
    assert str(error.value).startswith("TensorBoard: ")


def test_without_tensorboardx_the_error_says_what_to_install(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "tensorboardX", None)
    with pytest.raises(ImportError, match="pip install tensorboardX"):
        TensorBoard()
