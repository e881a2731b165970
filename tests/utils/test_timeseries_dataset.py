"""timeseries_dataset_from_array: Keras' window positions, targets, batching, shuffling."""

import numpy as np
import pytest

import lamina
from lamina import Input, Sequential, layers
from lamina import backend as K
from lamina.utils import set_random_seed, timeseries_dataset_from_array

needs_training = pytest.mark.skipif(K.backend() == "numpy", reason="numpy cannot train")


def windows(dataset):
    return [w.tolist() for w in dataset]


def test_windows_and_targets_batched():
    data = timeseries_dataset_from_array(np.arange(10), np.arange(10) * 10, sequence_length=4,
                                         batch_size=3)
    assert len(data) == 3  # 7 windows
    x, y = data[0]
    assert x.tolist() == [[0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5]]
    assert y.tolist() == [0, 10, 20]
    x, y = data[2]
    assert x.tolist() == [[6, 7, 8, 9]] and y.tolist() == [60]


def test_keras_forecasting_pattern_pairs_each_window_with_the_next_step():
    data = np.arange(20)
    dataset = timeseries_dataset_from_array(data[:-5], data[5:], sequence_length=5,
                                            batch_size=None)
    pairs = [(x.tolist(), int(y)) for x, y in dataset]
    assert pairs[0] == ([0, 1, 2, 3, 4], 5) and pairs[-1] == ([10, 11, 12, 13, 14], 15)
    assert len(pairs) == 11


def test_stride_sampling_rate_and_index_bounds():
    out = timeseries_dataset_from_array(np.arange(12), None, sequence_length=3,
                                        sequence_stride=2, sampling_rate=2, batch_size=None,
                                        start_index=1, end_index=11)
    assert windows(out) == [[1, 3, 5], [3, 5, 7], [5, 7, 9]]
    targets = timeseries_dataset_from_array(np.arange(8), np.arange(100, 108), 2,
                                            batch_size=None, start_index=5)
    assert [(x.tolist(), int(y)) for x, y in targets] == [([5, 6], 105), ([6, 7], 106)]


def test_multivariate_data_keeps_its_feature_axes():
    data = np.arange(24, dtype="float32").reshape(12, 2)
    x = timeseries_dataset_from_array(data, None, sequence_length=5, batch_size=4)[0]
    assert x.shape == (4, 5, 2) and x.dtype == np.float32
    np.testing.assert_array_equal(x[1], data[1:6])


def test_shuffle_changes_order_each_epoch_reproducibly_and_keeps_pairs():
    def epochs(seed):
        dataset = timeseries_dataset_from_array(np.arange(30), np.arange(30), 3,
                                                batch_size=None, shuffle=True, seed=seed)
        return [[(int(x[0]), int(y)) for x, y in dataset] for _ in range(2)]
    first, second = epochs(3)
    assert all(start == target for start, target in first)
    assert sorted(first) == [(i, i) for i in range(28)]
    assert first != sorted(first) and first != second
    assert epochs(3) == [first, second]


@pytest.mark.parametrize("kwargs, match", [
    (dict(sequence_length=0), "`sequence_length` must be an int >= 1; received "
                              "sequence_length=0"),
    (dict(sequence_stride=0), "`sequence_stride` must be an int >= 1"),
    (dict(sampling_rate=-1), "`sampling_rate` must be an int >= 1"),
    (dict(start_index=10), r"`start_index` must be an int in \[0, 10\)"),
    (dict(start_index=4, end_index=3), "`end_index` must be an int greater than "
                                       "start_index=4"),
    (dict(end_index=11), "`end_index` .* at most the data length 10"),
    (dict(sequence_length=11), "spans 11 timesteps, more than the 10 timesteps"),
    (dict(batch_size=0), "`batch_size` must be None or an int >= 1"),
    (dict(shuffle=True, seed="a"), "`seed` must be None or an int"),
])
def test_bad_arguments_name_the_argument(kwargs, match):
    kwargs = {"sequence_length": 3, **kwargs}
    with pytest.raises(ValueError, match=match):
        timeseries_dataset_from_array(np.arange(10), None, **kwargs)


def test_exported_under_preprocessing():
    assert lamina.preprocessing.timeseries_dataset_from_array is timeseries_dataset_from_array


@needs_training
def test_fit_evaluate_and_predict_take_the_dataset():
    set_random_seed(0)
    series = np.sin(np.arange(200) * 0.3).astype("float32")[:, None]
    dataset = timeseries_dataset_from_array(series[:-4], series[4:, 0], sequence_length=4,
                                            batch_size=32, shuffle=True, seed=0)
    model = Sequential([Input((4, 1)), layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(dataset, epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert np.isfinite(model.evaluate(dataset, verbose=0))
    assert model.predict(dataset, verbose=0).shape == (dataset.num_samples, 1)
