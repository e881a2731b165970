"""The examples a newcomer starts with run on the selected engine."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_example(name, *args):
    return subprocess.run([sys.executable, os.path.join(ROOT, "examples", name), *args],
                          capture_output=True, text=True, timeout=300, env=dict(os.environ))


def test_quickstart_runs():
    result = run_example("quickstart.py")
    assert result.returncode == 0, result.stderr
    assert "symbolic output: shape (None, 784), dtype float32" in result.stdout
    assert "evaluated: shape (4, 784)" in result.stdout


def test_article_models_example_prints_the_counts_and_writes_the_pictures(tmp_path):
    result = run_example("article_models.py", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Total params: 443,710 (1.69 MB)" in result.stdout
    assert "Total params: 876,990 (3.35 MB)" in result.stdout
    for name in ("mydense_model.png", "mylayer_model.png"):
        with open(tmp_path / name, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"


@pytest.mark.skipif(os.environ.get("LAMINA_BACKEND", "jax") == "numpy",
                    reason="the numpy engine cannot train")
def test_digits_example_converges_on_a_small_budget_and_writes_its_pictures(tmp_path):
    pytest.importorskip("sklearn")
    result = run_example("digits_custom_layer.py", "--epochs", "6", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    accuracy = float(result.stdout.strip().rsplit(" ", 1)[-1])
    assert accuracy >= 0.9, result.stdout
    for name in ("digits_model.png", "digits_curves.png"):
        with open(tmp_path / name, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("name", ["quickstart.py", "article_models.py",
                                  "digits_custom_layer.py"])
def test_examples_have_a_docstring_saying_how_to_run_them(name):
    with open(os.path.join(ROOT, "examples", name)) as f:
        assert f.read().startswith('"""')
