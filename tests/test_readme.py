"""The README's set-up commands and Python examples: the first command installs what
the main example needs and runs it, every Python block runs as written with only
``.[all]`` installed (gradients only where the engine has them), and the Keras
walk-through trains, saves and loads a model that predicts as the trained one."""

import ast
import os
import re
import sys

import numpy as np
import pytest

from lamina import backend as K

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WALK_THROUGH = "## A first model, step by step"
# The module each optional requirement is imported as.
MODULES = {"jax": "jax", "jaxlib": "jaxlib", "torch": "torch", "pillow": "PIL",
           "scikit-learn": "sklearn", "scipy": "scipy", "tensorboardX": "tensorboardX",
           "tensorboard": "tensorboard", "optax": "optax", "hypothesis": "hypothesis",
           "pytest": "pytest", "pytest-xdist": "xdist", "pytest-timeout": "pytest_timeout"}
TEST_RUNNER = {"pytest", "pytest-xdist", "pytest-timeout", "hypothesis"}


def readme():
    with open(os.path.join(ROOT, "README.md")) as f:
        return f.read()


def python_blocks():
    return re.findall(r"```python\n(.*?)```", readme(), flags=re.S)


def walk_through():
    section = readme().split(WALK_THROUGH, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)[0]


def extras():
    tomllib = pytest.importorskip("tomllib")
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        project = tomllib.load(f)["project"]
    name = lambda requirement: re.match(r"[\w.-]+", requirement).group(0)  # noqa: E731
    return ({extra: {name(r) for r in requirements}
             for extra, requirements in project["optional-dependencies"].items()},
            {name(r) for r in project["dependencies"]})


def modules_missing_without(installed):
    """The modules of the optional requirements outside ``installed`` extras (the test
    runner's own excepted): what a README example must not need."""
    optional, base = extras()
    wanted = set(base).union(*(optional[extra] for extra in installed))
    others = set().union(*optional.values()) - wanted - TEST_RUNNER
    return {MODULES[requirement] for requirement in others}


def run_with_only_all(code, name, monkeypatch):
    """Run ``code`` as a user with ``pip install -e ".[all]"`` would: the modules of the
    other extras cannot be imported."""
    for module in modules_missing_without({"all"}):
        monkeypatch.setitem(sys.modules, module, None)
    namespace = {}
    exec(compile(code, name, "exec"), namespace)
    return namespace


def test_every_optional_requirement_has_its_module_named_here():
    optional, _ = extras()
    assert set().union(*optional.values()) <= set(MODULES)


def test_the_first_command_installs_what_the_main_example_needs_and_runs_it():
    first = re.search(r"```sh\n(.*?)\n```", readme(), flags=re.S).group(1)
    match = re.fullmatch(r'pip install -e "\.\[([\w,]+)\]" && python (examples/\w+\.py)', first)
    assert match, first
    installed, example = match.group(1).split(","), match.group(2)
    assert "all" in installed
    with open(os.path.join(ROOT, example)) as f:
        source = f.read()
    assert ".fit(" in source and "plot_model(" in source and "savefig(" in source
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert "sklearn" in imported
    assert imported & modules_missing_without(installed) == set()


def test_readme_has_python_examples_and_the_keras_walk_through_before_the_advanced_parts():
    assert len(python_blocks()) >= 3
    text = readme()
    assert text.index(WALK_THROUGH) < text.index("## A custom layer in a model")
    steps = ["Sequential(", ".compile(", ".fit(", ".evaluate(", ".save(", "load_model(",
             ".predict("]
    code = walk_through()
    assert [code.index(step) for step in steps] == sorted(code.index(step) for step in steps)


@pytest.mark.parametrize("index", [i for i, code in enumerate(python_blocks())
                                   if code != walk_through()])
def test_readme_example_runs_with_only_the_all_extra(index, tmp_path, monkeypatch):
    code = python_blocks()[index]
    if ("K.grad" in code or ".fit(" in code) and K.backend() == "numpy":
        pytest.skip("the numpy engine has no gradients")
    monkeypatch.chdir(tmp_path)
    run_with_only_all(code, f"README.md block {index}", monkeypatch)
    if "plot_model" in code:
        assert (tmp_path / "model.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.skipif(K.backend() == "numpy", reason="the numpy engine cannot train")
def test_the_walk_through_trains_saves_loads_and_predicts(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    names = run_with_only_all(walk_through(), "README.md walk-through", monkeypatch)
    out = capsys.readouterr().out
    assert 'Model: "sequential' in out and "Epoch 1/10\n" in out and "Epoch 10/10\n" in out
    assert names["accuracy"] >= 0.9
    assert sorted(names["history"].history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert (tmp_path / "classifier.lamina").is_file()
    x = names["x"][800:805]
    np.testing.assert_allclose(names["probabilities"], names["model"].predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
    assert names["probabilities"].shape == (5, 2)
