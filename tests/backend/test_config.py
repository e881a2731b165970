"""Engine selection (LAMINA_BACKEND, lamina.json, the first installed engine), its
errors, and the global settings floatx / epsilon / image_data_format.

lamina chooses its engine once, at import, so every selection test runs a fresh
Python in a subprocess with its own environment and its own LAMINA_HOME.
"""

import importlib.util
import json
import os
import subprocess
import sys
import textwrap

import pytest

from lamina import backend as K

ENGINES = ("jax", "torch", "numpy")
INSTALLED = [e for e in ENGINES if importlib.util.find_spec(e) is not None]

# Makes the named engines look uninstalled inside the subprocess: find_spec says None
# and importing them fails, as it would without the package.
HIDE = textwrap.dedent("""
    import importlib.util, sys
    _hidden = set({hidden!r})
    _find_spec = importlib.util.find_spec
    def _find_spec_hiding(name, package=None):
        if name.split(".")[0] in _hidden:
            return None
        return _find_spec(name, package)
    importlib.util.find_spec = _find_spec_hiding
    class _Hide:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in _hidden:
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
            return None
    sys.meta_path.insert(0, _Hide())
""")


def run_python(code, home, backend=None, hidden=()):
    """Run ``code`` in a fresh Python with LAMINA_HOME=home and LAMINA_BACKEND=backend."""
    env = dict(os.environ, LAMINA_HOME=str(home))
    env.pop("LAMINA_BACKEND", None)
    if backend is not None:
        env["LAMINA_BACKEND"] = backend
    if hidden:
        code = HIDE.format(hidden=tuple(hidden)) + code
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=300)


def write_config(home, **settings):
    (home / "lamina.json").write_text(json.dumps(settings))


PRINT_BACKEND = "from lamina import backend as K; print(K.backend())"


def last_line(proc):
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1]


def error_text(proc):
    assert proc.returncode != 0, proc.stdout
    return proc.stderr.strip().splitlines()[-1]


def needs(engine):
    return pytest.mark.skipif(engine not in INSTALLED, reason=f"{engine} is not installed")


# -- choosing the engine ---------------------------------------------------------
@pytest.mark.parametrize("engine", [pytest.param(e, marks=needs(e)) for e in ENGINES])
def test_lamina_backend_variable_selects_the_engine(engine, tmp_path):
    code = ("from lamina import backend as K; import numpy as np; "
            "print(K.backend(), K.engine.name, "
            "type(K.convert_to_tensor(np.ones(2, 'float32'))).__module__.split('.')[0])")
    out = last_line(run_python(code, tmp_path, backend=engine)).split()
    assert out[:2] == [engine, engine]
    library = {"jax": "jaxlib", "torch": "torch", "numpy": "numpy"}[engine]
    assert out[2] in (library, engine)  # the tensors are the engine library's own


def test_without_settings_the_first_installed_engine_is_used(tmp_path):
    assert last_line(run_python(PRINT_BACKEND, tmp_path)) == INSTALLED[0]


@needs("numpy")
def test_hidden_engines_are_skipped_in_the_default_order(tmp_path):
    assert last_line(run_python(PRINT_BACKEND, tmp_path, hidden=("jax", "torch"))) == "numpy"
    if "torch" in INSTALLED:
        assert last_line(run_python(PRINT_BACKEND, tmp_path, hidden=("jax",))) == "torch"


def test_engine_name_is_case_and_space_insensitive(tmp_path):
    assert last_line(run_python(PRINT_BACKEND, tmp_path, backend=" NumPy ")) == "numpy"


def test_unknown_engine_name_raises_value_error_listing_the_engines(tmp_path):
    proc = run_python(PRINT_BACKEND, tmp_path, backend="tensorflow")
    message = error_text(proc)
    assert message.startswith("ValueError")
    assert "'tensorflow'" in message and "LAMINA_BACKEND" in message
    for engine in ENGINES:
        assert engine in message


@pytest.mark.parametrize("engine", ["torch", "jax"])
def test_engine_not_installed_raises_import_error_with_pip_command(engine, tmp_path):
    proc = run_python(PRINT_BACKEND, tmp_path, backend=engine, hidden=(engine,))
    message = error_text(proc)
    assert message.startswith("ImportError")
    assert f"'{engine}'" in message and "not installed" in message
    assert "pip install" in message and engine in message.split("pip install", 1)[1]


def test_no_engine_installed_raises_import_error(tmp_path):
    proc = run_python(PRINT_BACKEND, tmp_path, hidden=ENGINES)
    message = error_text(proc)
    assert message.startswith("ImportError") and "pip install" in message


# -- lamina.json -----------------------------------------------------------------
def test_config_file_selects_engine_and_settings(tmp_path):
    engine = INSTALLED[-1]
    write_config(tmp_path, backend=engine, floatx="float64", epsilon=1e-4,
                 image_data_format="channels_first")
    code = ("from lamina import backend as K; "
            "print(K.backend(), K.floatx(), K.epsilon(), K.image_data_format(), "
            "K.Variable([0.5]).dtype)")
    out = last_line(run_python(code, tmp_path)).split()
    assert out == [engine, "float64", "0.0001", "channels_first", "float64"]


def test_environment_variable_wins_over_config_file(tmp_path):
    write_config(tmp_path, backend="jax", floatx="float16")
    code = "from lamina import backend as K; print(K.backend(), K.floatx())"
    assert last_line(run_python(code, tmp_path, backend="numpy")).split() == ["numpy", "float16"]


def test_unknown_engine_in_config_file_names_the_file(tmp_path):
    write_config(tmp_path, backend="theano")
    message = error_text(run_python(PRINT_BACKEND, tmp_path))
    assert message.startswith("ValueError")
    assert "'theano'" in message and "lamina.json" in message
    for engine in ENGINES:
        assert engine in message


def test_config_file_engine_not_installed_raises_import_error(tmp_path):
    write_config(tmp_path, backend="torch")
    message = error_text(run_python(PRINT_BACKEND, tmp_path, hidden=("torch",)))
    assert message.startswith("ImportError") and "pip install" in message
    assert "lamina.json" in message


def test_malformed_config_file_gives_an_error_naming_the_file(tmp_path):
    (tmp_path / "lamina.json").write_text('{"backend": "numpy",')
    message = error_text(run_python(PRINT_BACKEND, tmp_path))
    assert message.startswith("ValueError")
    assert str(tmp_path / "lamina.json") in message


def test_config_file_must_hold_an_object(tmp_path):
    (tmp_path / "lamina.json").write_text('["numpy"]')
    message = error_text(run_python(PRINT_BACKEND, tmp_path))
    assert message.startswith("ValueError")
    assert "lamina.json" in message and "object" in message and "list" in message


def test_invalid_setting_in_config_file_is_rejected(tmp_path):
    write_config(tmp_path, backend="numpy", floatx="float99")
    message = error_text(run_python(PRINT_BACKEND, tmp_path))
    assert message.startswith("ValueError")
    assert "floatx" in message and "'float99'" in message


# -- importing ------------------------------------------------------------------
@needs("numpy")
def test_numpy_engine_does_not_import_jax_or_torch(tmp_path):
    code = ("import sys, lamina; from lamina import backend as K; "
            "K.add(K.ones((2,)), 1.0); "
            "print(K.backend(), sorted(m for m in ('jax', 'torch') if m in sys.modules))")
    assert last_line(run_python(code, tmp_path, backend="numpy")) == "numpy []"


@needs("numpy")
def test_import_lamina_works_with_only_numpy_installed(tmp_path):
    code = "import lamina; from lamina import backend as K; print(K.backend())"
    assert last_line(run_python(code, tmp_path, hidden=("jax", "torch"))) == "numpy"


# -- settings (in this process) ---------------------------------------------------
@pytest.fixture
def restore_settings():
    saved = K.floatx(), K.epsilon(), K.image_data_format()
    yield
    K.set_floatx(saved[0])
    K.set_epsilon(saved[1])
    K.set_image_data_format(saved[2])


def test_default_settings():
    assert K.floatx() == "float32"
    assert K.epsilon() == 1e-7
    assert K.image_data_format() == "channels_last"


@pytest.mark.parametrize("value", ["float16", "bfloat16", "float32", "float64"])
def test_set_floatx(value, restore_settings):
    K.set_floatx(value)
    assert K.floatx() == value


def test_floatx_is_the_dtype_of_new_float_tensors_and_variables(restore_settings):
    K.set_floatx("float64")
    assert K.Variable([1.0, 2.0]).dtype == "float64"
    assert str(K.convert_to_numpy(K.convert_to_tensor([1.5])).dtype) == "float64"
    K.set_floatx("float32")
    assert K.Variable([1.0, 2.0]).dtype == "float32"
    assert str(K.convert_to_numpy(K.convert_to_tensor([1.5])).dtype) == "float32"


@pytest.mark.parametrize("value", ["int32", "float", "float128", None])
def test_set_floatx_rejects_non_float_types(value, restore_settings):
    with pytest.raises(ValueError, match="float16.*float64"):
        K.set_floatx(value)
    assert K.floatx() == "float32"


def test_set_epsilon(restore_settings):
    K.set_epsilon(1e-5)
    assert K.epsilon() == 1e-5
    K.set_epsilon(0)
    assert K.epsilon() == 0.0


@pytest.mark.parametrize("value", [-1e-3, "1e-7", True, None])
def test_set_epsilon_rejects_bad_values(value, restore_settings):
    with pytest.raises(ValueError, match="non-negative number"):
        K.set_epsilon(value)
    assert K.epsilon() == 1e-7


def test_set_image_data_format(restore_settings):
    K.set_image_data_format("channels_first")
    assert K.image_data_format() == "channels_first"
    K.set_image_data_format("channels_last")
    assert K.image_data_format() == "channels_last"


@pytest.mark.parametrize("value", ["channels_middle", "NHWC", None])
def test_set_image_data_format_rejects_unknown_formats(value, restore_settings):
    with pytest.raises(ValueError, match="channels_last.*channels_first"):
        K.set_image_data_format(value)
    assert K.image_data_format() == "channels_last"


def test_backend_names_the_engine_in_use():
    assert K.backend() in INSTALLED
    if os.environ.get("LAMINA_BACKEND"):
        assert K.backend() == os.environ["LAMINA_BACKEND"].strip().lower()


def test_clear_session_runs_and_random_draws_still_work():
    assert K.clear_session() is None
    values = K.convert_to_numpy(K.random.uniform((100,)))
    assert values.shape == (100,) and 0.0 <= values.min() and values.max() < 1.0
