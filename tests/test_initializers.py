"""lamina.initializers: statistics of large draws, fans of dense and conv kernels,
orthogonality, seeds, get() with every identifier kind, config round trips.

Tolerances are about five standard errors of a 73,728-element draw, so the tests
hold for any seed; fixed seeds keep them deterministic. On JAX each new shape of a
random draw compiles (about a second), so every random draw has the shape BIG;
Orthogonal (a NumPy QR decomposition) uses the smaller ORTHO.
"""

import numpy as np
import pytest

import lamina
from lamina import backend as K
from lamina import initializers

CONV = (3, 3, 16, 32)  # fan_in 144, fan_out 288
BIG = (3, 3, 64, 128)  # 73,728 elements; fan_in 576, fan_out 1152
N = float(np.prod(BIG))
ORTHO = (16, 8)


def shape_for(init):
    return ORTHO if isinstance(init, initializers.Orthogonal) else BIG


def to_np(x):
    return np.asarray(K.convert_to_numpy(x))


# -- fans -----------------------------------------------------------------------------
@pytest.mark.parametrize("shape, fans", [
    ((), (1, 1)), ((7,), (7, 7)), ((784, 10), (784, 10)), (CONV, (144, 288)),
    ((5, 4, 6), (20, 30)), ((2, 2, 2, 3, 4), (24, 32))])
def test_compute_fans_dense_and_conv(shape, fans):
    assert initializers.compute_fans(shape) == fans


# -- constants --------------------------------------------------------------------------
def test_zeros_ones_constant_values_and_dtypes():
    z = initializers.Zeros()((2, 3))
    assert K.dtype(z) == K.floatx() and to_np(z).tolist() == [[0.0] * 3] * 2
    o = initializers.Ones()((3,), dtype="int32")
    assert K.dtype(o) == "int32" and to_np(o).tolist() == [1, 1, 1]
    c = initializers.Constant(0.25)((2, 2))
    np.testing.assert_array_equal(to_np(c), np.full((2, 2), 0.25, "float32"))
    assert to_np(initializers.Constant(3)(4)).tolist() == [3.0] * 4  # an int shape


# -- random distributions ------------------------------------------------------------------
def test_random_normal_statistics():
    w = to_np(initializers.RandomNormal(mean=0.5, stddev=0.2, seed=1)(BIG))
    assert w.shape == BIG and w.dtype == np.float32
    assert abs(w.mean() - 0.5) < 5 * 0.2 / N ** 0.5
    assert abs(w.std() - 0.2) < 0.03 * 0.2
    assert w.max() > 0.5 + 3 * 0.2  # not truncated


def test_random_normal_defaults_to_keras_stddev():
    w = to_np(initializers.RandomNormal(seed=2)(BIG))
    assert abs(w.mean()) < 5 * 0.05 / N ** 0.5 and abs(w.std() - 0.05) < 0.03 * 0.05


def test_random_uniform_limits_and_statistics():
    w = to_np(initializers.RandomUniform(minval=-0.3, maxval=0.9, seed=3)(BIG))
    assert w.min() >= -0.3 and w.max() < 0.9
    assert w.min() < -0.29 and w.max() > 0.89
    assert abs(w.mean() - 0.3) < 5 * (1.2 / 12 ** 0.5) / N ** 0.5
    assert abs(w.std() - 1.2 / 12 ** 0.5) < 0.02 * 1.2 / 12 ** 0.5


def test_truncated_normal_stays_within_two_stddevs():
    w = to_np(initializers.TruncatedNormal(mean=1.0, stddev=0.1, seed=4)(BIG))
    assert np.abs(w - 1.0).max() <= 0.2 + 1e-6
    assert abs(w.mean() - 1.0) < 5 * 0.1 / N ** 0.5
    assert abs(w.std() - 0.1 * 0.8796) < 0.03 * 0.1  # std of N(0, 1) truncated at +-2


VARIANCE_SCALING = [
    (initializers.GlorotUniform, 1.0, "fan_avg", "uniform"),
    (initializers.GlorotNormal, 1.0, "fan_avg", "truncated_normal"),
    (initializers.HeUniform, 2.0, "fan_in", "uniform"),
    (initializers.HeNormal, 2.0, "fan_in", "truncated_normal"),
    (initializers.LecunUniform, 1.0, "fan_in", "uniform"),
    (initializers.LecunNormal, 1.0, "fan_in", "truncated_normal"),
]


def _expected_std(shape, scale, mode):
    fan_in, fan_out = initializers.compute_fans(shape)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    return (scale / n) ** 0.5


def _check_variance_scaling(w, shape, scale, mode, distribution):
    std = _expected_std(shape, scale, mode)
    assert w.shape == shape
    assert abs(w.mean()) < 5 * std / np.sqrt(w.size)
    assert abs(w.std() - std) < 0.03 * std
    if distribution == "uniform":
        assert np.abs(w).max() <= np.sqrt(3) * std * (1 + 1e-6)
    elif distribution == "truncated_normal":
        assert np.abs(w).max() <= 2 * std / 0.87962566103423978 * (1 + 1e-6)
    else:
        assert np.abs(w).max() > 3 * std


@pytest.mark.parametrize("cls, scale, mode, distribution", VARIANCE_SCALING,
                         ids=[c[0].__name__ for c in VARIANCE_SCALING])
def test_named_variance_scaling_statistics(cls, scale, mode, distribution):
    w = to_np(cls(seed=5)(BIG))
    _check_variance_scaling(w, BIG, scale, mode, distribution)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
@pytest.mark.parametrize("distribution", ["uniform", "truncated_normal", "untruncated_normal"])
def test_variance_scaling_modes_and_distributions(mode, distribution):
    init = initializers.VarianceScaling(scale=3.0, mode=mode, distribution=distribution, seed=6)
    _check_variance_scaling(to_np(init(BIG)), BIG, 3.0, mode, distribution)


def test_variance_scaling_normal_means_truncated():
    init = initializers.VarianceScaling(distribution="Normal")
    assert init.distribution == "truncated_normal"


@pytest.mark.parametrize("kwargs, word", [
    ({"scale": 0.0}, "scale"), ({"scale": -1.0}, "scale"), ({"mode": "fan_sum"}, "mode"),
    ({"distribution": "cauchy"}, "distribution")])
def test_variance_scaling_rejects_bad_arguments(kwargs, word):
    with pytest.raises(ValueError, match=f"VarianceScaling: {word}.*Received"):
        initializers.VarianceScaling(**kwargs)


def test_bad_seed_is_rejected():
    with pytest.raises(ValueError, match="seed must be None, an int"):
        initializers.RandomNormal(seed="0")


# -- seeds ---------------------------------------------------------------------------------
RANDOM_CLASSES = [initializers.RandomNormal, initializers.RandomUniform,
                  initializers.TruncatedNormal, initializers.GlorotUniform,
                  initializers.HeNormal, initializers.Orthogonal]


@pytest.mark.parametrize("cls", RANDOM_CLASSES, ids=lambda c: c.__name__)
def test_int_seed_repeats_and_none_draws_fresh_values(cls):
    init = cls(seed=11)
    shape = shape_for(init)
    a, b = to_np(init(shape)), to_np(init(shape))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, to_np(cls(seed=11)(shape)))
    assert not np.array_equal(a, to_np(cls(seed=12)(shape)))
    unseeded = cls()
    assert not np.array_equal(to_np(unseeded(shape)), to_np(unseeded(shape)))


@pytest.mark.parametrize("cls", RANDOM_CLASSES, ids=lambda c: c.__name__)
def test_set_random_seed_makes_unseeded_draws_repeatable(cls):
    lamina.utils.set_random_seed(123)
    shape = shape_for(cls())
    a = [to_np(cls()(shape)) for _ in range(2)]
    lamina.utils.set_random_seed(123)
    b = [to_np(cls()(shape)) for _ in range(2)]
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], a[1])


def test_seed_generator_advances():
    init = initializers.RandomNormal(seed=K.SeedGenerator(3))
    assert not np.array_equal(to_np(init(BIG)), to_np(init(BIG)))


# -- orthogonal and identity ------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(64, 32), (32, 64), (48, 48), (3, 3, 4, 8)])
def test_orthogonal_is_orthonormal(shape):
    w = to_np(initializers.Orthogonal(seed=7)(shape))
    assert w.shape == shape and w.dtype == np.float32
    m = w.reshape(-1, shape[-1])
    small = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
    np.testing.assert_allclose(small, np.eye(small.shape[0]), atol=1e-5)


def test_orthogonal_gain_scales():
    w = to_np(initializers.Orthogonal(gain=3.0, seed=8)((20, 10)))
    np.testing.assert_allclose(w.T @ w, 9.0 * np.eye(10), atol=1e-4)


def test_orthogonal_rejects_vectors():
    with pytest.raises(ValueError, match=r"Orthogonal.*two-dimensional.*\(5,\)"):
        initializers.Orthogonal()((5,))


def test_identity():
    np.testing.assert_array_equal(to_np(initializers.Identity()((3, 3))), np.eye(3))
    np.testing.assert_array_equal(to_np(initializers.Identity(gain=0.5)((2, 4))),
                                  0.5 * np.eye(2, 4))
    with pytest.raises(ValueError, match=r"Identity.*2D.*\(2, 2, 2\)"):
        initializers.Identity()((2, 2, 2))


def test_initializer_feeds_a_variable():
    v = K.Variable(lambda: initializers.get("glorot_uniform")(BIG), name="kernel")
    assert v.shape == BIG and v.dtype == K.floatx()


# -- get, serialize ---------------------------------------------------------------------------
ALIASES = {"zeros": "Zeros", "ones": "Ones", "constant": "Constant",
           "random_normal": "RandomNormal", "random_uniform": "RandomUniform",
           "truncated_normal": "TruncatedNormal", "variance_scaling": "VarianceScaling",
           "glorot_uniform": "GlorotUniform", "glorot_normal": "GlorotNormal",
           "he_uniform": "HeUniform", "he_normal": "HeNormal", "lecun_uniform": "LecunUniform",
           "lecun_normal": "LecunNormal", "orthogonal": "Orthogonal", "identity": "Identity"}


@pytest.mark.parametrize("snake, camel", ALIASES.items())
def test_get_by_name_in_both_case_styles(snake, camel):
    cls = getattr(initializers, camel)
    assert getattr(initializers, snake) is cls
    assert type(initializers.get(snake)) is cls
    assert type(initializers.get(camel)) is cls


def test_get_other_identifier_kinds():
    assert initializers.get(None) is None
    init = initializers.HeUniform(seed=1)
    assert initializers.get(init) is init
    assert type(initializers.get(initializers.Zeros)) is initializers.Zeros
    got = initializers.get({"class_name": "RandomUniform", "config": {"minval": 0.0,
                                                                     "maxval": 2.0, "seed": 4}})
    assert isinstance(got, initializers.RandomUniform) and got.maxval == 2.0 and got.seed == 4

    def custom(shape, dtype=None):
        return K.full(shape, 7.0, dtype=dtype)
    assert initializers.get(custom) is custom


def test_get_unknown_name_lists_the_known_names():
    with pytest.raises(ValueError) as info:
        initializers.get("glorot_uniformm")
    message = str(info.value)
    assert "lamina.initializers" in message and "'glorot_uniformm'" in message
    assert "glorot_uniform" in message and "HeNormal" in message


def test_get_rejects_a_non_callable():
    with pytest.raises(ValueError, match=r"initializers.get.*42.*Known names"):
        initializers.get(42)
    with pytest.raises(ValueError, match=r"initializers.deserialize.*class_name"):
        initializers.deserialize({"config": {}})


CONFIGURED = [
    initializers.Zeros(), initializers.Ones(), initializers.Constant(1.5),
    initializers.RandomNormal(0.1, 0.2, seed=1), initializers.RandomUniform(-1, 1, seed=2),
    initializers.TruncatedNormal(0.0, 0.3, seed=3),
    initializers.VarianceScaling(2.0, "fan_out", "uniform", seed=4),
    initializers.GlorotUniform(seed=5), initializers.GlorotNormal(seed=6),
    initializers.HeUniform(seed=7), initializers.HeNormal(), initializers.LecunUniform(seed=9),
    initializers.LecunNormal(seed=10), initializers.Orthogonal(gain=2.0, seed=11),
    initializers.Identity(gain=3.0)]


@pytest.mark.parametrize("init", CONFIGURED, ids=lambda i: type(i).__name__)
def test_config_round_trip(init):
    config = init.get_config()
    rebuilt = type(init).from_config(config)
    assert type(rebuilt) is type(init) and rebuilt.get_config() == config
    again = initializers.deserialize(initializers.serialize(init))
    assert type(again) is type(init) and again.get_config() == config
    if getattr(init, "seed", None) is not None or not hasattr(init, "seed"):
        shape = (3, 3) if isinstance(init, initializers.Identity) else shape_for(init)
        np.testing.assert_array_equal(to_np(init(shape)), to_np(rebuilt(shape)))


def test_named_variance_scaling_config_holds_only_the_seed():
    assert initializers.GlorotUniform(seed=3).get_config() == {"seed": 3}


def test_deserialize_custom_objects():
    class Twos(initializers.Initializer):
        def __call__(self, shape, dtype=None):
            return K.full(shape, 2.0, dtype=dtype)
    got = initializers.deserialize({"class_name": "Twos", "config": {}}, custom_objects={"Twos": Twos})
    assert to_np(got((2,))).tolist() == [2.0, 2.0]
