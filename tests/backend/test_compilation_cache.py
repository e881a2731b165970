"""On JAX, compiled programs are stored under $LAMINA_HOME/jax_cache unless turned off
(lamina.json's compilation_cache, or LAMINA_COMPILATION_CACHE), so that a second run of
a script skips its compiles."""

import json
import os
import subprocess
import sys

import pytest

from lamina import backend as K

pytestmark = pytest.mark.skipif(K.backend() != "jax", reason="the cache is jax's")

SCRIPT = """
import jax, numpy as np
from lamina import Input, Model, layers
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)  # store every program
x = Input((3,)); model = Model(x, layers.Dense(2)(x))
model.predict(np.ones((4, 3), "float32"), verbose=0)
print(jax.config.jax_compilation_cache_dir)
"""


def run(home, **env):
    environ = {k: v for k, v in os.environ.items() if k != "LAMINA_COMPILATION_CACHE"}
    environ.update(LAMINA_BACKEND="jax", LAMINA_HOME=str(home), **env)
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         env=environ, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def test_programs_are_stored_under_lamina_home_by_default(tmp_path):
    folder = tmp_path / "jax_cache"
    assert run(tmp_path) == str(folder)
    assert folder.is_dir() and any(folder.iterdir())


def test_lamina_json_turns_the_cache_off(tmp_path):
    (tmp_path / "lamina.json").write_text(json.dumps({"compilation_cache": False}))
    assert run(tmp_path) == "None"
    assert not (tmp_path / "jax_cache").exists()


def test_the_environment_variable_names_another_folder(tmp_path):
    (tmp_path / "lamina.json").write_text(json.dumps({"compilation_cache": False}))
    folder = tmp_path / "elsewhere"
    assert run(tmp_path, LAMINA_COMPILATION_CACHE=str(folder)) == str(folder)
    assert any(folder.iterdir())
