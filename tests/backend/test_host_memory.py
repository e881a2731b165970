"""The host-memory policy lamina sets at import (lamina.backend.host_memory): freed
buffers stay with the process, so a step that allocates what the previous one freed
touches no new pages. Each case runs in a fresh process, as the policy is set once,
at import."""

import json
import os
import subprocess
import sys

import pytest

from lamina.backend import host_memory

glibc_only = pytest.mark.skipif(host_memory.policy() == "unavailable",
                                reason="the policy applies to glibc's malloc only")

# Allocates (C's malloc, as the engines do), fills and frees a 96 MB buffer ten times;
# prints the page faults of the last nine (the first one maps the pages) and the policy.
REUSE = """
import ctypes, json, resource
import lamina
from lamina.backend import host_memory
libc = ctypes.CDLL(None)
libc.malloc.restype, libc.free.argtypes = ctypes.c_void_p, (ctypes.c_void_p,)
size = 96_000_000
def touch():
    buffer = libc.malloc(size)
    ctypes.memset(buffer, 1, size)
    libc.free(buffer)
touch()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(9):
    touch()
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
print(json.dumps({"policy": host_memory.policy(), "faults": faults}))
"""


def _run(env_update, home):
    env = {name: value for name, value in os.environ.items() if name != "LAMINA_HOST_MEMORY"}
    env.update(LAMINA_BACKEND="numpy", LAMINA_HOME=str(home), **env_update)
    return subprocess.run([sys.executable, "-c", REUSE], env=env, capture_output=True,
                          text=True, timeout=120)


@glibc_only
def test_by_default_a_freed_buffer_is_reused_without_page_faults(tmp_path):
    run = _run({}, tmp_path)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["policy"] == "retain"
    # 9 x 96 MB of fresh pages would be some 210,000 faults of 4 KiB pages
    assert result["faults"] < 2_000, result


@glibc_only
def test_the_system_policy_leaves_malloc_returning_memory_to_the_system(tmp_path):
    run = _run({"LAMINA_HOST_MEMORY": "system"}, tmp_path)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["policy"] == "system"
    assert result["faults"] > 100_000, result


@glibc_only
def test_the_config_file_sets_the_policy_when_the_environment_does_not(tmp_path):
    (tmp_path / "lamina.json").write_text(json.dumps({"host_memory": "system"}))
    run = _run({}, tmp_path)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["policy"] == "system"


@pytest.mark.parametrize("env_update, source", [
    ({"LAMINA_HOST_MEMORY": "keep"}, "LAMINA_HOST_MEMORY"),
    ({}, "'host_memory' in"),
])
def test_an_unknown_policy_stops_the_import_naming_its_source(tmp_path, env_update, source):
    if not env_update:
        (tmp_path / "lamina.json").write_text(json.dumps({"host_memory": "keep"}))
    run = _run(env_update, tmp_path)
    assert run.returncode != 0
    assert "unknown host memory policy 'keep'" in run.stderr
    assert source in run.stderr and "expected one of retain, system" in run.stderr


def test_the_policy_is_set_once_per_process():
    assert host_memory.configure(("system", "a test")) == host_memory.policy()
    assert host_memory.policy() in ("retain", "system", "unavailable")
