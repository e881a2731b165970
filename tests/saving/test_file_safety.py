"""A file is data: crafted, truncated, corrupted and half-written files are refused with
one clear error naming the file, and nothing in them runs."""

import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from lamina import Input, Model, layers
from lamina.saving import FormatError, load_model

SAVING = pathlib.Path(__file__).resolve().parents[2] / "src" / "lamina" / "saving"


def _valid_file(folder):
    x = Input((3,), name="x")
    model = Model(x, layers.Dense(2, name="dense")(layers.Dense(4, name="hidden")(x)))
    path = folder / "valid.lamina"
    model.save(path)
    return path


def _entries(path):
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def _write(path, entries):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return path


def _with_config(folder, change):
    entries = _entries(_valid_file(folder))
    config = json.loads(entries["config.json"])
    change(config)
    entries["config.json"] = json.dumps(config).encode()
    return _write(folder / "crafted.lamina", entries)


def test_a_config_naming_os_system_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "marker"

    def craft(config):
        config["model"]["config"]["layers"][0] = {
            "module": "os", "class_name": "system", "registered_name": None,
            "config": {"command": f"touch {marker}"}}

    path = _with_config(tmp_path, craft)
    with pytest.raises(ValueError, match="'system' of module 'os'") as info:
        load_model(path)
    assert str(path) in str(info.value)
    assert not marker.exists()


def test_a_graph_node_naming_a_function_outside_k_is_refused(tmp_path):
    marker = tmp_path / "marker"

    def craft(config):
        config["model"]["config"]["nodes"].append(
            {"op": "os:system", "name": "system", "args": [f"touch {marker}"], "kwargs": {}})

    path = _with_config(tmp_path, craft)
    with pytest.raises(FormatError, match="os:system.*not a function of lamina's K"):
        load_model(path)
    assert not marker.exists()


@pytest.mark.parametrize("module,name", [("subprocess", "Popen"), ("builtins", "eval"),
                                         ("lamina.saving.python_code", "load_function"),
                                         ("lamina.layers", "__class__")])
def test_classes_outside_lamina_and_the_registry_are_refused(tmp_path, module, name):
    def craft(config):
        config["model"]["config"]["layers"][0].update(module=module, class_name=name)

    with pytest.raises(ValueError, match="Could not deserialize"):
        load_model(_with_config(tmp_path, craft))


def test_a_zip_entry_with_a_path_is_refused_and_nothing_is_written(tmp_path):
    entries = _entries(_valid_file(tmp_path))
    entries["../escaped.txt"] = b"owned"
    path = _write(tmp_path / "evil.lamina", entries)
    with pytest.raises(FormatError, match="unexpected entry '../escaped.txt'"):
        load_model(path)
    assert not (tmp_path.parent / "escaped.txt").exists()


def test_a_zip_bomb_is_refused_without_inflating_it(tmp_path):
    entries = _entries(_valid_file(tmp_path))
    path = tmp_path / "bomb.lamina"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            if name != "config.json":
                z.writestr(name, data)
        with z.open("config.json", "w", force_zip64=True) as stream:
            block = b" " * (1 << 20)
            for _ in range(65):
                stream.write(block)
    assert os.path.getsize(path) < 1 << 20
    with pytest.raises(FormatError, match="config.json"):
        load_model(path)


def test_a_huge_declared_tensor_shape_is_refused_before_allocating(tmp_path):
    entries = _entries(_valid_file(tmp_path))
    weights = entries["model.weights.safetensors"]
    size = int.from_bytes(weights[:8], "little")
    header = json.loads(weights[8:8 + size])
    first = next(k for k in header if k != "__metadata__")
    header[first]["shape"] = [1 << 20, 1 << 20, 1 << 20]
    text = json.dumps(header).encode()
    entries["model.weights.safetensors"] = len(text).to_bytes(8, "little") + text + \
        weights[8 + size:]
    with pytest.raises(FormatError, match="declares shape"):
        load_model(_write(tmp_path / "huge.lamina", entries))


def test_truncated_and_foreign_files_raise_one_error_naming_the_file(tmp_path):
    data = _valid_file(tmp_path).read_bytes()
    for name, content in (("truncated.lamina", data[:len(data) // 2]),
                          ("text.lamina", b"hello, I am not a model"),
                          ("empty.lamina", b"")):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(FormatError) as info:
            load_model(path)
        assert str(path) in str(info.value)


def test_missing_entries_and_bad_json_are_reported(tmp_path):
    entries = _entries(_valid_file(tmp_path))
    no_weights = {k: v for k, v in entries.items() if k != "model.weights.safetensors"}
    with pytest.raises(FormatError, match="lacks.*model.weights.safetensors"):
        load_model(_write(tmp_path / "a.lamina", no_weights))
    with pytest.raises(FormatError, match="config.json.*not valid JSON"):
        load_model(_write(tmp_path / "b.lamina", dict(entries, **{"config.json": b"{oops"})))


_ORIGINAL = []


def _original_bytes(folder):
    if not _ORIGINAL:
        _ORIGINAL.append(_valid_file(folder).read_bytes())
    return _ORIGINAL[0]


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_byte_mutations_of_a_valid_file_load_or_raise_one_clear_error(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("fuzz")
    mutated = bytearray(_original_bytes(folder))
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(mutated) - 1))
        mutated[position] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        mutated = mutated[:data.draw(st.integers(0, len(mutated)))]
    path = folder / "mutated.lamina"
    path.write_bytes(bytes(mutated))
    try:
        load_model(path)
    except (FormatError, ValueError, TypeError) as e:
        assert str(path) in str(e), f"{type(e).__name__} without the file name: {e}"


def test_the_safe_path_uses_no_pickle_marshal_or_eval():
    forbidden = re.compile(r"^\s*(import|from)\s+(pickle|marshal|dill|cloudpickle|shelve)\b"
                           r"|\b(eval|exec)\(", re.MULTILINE)
    for source in SAVING.glob("*.py"):
        if source.name == "python_code.py":  # the lambda code, loaded only with safe_mode=False
            continue
        found = forbidden.search(source.read_text())
        assert found is None, f"{source.name}: {found.group(0)!r}"


_SAVE_FOREVER = """
import sys
from lamina import Input, Model, layers
x = Input((256,))
model = Model(x, layers.Dense(1024)(layers.Dense(1024)(x)))
path = sys.argv[1]
model.save(path)
open(path + ".ready", "w").close()
while True:
    model.save(path)
"""


def test_killing_a_process_while_it_saves_leaves_the_previous_file_intact(tmp_path):
    path = tmp_path / "big.lamina"
    process = subprocess.Popen([sys.executable, "-c", _SAVE_FOREVER, str(path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 120
        while not (tmp_path / "big.lamina.ready").exists():
            assert process.poll() is None, process.stderr.read().decode()[-2000:]
            assert time.time() < deadline, "the saving process never finished a first save"
            time.sleep(0.05)
        for delay in (0.05, 0.23, 0.41):
            time.sleep(delay)
            os.kill(process.pid, signal.SIGSTOP)
            model = load_model(path)
            assert [w.shape for w in model.get_weights()] == \
                [(256, 1024), (1024,), (1024, 1024), (1024,)]
            os.kill(process.pid, signal.SIGCONT)
    finally:
        process.kill()
        process.wait()
    model = load_model(path)
    assert np.isfinite(model.get_weights()[0]).all()


def test_an_unsupported_zip_version_field_is_a_format_error(tmp_path):
    data = bytearray(_valid_file(tmp_path).read_bytes())
    central = data.find(b"PK\x01\x02")
    data[central + 6] = 64  # "version needed to extract": 6.4, which zipfile refuses
    path = tmp_path / "version.lamina"
    path.write_bytes(bytes(data))
    with pytest.raises(FormatError, match="not a readable zip archive") as info:
        load_model(path)
    assert str(path) in str(info.value)
