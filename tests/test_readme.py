"""The README's Python examples run as written (gradients only where the engine has them)."""

import os
import re

import pytest

from lamina import backend as K

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def python_blocks():
    with open(os.path.join(ROOT, "README.md")) as f:
        return re.findall(r"```python\n(.*?)```", f.read(), flags=re.S)


def test_readme_has_python_examples():
    assert len(python_blocks()) >= 2


@pytest.mark.parametrize("index", range(len(python_blocks())))
def test_readme_example_runs(index, tmp_path, monkeypatch):
    code = python_blocks()[index]
    if ("K.grad" in code or ".fit(" in code) and K.backend() == "numpy":
        pytest.skip("the numpy engine has no gradients")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, f"README.md block {index}", "exec"), {})
    if "plot_model" in code:
        assert (tmp_path / "model.png").read_bytes()[:4] == b"\x89PNG"
