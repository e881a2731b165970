"""A training run's backup in a folder: what ``BackupAndRestore`` writes and reads.

The folder holds two files:

- ``backup-<n>.lamina``: the model file (``model.save``): every Variable of the model
  (weights and random seed states) and the optimizer's state;
- ``training_state.json``: where training goes on (``epoch``, ``step`` in that epoch,
  both counted from 0), the data order's ``shuffle_seed``, and the name of the model
  file that goes with them.

Each backup writes a model file under a new name, then the JSON (atomically: a
temporary file renamed), then removes the older model file. The JSON is the commit
point: a process killed at any moment leaves a JSON naming a complete model file
written at the same position.

>>> import tempfile
>>> from lamina import Input, Model, layers
>>> x = Input((3,)); model = Model(x, layers.Dense(2)(x))
>>> folder = tempfile.mkdtemp()
>>> save_training_state(model, folder, {"epoch": 2, "step": 0, "shuffle_seed": 7})
>>> load_training_state(model, folder)
{'epoch': 2, 'step': 0, 'shuffle_seed': 7}
>>> delete_training_state(folder); load_training_state(model, folder) is None
True
"""

import json
import os
import re

from lamina.saving import archive
from lamina.saving.errors import FormatError
from lamina.saving.model_file import load_optimizer, open_model_file
from lamina.saving.weights import load_variables

STATE_FILE = "training_state.json"
_FORMAT = "lamina.training_state"
_MODEL_FILE = re.compile(r"backup-(\d+)\.lamina")
_MAX_STATE_BYTES = 1 << 16
_COUNTS = ("epoch", "step", "serial")


def _read_state(folder):
    """The JSON's content (checked), or None when the folder holds no backup."""
    path = os.path.join(folder, STATE_FILE)
    try:
        with open(path, "rb") as f:
            data = f.read(_MAX_STATE_BYTES + 1)
    except FileNotFoundError:
        return None
    try:
        state = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise FormatError(f"{path}: not a lamina training state (invalid JSON: {e}).") from None
    if not _valid(state):
        raise FormatError(f"{path}: not a lamina training state (expected an object with "
                          f"format {_FORMAT!r}, counts {_COUNTS}, shuffle_seed and "
                          f"model_file); found {data[:200]!r}.")
    return state


def _valid(state):
    def count(value):
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0

    if not isinstance(state, dict) or state.get("format") != _FORMAT:
        return False
    if not all(count(state.get(k)) for k in _COUNTS):
        return False
    seed = state.get("shuffle_seed")
    return (seed is None or count(seed)) and \
        state.get("model_file") == f"backup-{state['serial']}.lamina"


def save_training_state(model, folder, position):
    """Back up ``model`` (Variables and optimizer state) and ``position`` (``epoch``,
    ``step``, ``shuffle_seed``) in ``folder`` (made if missing)."""
    folder = os.fspath(folder)
    os.makedirs(folder, exist_ok=True)
    previous = _read_state(folder)
    serial = 0 if previous is None else previous["serial"] + 1
    model_file = f"backup-{serial}.lamina"
    model.save(os.path.join(folder, model_file))
    state = {"format": _FORMAT, "epoch": int(position["epoch"]), "step": int(position["step"]),
             "shuffle_seed": position.get("shuffle_seed"), "serial": serial,
             "model_file": model_file}
    data = json.dumps(state, indent=1).encode("utf-8")
    archive.write_atomically(os.path.join(folder, STATE_FILE), lambda f: f.write(data))
    _remove_model_files(folder, keep=model_file)


def load_training_state(model, folder):
    """Restore ``model``'s Variables and optimizer state from the backup in ``folder`` and
    return its position (``epoch``, ``step``, ``shuffle_seed``); None when there is no
    backup."""
    folder = os.fspath(folder)
    state = _read_state(folder)
    if state is None:
        return None
    path = os.path.join(folder, state["model_file"])
    with open_model_file(path, "BackupAndRestore") as reader:
        load_variables(model, reader, "model.weights.safetensors", path)
        if "optimizer.safetensors" in reader:
            load_optimizer(model, reader, path)
    return {"epoch": state["epoch"], "step": state["step"],
            "shuffle_seed": state["shuffle_seed"]}


def delete_training_state(folder):
    """Remove the backup's files from ``folder``, and ``folder`` itself when that leaves
    it empty."""
    folder = os.fspath(folder)
    if not os.path.isdir(folder):
        return
    try:
        os.remove(os.path.join(folder, STATE_FILE))
    except FileNotFoundError:
        pass
    _remove_model_files(folder, keep=None)
    if not os.listdir(folder):
        os.rmdir(folder)


def _remove_model_files(folder, keep):
    for name in os.listdir(folder):
        if name != keep and _MODEL_FILE.fullmatch(name):
            os.remove(os.path.join(folder, name))
