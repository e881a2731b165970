"""A save killed in the middle leaves a hidden temporary file; the next save to the same
folder removes it (its writer is gone, or it is older than the current process), and
leaves alone the files of saves still running and files of other names."""

import os
import signal
import subprocess
import sys
import time

import pytest

from lamina import Input, Model, layers
from lamina.saving import load_model

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


def _model():
    x = Input((3,))
    return Model(x, layers.Dense(2)(x))


def _temporaries(folder):
    return sorted(n for n in os.listdir(folder) if n.endswith(".tmp"))


@pytest.mark.skipif(os.name != "posix", reason="kills a process with SIGKILL")
def test_the_next_save_removes_what_a_killed_save_left(tmp_path):
    path = tmp_path / "big.lamina"
    process = subprocess.Popen([sys.executable, "-c", _SAVE_FOREVER, str(path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 120
        while True:  # kill it while a temporary file exists (stopped, so it stays)
            assert process.poll() is None, process.stderr.read().decode()[-2000:]
            assert time.time() < deadline, "never caught the saving process mid-save"
            if (tmp_path / "big.lamina.ready").exists() and _temporaries(tmp_path):
                os.kill(process.pid, signal.SIGSTOP)
                if _temporaries(tmp_path):
                    break
                os.kill(process.pid, signal.SIGCONT)
            time.sleep(0.01)
    finally:
        process.kill()
        process.wait()
    left = _temporaries(tmp_path)
    assert len(left) == 1 and left[0].startswith(".big.lamina.")
    _model().save(tmp_path / "other.lamina")  # another name, the same folder
    assert _temporaries(tmp_path) == []
    assert len(load_model(path).get_weights()) == 4


def test_temporaries_older_than_the_process_go_and_others_stay(tmp_path):
    alive = os.getppid()  # a running process, not this one
    old = tmp_path / f".m.lamina.{alive}.00112233445566aa.tmp"
    running = tmp_path / f".m.lamina.{alive}.00112233445566bb.tmp"
    gone = tmp_path / ".m.lamina.999999999.00112233445566cc.tmp"
    unrelated = [tmp_path / ".m.lamina.tmp", tmp_path / "notes.1.00112233445566dd.tmp.txt",
                 tmp_path / "m.lamina.123.00112233445566ee.tmp"]
    for path in [old, running, gone] + unrelated:
        path.write_bytes(b"x" * 100)
    os.utime(old, (0, 0))
    _model().save(tmp_path / "m.lamina")
    assert not old.exists() and not gone.exists()
    assert running.exists() and all(p.exists() for p in unrelated)


def test_saves_running_in_other_threads_keep_their_temporaries(tmp_path):
    import threading
    model = _model()
    errors = []

    def save_many(name):
        try:
            for _ in range(15):
                model.save(tmp_path / name)
        except Exception as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=save_many, args=(f"m{i}.lamina",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _temporaries(tmp_path) == []
