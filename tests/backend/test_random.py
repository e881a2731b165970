"""K.random: distributions (statistics on 10,000 samples), seeds, dtypes, and on JAX
draws inside jax.jit with the SeedGenerator's state bound by a VariableScope.

Tolerances are about five standard errors, so the tests hold for any seed; fixed
seeds keep them deterministic. On JAX the first draw of each shape compiles (for
categorical and binomial: seconds), so the tests reuse a few shapes.
"""

import numpy as np
import pytest

from lamina import backend as K

R = K.random
N = 10_000
ENGINE = K.backend()


def to_np(x):
    return np.asarray(K.convert_to_numpy(x))


def se(std, n=N):
    """Five standard errors of a mean of ``n`` samples with standard deviation ``std``."""
    return 5 * std / np.sqrt(n)


# -- distributions --------------------------------------------------------------
def test_normal_mean_and_stddev():
    x = to_np(R.normal((N,), mean=2.0, stddev=3.0, seed=1))
    assert x.shape == (N,) and x.dtype == np.float32
    assert abs(x.mean() - 2.0) < se(3.0)
    assert abs(x.std() - 3.0) < 0.1
    assert x.min() < 2.0 - 3 * 3.0 and x.max() > 2.0 + 3 * 3.0  # tails are not cut


def test_normal_standard_defaults():
    x = to_np(R.normal((100, 100), seed=2))
    assert x.shape == (100, 100)
    assert abs(x.mean()) < se(1.0) and abs(x.std() - 1.0) < 0.04


def test_uniform_range_mean_and_flatness():
    x = to_np(R.uniform((N,), minval=2.0, maxval=5.0, seed=3))
    assert x.min() >= 2.0 and x.max() < 5.0
    assert abs(x.mean() - 3.5) < se(3.0 / np.sqrt(12))
    counts, _ = np.histogram(x, bins=10, range=(2.0, 5.0))
    assert np.all(np.abs(counts - N / 10) < 5 * np.sqrt(N / 10))


def test_uniform_default_is_unit_interval():
    x = to_np(R.uniform((N,), seed=4))
    assert x.min() >= 0.0 and x.max() < 1.0 and abs(x.mean() - 0.5) < se(0.29)


def test_truncated_normal_is_cut_at_two_stddevs():
    x = to_np(R.truncated_normal((N,), mean=1.0, stddev=0.5, seed=5))
    assert x.min() >= 0.0 and x.max() <= 2.0
    assert abs(x.mean() - 1.0) < se(0.5)
    # a standard normal truncated to [-2, 2] has standard deviation 0.8796
    assert abs(x.std() - 0.5 * 0.8796) < 0.02
    assert x.min() < 0.1 and x.max() > 1.9  # reaches close to both cuts


def test_bernoulli_frequency_and_values():
    x = to_np(R.bernoulli((N,), p=0.3, seed=6))
    assert set(np.unique(x).tolist()) == {0.0, 1.0}
    assert x.dtype == np.float32
    assert abs(x.mean() - 0.3) < se(np.sqrt(0.3 * 0.7))


def test_bernoulli_with_per_element_probabilities():
    p = np.array([0.0, 0.2, 1.0], dtype="float32")
    x = to_np(R.bernoulli((N, 3), p=K.convert_to_tensor(p), seed=7))
    assert x[:, 0].max() == 0.0 and x[:, 2].min() == 1.0
    assert abs(x[:, 1].mean() - 0.2) < se(0.4)


def test_binomial_mean_variance_and_range():
    x = to_np(R.binomial((N,), counts=10, probabilities=0.25, seed=8))
    assert x.min() >= 0 and x.max() <= 10 and np.all(x == np.round(x))
    assert abs(x.mean() - 2.5) < se(np.sqrt(1.875))
    assert abs(x.var() - 1.875) < 0.15


def test_randint_range_and_uniformity():
    x = to_np(R.randint((N,), minval=-3, maxval=4, seed=9))
    assert x.dtype == np.int32
    values, counts = np.unique(x, return_counts=True)
    assert values.tolist() == list(range(-3, 4))  # maxval is excluded, every value appears
    assert np.all(np.abs(counts - N / 7) < 5 * np.sqrt(N / 7))


def test_categorical_frequencies_follow_the_logits():
    probs = np.array([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]])
    with np.errstate(divide="ignore"):
        logits = np.log(probs).astype("float32")
    logits[1, 2] = -1e9
    x = to_np(R.categorical(K.convert_to_tensor(logits), N, seed=10))
    assert x.shape == (2, N) and x.dtype == np.int32
    for row in range(2):
        freq = np.bincount(x[row], minlength=3) / N
        assert np.all(np.abs(freq - probs[row]) < 0.025), freq
    assert 2 not in x[1]


def test_shuffle_is_a_permutation():
    x = to_np(R.shuffle(K.convert_to_tensor(np.arange(N)), seed=11))
    assert sorted(x.tolist()) == list(range(N))
    assert (x != np.arange(N)).mean() > 0.99


def test_shuffle_along_an_axis_moves_whole_slices():
    data = np.arange(12.0, dtype="float32").reshape(3, 4)
    rows = to_np(R.shuffle(K.convert_to_tensor(data), axis=0, seed=12))
    assert sorted(map(tuple, rows.tolist())) == sorted(map(tuple, data.tolist()))
    cols = to_np(R.shuffle(K.convert_to_tensor(data), axis=1, seed=12))
    assert sorted(map(tuple, cols.T.tolist())) == sorted(map(tuple, data.T.tolist()))


def test_dropout_zeroes_the_rate_and_rescales_the_rest():
    y = to_np(R.dropout(K.ones((N,)), 0.3, seed=13))
    kept = y != 0
    assert abs((~kept).mean() - 0.3) < se(np.sqrt(0.21))
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    assert abs(y.mean() - 1.0) < 0.04  # the expected value is kept


def test_dropout_noise_shape_drops_whole_rows():
    y = to_np(R.dropout(K.ones((1000, 20)), 0.5, noise_shape=(None, 1), seed=14))
    row_kept = y[:, 0] != 0
    np.testing.assert_array_equal(y, np.where(row_kept[:, None], 2.0, 0.0) * np.ones((1, 20)))
    assert 0.4 < row_kept.mean() < 0.6


def test_dropout_rate_zero_returns_inputs_and_bad_rates_raise():
    x = K.ones((5,))
    np.testing.assert_array_equal(to_np(R.dropout(x, 0.0)), np.ones(5))
    for rate in (1.0, -0.1):
        with pytest.raises(ValueError, match="rate"):
            R.dropout(x, rate)


# -- seeds ------------------------------------------------------------------------
DRAWS = {
    "normal": lambda seed: R.normal((20,), seed=seed),
    "uniform": lambda seed: R.uniform((20,), seed=seed),
    "truncated_normal": lambda seed: R.truncated_normal((20,), seed=seed),
    "bernoulli": lambda seed: R.bernoulli((50,), 0.5, seed=seed),
    "binomial": lambda seed: R.binomial((N,), 10, 0.5, seed=seed),
    "randint": lambda seed: R.randint((50,), 0, 1000, seed=seed),
    "categorical": lambda seed: R.categorical(K.zeros((2, 3)), N, seed=seed),
    "shuffle": lambda seed: R.shuffle(K.convert_to_tensor(np.arange(50)), seed=seed),
    "dropout": lambda seed: R.dropout(K.ones((50,)), 0.5, seed=seed),
}


@pytest.mark.parametrize("kind", sorted(DRAWS))
def test_int_seed_gives_the_same_numbers_every_call(kind):
    draw = DRAWS[kind]
    np.testing.assert_array_equal(to_np(draw(123)), to_np(draw(123)))
    assert not np.array_equal(to_np(draw(123)), to_np(draw(456)))


@pytest.mark.parametrize("kind", sorted(DRAWS))
def test_seed_generator_advances_and_repeats_for_the_same_seed(kind):
    draw = DRAWS[kind]
    gen = R.SeedGenerator(77)
    first, second = to_np(draw(gen)), to_np(draw(gen))
    assert not np.array_equal(first, second)
    again = R.SeedGenerator(77)
    np.testing.assert_array_equal(to_np(draw(again)), first)
    np.testing.assert_array_equal(to_np(draw(again)), second)


def test_seed_generator_state_counts_draws():
    gen = R.SeedGenerator(9)
    assert to_np(gen.state).tolist() == [9, 0]
    R.normal((3,), seed=gen)
    R.uniform((3,), seed=gen)
    assert to_np(gen.state).tolist() == [9, 2]


def test_unseeded_draws_differ_and_set_seed_makes_them_repeat():
    a, b = to_np(R.normal((20,))), to_np(R.normal((20,)))
    assert not np.array_equal(a, b)
    R.set_seed(2024)
    first = [to_np(R.normal((20,))), to_np(R.randint((20,), 0, 100))]
    R.set_seed(2024)
    second = [to_np(R.normal((20,))), to_np(R.randint((20,), 0, 100))]
    for x, y in zip(first, second):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(first[0], to_np(R.normal((20,))))


def test_seed_generator_without_seed_follows_set_seed():
    R.set_seed(5)
    a = to_np(R.normal((10,), seed=R.SeedGenerator()))
    R.set_seed(5)
    b = to_np(R.normal((10,), seed=R.SeedGenerator()))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("seed", ["1", 1.5, True])
def test_bad_seed_raises_type_error(seed):
    with pytest.raises(TypeError, match="seed"):
        R.normal((2,), seed=seed)
    with pytest.raises(TypeError, match="seed"):
        R.SeedGenerator(seed)


# -- dtypes and shapes --------------------------------------------------------------
FLOATS = ["float16", "float32", "float64"] + ([] if ENGINE == "numpy" else ["bfloat16"])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("kind", ["normal", "uniform", "truncated_normal", "bernoulli"])
def test_float_dtype_argument(kind, dtype):
    draw = getattr(R, kind)
    x = draw((1000,), dtype=dtype, seed=1)
    assert K.standardize_dtype(K.convert_to_numpy(x).dtype) == dtype
    values = to_np(x).astype("float64")
    assert np.all(np.isfinite(values)) and values.std() > 0.1


@pytest.mark.parametrize("dtype", ["int32", "int64", "int16", "uint8", "float32"])
def test_randint_dtype_argument(dtype):
    x = to_np(R.randint((1000,), 0, 100, dtype=dtype, seed=2))
    assert str(x.dtype) == dtype
    assert x.min() >= 0 and x.max() < 100


def test_categorical_and_binomial_dtype_arguments():
    assert str(to_np(R.categorical(K.zeros((2, 3)), N, dtype="int64", seed=1)).dtype) == "int64"
    x = to_np(R.binomial((N,), 5, 0.5, dtype="int32", seed=1))
    assert str(x.dtype) == "int32" and x.max() <= 5


def test_default_float_dtype_follows_floatx():
    K.set_floatx("float64")
    try:
        assert str(to_np(R.normal((3,), seed=1)).dtype) == "float64"
        assert str(to_np(R.uniform((3,), seed=1)).dtype) == "float64"
    finally:
        K.set_floatx("float32")
    assert str(to_np(R.normal((3,), seed=1)).dtype) == "float32"


def test_int_shape_and_empty_shape():
    assert to_np(R.normal(5, seed=1)).shape == (5,)
    assert to_np(R.uniform((2, 0, 3), seed=1)).shape == (2, 0, 3)


def test_variables_are_accepted_as_arguments():
    v = K.Variable(np.arange(10.0))
    shuffled = to_np(R.shuffle(v, seed=1))
    assert sorted(shuffled.tolist()) == list(range(10))
    assert to_np(R.categorical(K.Variable(np.zeros((2, 3))), N, seed=1)).shape == (2, N)
    p = to_np(R.bernoulli((N,), K.Variable(0.25), seed=1))
    assert abs(p.mean() - 0.25) < se(np.sqrt(0.25 * 0.75))
    assert to_np(R.dropout(K.Variable(np.ones(100)), 0.5, seed=1)).shape == (100,)


def test_symbolic_shape_records_a_node():
    x = K.Input((3,))
    mask = R.bernoulli(K.shape(x), 0.5)
    assert isinstance(mask, K.SymbolicTensor)
    assert tuple(mask.shape) == (None, 3)
    dropped = R.dropout(x, 0.5)
    assert tuple(dropped.shape) == (None, 3)


# -- JAX: draws inside jax.jit ------------------------------------------------------------
@pytest.mark.skipif(ENGINE != "jax", reason="jax.jit needs the jax engine")
def test_seed_generator_state_bound_inside_jax_jit():
    import jax

    gen = R.SeedGenerator(31)
    eager_first = to_np(R.normal((8,), seed=R.SeedGenerator(31)))

    @jax.jit
    def step(state):
        with K.VariableScope({gen.state: state}) as scope:
            x = R.normal((8,), seed=gen)
            mask = R.bernoulli((8,), 0.5, seed=gen)
        assigned = [v for v in scope.assigned if v is gen.state]
        return x, mask, scope.values[gen.state], len(assigned)

    x1, m1, state1, n_assigned = step(gen.state.value)
    x2, m2, state2, _ = step(state1)
    assert int(n_assigned) == 1  # the scope collected the advanced state
    assert to_np(state1).tolist() == [31, 2] and to_np(state2).tolist() == [31, 4]
    assert not np.array_equal(to_np(x1), to_np(x2))
    assert x1.shape == eager_first.shape  # eager draws come from NumPy, traced from jax.random
    np.testing.assert_array_equal(to_np(step(state1)[0]), to_np(x2))  # state decides
    assert to_np(gen.state).tolist() == [31, 0]  # the stored state is untouched
    assert step._cache_size() == 1  # one compilation for every state


@pytest.mark.skipif(ENGINE != "jax", reason="eager JAX draws come from NumPy")
def test_eager_jax_draws_are_the_numpy_engines_numbers_for_the_same_seed():
    from lamina.backend.numpy import random as numpy_random

    drawn = to_np(R.normal((4, 3), seed=11))
    expected = numpy_random.random_draw("normal", (4, 3), "float32",
                                        np.array([11, 0]), mean=0.0, stddev=1.0)
    np.testing.assert_array_equal(drawn, expected)
