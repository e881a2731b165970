"""The examples a newcomer starts with run on the selected engine, write their pictures
into the folder they run in (or the one given), never into the repository, which
ignores them anyway, and cite only files the repository has."""

import os
import re
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
OUTPUTS = {"article_models.py": ["mydense_model.png", "mylayer_model.png"],
           "digits_custom_layer.py": ["digits_model.png", "digits_curves.png"]}
needs_training = pytest.mark.skipif(os.environ.get("LAMINA_BACKEND", "jax") == "numpy",
                                    reason="the numpy engine cannot train")


def run_example(name, *args, cwd):
    return subprocess.run([sys.executable, os.path.join(EXAMPLES, name), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300, env=dict(os.environ))


def assert_pictures(folder, names):
    for name in names:
        with open(os.path.join(folder, name), "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n", name


def assert_nothing_written_into_the_repository(names):
    for folder in (ROOT, EXAMPLES):
        assert not set(names) & set(os.listdir(folder)), folder


def test_quickstart_runs(tmp_path):
    result = run_example("quickstart.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "symbolic output: shape (None, 784), dtype float32" in result.stdout
    assert "evaluated: shape (4, 784)" in result.stdout
    assert os.listdir(tmp_path) == []


def test_article_models_prints_the_counts_and_writes_the_pictures_where_it_runs(tmp_path):
    result = run_example("article_models.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Total params: 443,710 (1.69 MB)" in result.stdout
    assert "Total params: 876,990 (3.35 MB)" in result.stdout
    assert_pictures(tmp_path, OUTPUTS["article_models.py"])
    assert_nothing_written_into_the_repository(OUTPUTS["article_models.py"])


def test_article_models_writes_into_the_folder_given(tmp_path):
    result = run_example("article_models.py", str(tmp_path / "pictures"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert_pictures(tmp_path / "pictures", OUTPUTS["article_models.py"])


@needs_training
def test_digits_example_trains_shows_the_model_and_writes_its_pictures_where_it_runs(tmp_path):
    pytest.importorskip("sklearn")
    result = run_example("digits_custom_layer.py", "--epochs", "6", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert 'Model: "functional' in result.stdout and "my_dense (MyDense)" in result.stdout
    assert "Epoch 1/6\n" in result.stdout and "Epoch 6/6\n" in result.stdout
    accuracy = float(result.stdout.strip().rsplit(" ", 1)[-1])
    assert accuracy >= 0.9, result.stdout
    assert_pictures(tmp_path, OUTPUTS["digits_custom_layer.py"])
    assert_nothing_written_into_the_repository(OUTPUTS["digits_custom_layer.py"])


def test_digits_example_without_scikit_learn_says_what_to_install(tmp_path):
    blocked = ("import runpy, sys; sys.modules['sklearn'] = None; "
               f"sys.argv = [{os.path.join(EXAMPLES, 'digits_custom_layer.py')!r}]; "
               "runpy.run_path(sys.argv[0], run_name='__main__')")
    result = subprocess.run([sys.executable, "-c", blocked], cwd=tmp_path, capture_output=True,
                            text=True, timeout=300, env=dict(os.environ))
    assert result.returncode == 1
    assert 'pip install -e ".[all,examples]"' in result.stderr
    assert "Traceback" not in result.stderr and os.listdir(tmp_path) == []


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("folder", ["", "examples"])
def test_git_ignores_what_the_examples_write(folder):
    inside = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=ROOT,
                            capture_output=True, text=True)
    if inside.returncode or os.path.realpath(inside.stdout.strip()) != os.path.realpath(ROOT):
        pytest.skip("not a git checkout of lamina")
    paths = [os.path.join(folder, name) for names in OUTPUTS.values() for name in names]
    result = subprocess.run(["git", "check-ignore", "--no-index", *paths], cwd=ROOT,
                            capture_output=True, text=True)
    assert sorted(result.stdout.split()) == sorted(paths)


def cited_paths(text):
    """Repository-style paths (``folder/file.ext``) in ``text``."""
    return re.findall(r"(?<![\w~$./-])((?:[\w-]+/)+[\w.-]+\.[A-Za-z]\w*)", text)


@pytest.mark.parametrize("name", sorted(n for n in os.listdir(EXAMPLES) if n.endswith(".py")))
def test_examples_have_a_docstring_saying_how_to_run_them_citing_only_real_files(name):
    with open(os.path.join(EXAMPLES, name)) as f:
        source = f.read()
    assert source.startswith('"""') and f"examples/{name}" in source.split('"""')[1]
    missing = [path for path in cited_paths(source)
               if not os.path.exists(os.path.join(ROOT, path))]
    assert missing == [], f"{name} cites files the repository does not have: {missing}"


def test_the_readme_cites_only_real_files():
    with open(os.path.join(ROOT, "README.md")) as f:
        paths = cited_paths(f.read())
    assert "examples/digits_custom_layer.py" in paths
    assert [path for path in paths if not os.path.exists(os.path.join(ROOT, path))] == []
