"""Saved files get the permissions every other file a program writes gets: the umask's
for a new file, the old file's when a save replaces one, and a PermissionError (as
``open(path, "w")`` raises) when the old file is read-only."""

import contextlib
import os
import stat
import tempfile

import numpy as np
import pytest

from lamina import Input, Model, layers
from lamina.saving import load_model

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


def _model():
    x = Input((3,))
    return Model(x, layers.Dense(2)(x))


@contextlib.contextmanager
def _umask(mask):
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("mask,expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
@pytest.mark.parametrize("save", ["save", "save_weights"])
def test_a_new_file_follows_the_umask(tmp_path, mask, expected, save):
    model = _model()
    path = tmp_path / ("m.lamina" if save == "save" else "m.weights.safetensors")
    with _umask(mask):
        getattr(model, save)(path)
        with open(tmp_path / "reference", "w"):
            pass
    assert _mode(path) == expected == _mode(tmp_path / "reference")


def test_saving_over_a_file_keeps_its_permissions(tmp_path):
    model = _model()
    path = tmp_path / "m.lamina"
    model.save(path)
    os.chmod(path, 0o640)
    with _umask(0o022):
        model.save(path)
    assert _mode(path) == 0o640
    load_model(path)


@contextlib.contextmanager
def _unprivileged():
    """A block where the file permissions apply: root ignores them, so as root the block
    runs with the effective user id of 'nobody'."""
    if os.geteuid() != 0:
        yield
        return
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)


@pytest.mark.parametrize("save", ["save", "save_weights"])
def test_saving_over_a_read_only_file_raises_permission_error_and_keeps_it(save):
    model, other = _model(), _model()
    folder = tempfile.mkdtemp()
    os.chmod(folder, 0o777)  # writable by 'nobody' too: only the file is read-only
    path = os.path.join(folder, "m.lamina" if save == "save" else "m.weights.safetensors")
    getattr(model, save)(path)
    before = open(path, "rb").read()
    os.chmod(path, 0o444)
    with _unprivileged():
        with pytest.raises(PermissionError):
            open(path, "w")
        with pytest.raises(PermissionError, match="read-only") as info:
            getattr(other, save)(path)
    assert path in str(info.value)
    assert open(path, "rb").read() == before
    assert os.listdir(folder) == [os.path.basename(path)]  # no temporary file left
    if save == "save":
        data = np.ones((1, 3), "float32")
        assert np.allclose(load_model(path).predict(data, verbose=0),
                           model.predict(data, verbose=0))
    os.remove(path)
    os.rmdir(folder)
