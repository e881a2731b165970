"""The same seed gives the same initial weights on every engine.

Eager draws (initializers, random functions called outside a compiled step) come
from one reference generator on jax, torch and numpy. Each engine's run builds the
models below in its own process and compares them with the numpy engine's, built
in a subprocess: one subprocess per run, and the jax and torch runs together check
all three engines against one another (the numpy run checks that a fresh process
gives the same numbers).

Run as a script, this file writes the numpy engine's weights to the file named by
its argument.
"""

import os
import subprocess
import sys

import numpy as np
import pytest

from lamina import Input, Model, Sequential, initializers, layers
from lamina import backend as K
from lamina import random
from lamina.utils import set_random_seed

SEEDED = {
    "glorot_uniform": initializers.GlorotUniform(seed=3),
    "he_normal": initializers.HeNormal(seed=4),
    "truncated_normal": initializers.TruncatedNormal(stddev=0.5, seed=5),
    "orthogonal": initializers.Orthogonal(seed=6),
    "random_uniform": initializers.RandomUniform(-1.0, 1.0, seed=7),
    "random_normal": initializers.RandomNormal(stddev=2.0, seed=8),
}


def initial_weights():
    """Every array a user would compare: models built after ``set_random_seed(0)``
    (unseeded initializers), seeded initializers, and eager random calls."""
    set_random_seed(0)
    cnn = Sequential([Input((6, 6, 2)), layers.Conv2D(3, 3), layers.Flatten(),
                      layers.Dense(4, kernel_initializer="he_normal")], name="cnn")
    tokens = Input((5,), dtype="int32")
    hidden = layers.LSTM(4)(layers.Embedding(10, 3)(tokens))  # orthogonal recurrent kernel
    rnn = Model(tokens, layers.Dense(2, kernel_initializer="lecun_normal")(hidden), name="rnn")
    out = {f"{model.name}/{i}": w for model in (cnn, rnn)
           for i, w in enumerate(model.get_weights())}
    out.update({f"seeded/{name}": init((7, 5)) for name, init in SEEDED.items()})
    out.update({f"unseeded/{name}": type(init)()((4, 3)) for name, init in SEEDED.items()})
    out["eager/normal"] = random.normal((3, 2))
    out["eager/random_normal"] = K.random_normal((3,), seed=9)
    out["eager/shuffle"] = random.shuffle(K.arange(8), seed=1)
    out["eager/categorical"] = random.categorical(K.zeros((2, 4)), 5, seed=2)
    return {name: np.asarray(K.convert_to_numpy(value)) for name, value in out.items()}


@pytest.fixture(scope="module")
def numpy_engine_weights(tmp_path_factory):
    path = tmp_path_factory.mktemp("initial_weights") / "numpy.npz"
    env = dict(os.environ, LAMINA_BACKEND="numpy")
    proc = subprocess.run([sys.executable, __file__, str(path)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    with np.load(path) as saved:
        return dict(saved)


def test_set_random_seed_and_seeded_initializers_give_the_numpy_engines_weights(
        numpy_engine_weights):
    weights = initial_weights()
    assert sorted(weights) == sorted(numpy_engine_weights)
    for name, expected in numpy_engine_weights.items():
        assert weights[name].shape == expected.shape, name
        np.testing.assert_allclose(weights[name], expected, rtol=1e-6, atol=1e-7,
                                   err_msg=f"{name} on {K.backend()} against numpy")


def test_the_compared_weights_differ_from_one_draw_to_the_next(numpy_engine_weights):
    """The comparison above could not pass by accident: distinct draws differ."""
    draws = [numpy_engine_weights[f"seeded/{name}"] for name in SEEDED]
    unseeded = [numpy_engine_weights[f"unseeded/{name}"] for name in SEEDED]
    assert all(np.std(d) > 0 for d in draws + unseeded)
    assert not np.allclose(numpy_engine_weights["cnn/0"].ravel()[:4],
                           numpy_engine_weights["cnn/2"].ravel()[:4])


if __name__ == "__main__":
    np.savez(sys.argv[1], **initial_weights())
