"""split_dataset and the Dataset class behind every dataset function."""

import numpy as np
import pytest

from lamina import Input, Sequential, layers
from lamina import backend as K
from lamina.utils import PyDataset, set_random_seed, split_dataset
from lamina.utils.dataset_utils import Dataset

needs_training = pytest.mark.skipif(K.backend() == "numpy", reason="numpy cannot train")


def values(dataset):
    return [int(v) for v in dataset]


def test_sizes_as_fractions_counts_or_the_rest():
    left, right = split_dataset(np.arange(10), left_size=0.7)
    assert values(left) == list(range(7)) and values(right) == [7, 8, 9]
    left, right = split_dataset(np.arange(10), right_size=4)
    assert values(left) == list(range(6)) and values(right) == [6, 7, 8, 9]
    left, right = split_dataset(np.arange(10), left_size=2, right_size=0.3)
    assert values(left) == [0, 1] and values(right) == [7, 8, 9]


def test_tuples_of_arrays_split_together_and_shuffle_is_seeded():
    x, y = np.arange(20).reshape(10, 2), np.arange(10)
    left, right = split_dataset((x, y), left_size=0.5, shuffle=True, seed=4)
    pairs = [(a.tolist(), int(b)) for a, b in list(left) + list(right)]
    assert all(a == [2 * b, 2 * b + 1] for a, b in pairs)
    assert sorted(b for _, b in pairs) == list(range(10))
    assert [b for _, b in pairs] != list(range(10))
    again, _ = split_dataset((x, y), left_size=0.5, shuffle=True, seed=4)
    assert [int(b) for _, b in again] == [b for _, b in pairs[:5]]


def test_batched_dataset_splits_stay_batched_and_keep_file_paths():
    data = Dataset(lambda i: np.arange(10)[i], 10, batch_size=4, file_paths=list("abcdefghij"))
    left, right = split_dataset(data, right_size=3)
    assert [b.tolist() for b in left] == [[0, 1, 2, 3], [4, 5, 6]]
    assert right.batch_size == 4 and right[0].tolist() == [7, 8, 9]
    assert right.file_paths == ["h", "i", "j"]


def test_any_pydataset_is_read_into_arrays():
    class Pairs(PyDataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return np.full((2, 1), i), np.array([i, i])

    left, right = split_dataset(Pairs(), left_size=4)
    assert left.batch_size == 2
    assert [y.tolist() for _, y in left] == [[0, 0], [1, 1]]
    assert [y.tolist() for _, y in right] == [[2, 2]]


@pytest.mark.parametrize("kwargs, error, match", [
    ({}, ValueError, "give `left_size` or `right_size`"),
    (dict(left_size=1.5), ValueError, "`left_size` is a fraction .* received left_size=1.5"),
    (dict(right_size=10), ValueError, "`right_size` .* between 1 and 9 .* received "
                                      "right_size=10"),
    (dict(left_size="half"), TypeError, "`left_size` must be an int, a float or None"),
    (dict(left_size=6, right_size=6), ValueError, "left_size \\+ right_size = 12 samples"),
    (dict(left_size=0.01), ValueError, "leave one side empty"),
    (dict(left_size=5, seed=1.5), ValueError, "`seed` must be None or an int"),
])
def test_bad_sizes_name_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        split_dataset(np.arange(10), **kwargs)


def test_dataset_needs_arrays():
    with pytest.raises(TypeError, match="`dataset` must be an array, a tuple of arrays"):
        split_dataset({"a": 1}, left_size=1)
    with pytest.raises(ValueError, match="same length; received lengths \\[2, 3\\]"):
        split_dataset((np.zeros(2), np.zeros(3)), left_size=1)


def test_dataset_batch_unbatch_map_and_indexing():
    data = Dataset.from_arrays((np.arange(5), np.arange(5) * 2.0), batch_size=2)
    assert len(data) == 3 and data[-1][0].tolist() == [4]
    with pytest.raises(IndexError, match="index 3 is out of range for 3 elements"):
        data[3]
    doubled = data.unbatch().map(lambda x, y: (x + 100, y))
    assert [int(x) for x, _ in doubled] == [100, 101, 102, 103, 104]
    assert doubled.batch(5)[0][0].tolist() == [100, 101, 102, 103, 104]
    with pytest.raises(ValueError, match="`batch_size` must be None or an int >= 1; received 0"):
        data.batch(0)


def test_take_keeps_the_first_elements_of_the_current_order():
    data = Dataset.from_arrays((np.arange(10), np.arange(10) * 2), batch_size=3, shuffle=True,
                               seed=2)
    taken = data.take(2)
    assert len(taken) == 2
    batches = list(taken)
    assert [x.tolist() for x, _ in batches] == [data[0][0].tolist(), data[1][0].tolist()]
    assert all((y == 2 * x).all() for x, y in batches)
    assert len(data.take(10)) == 4 and len(data.unbatch().take(3)) == 3
    with pytest.raises(ValueError, match="`count` must be an int >= 0; received -1"):
        data.take(-1)


def test_shuffled_dataset_changes_order_each_pass_reproducibly():
    def two_passes(seed):
        data = Dataset.from_arrays(np.arange(8), batch_size=3, shuffle=True, seed=seed)
        return [np.concatenate(list(data)).tolist() for _ in range(2)]
    first, second = two_passes(5)
    assert sorted(first) == sorted(second) == list(range(8))
    assert first != second and first != list(range(8))
    assert two_passes(5) == [first, second]
    assert two_passes(6) != [first, second]


@needs_training
def test_fit_trains_on_split_datasets():
    set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = (x @ np.array([1.0, -2.0, 0.5], "float32"))[:, None]
    train, validation = split_dataset((x, y), left_size=0.75, shuffle=True, seed=1)
    model = Sequential([Input((3,)), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(train.batch(16), validation_data=validation.batch(16), epochs=5,
                        verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert len(history.history["val_loss"]) == 5
