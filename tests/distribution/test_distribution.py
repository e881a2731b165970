"""lamina.distribution: the Keras 3 API, and data-parallel / sharded training that
gives what one process training on the same global batches gives: on jax with 4 host
devices in one process and with 2 processes (``jax.distributed``), on torch with 2
processes over gloo; a job whose process dies stops instead of hanging."""

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from lamina import backend as K
from lamina import distribution
from lamina.callbacks import BackupAndRestore, CSVLogger, EarlyStopping, ModelCheckpoint
from lamina.distribution import hooks
from lamina.distribution.processes import job_settings

ENGINE = K.backend()
HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "distributed_worker.py")
EXAMPLE = os.path.join(os.path.dirname(os.path.dirname(HERE)), "examples",
                       "distributed_training.py")
needs_training = pytest.mark.skipif(ENGINE == "numpy", reason="the numpy engine cannot train")
needs_engine = pytest.mark.skipif(ENGINE == "numpy", reason="distribution needs jax or torch")
needs_jax = pytest.mark.skipif(ENGINE != "jax", reason="sharding over host devices is jax's")


def _worker():
    spec = importlib.util.spec_from_file_location("distributed_worker", WORKER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(command, timeout, **env):
    """``(exit status, output, seconds)`` of ``command``, its whole process group killed
    if it runs past ``timeout``."""
    environment = dict(os.environ, LAMINA_BACKEND=ENGINE, LAMINA_DISTRIBUTION_TIMEOUT="30",
                       **env)
    start = time.monotonic()
    process = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        pytest.fail(f"{command} ran past {timeout} s:\n{output[-3000:]}")
    return process.returncode, output, time.monotonic() - start


def _launch(out_dir, modes, timeout=150):
    """2 processes running the worker (on jax with 2 host devices each)."""
    return _run([sys.executable, "-m", "lamina.distribution.launch", "--nproc", "2", WORKER,
                 str(out_dir), modes], timeout,
                XLA_FLAGS="--xla_force_host_platform_device_count=2")


def _read(out_dir, name):
    with open(os.path.join(out_dir, name)) as f:
        return json.load(f)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """One process, no distribution, the same global batches."""
    folder = tmp_path_factory.mktemp("reference")
    worker = _worker()
    model = worker.build()
    result = worker.train(model, str(folder))
    x, y = worker.data()
    result["evaluate_first_28"] = model.evaluate(x[:28], y[:28], verbose=0, return_dict=True)
    return result


def assert_same_training(result, reference):
    for got, expected in zip(result["weights"], reference["weights"]):
        np.testing.assert_allclose(got, expected, atol=1e-5)
    assert list(result["history"]) == ["loss", "accuracy"]
    for name, values in reference["history"].items():
        np.testing.assert_allclose(result["history"][name], values, atol=1e-5)
    for name, value in reference["evaluate"].items():
        assert result["evaluate"][name] == pytest.approx(value, abs=1e-5)
    np.testing.assert_allclose(result["predict"], reference["predict"], atol=1e-5)


# -- the API ----------------------------------------------------------------------------
def test_device_mesh_needs_as_many_devices_as_its_shape():
    with pytest.raises(ValueError, match=r"needs 4 devices; received 2"):
        distribution.DeviceMesh((2, 2), ["batch", "model"], devices=["cpu:0", "cpu:1"])
    with pytest.raises(ValueError, match="same, non-zero length"):
        distribution.DeviceMesh((2,), ["batch", "model"], devices=["cpu:0", "cpu:1"])


def test_layout_map_matches_paths_by_regex_and_refuses_two_matches():
    mesh = distribution.DeviceMesh((2,), ["model"], devices=["cpu:0", "cpu:1"])
    layouts = distribution.LayoutMap(mesh)
    layouts[".*dense.*kernel"] = (None, "model")
    layouts["dense_1/bias"] = distribution.TensorLayout(("model",))
    assert layouts["outer/dense_3/kernel"].axes == (None, "model")
    assert layouts["dense_1/bias"].device_mesh is mesh
    assert layouts["conv/kernel"] is None
    layouts[".*_1/kernel"] = (None, None)
    with pytest.raises(ValueError, match="matches several keys"):
        layouts["dense_1/kernel"]
    with pytest.raises(ValueError, match=r"axes \['data'\] are not axes of the device mesh"):
        layouts["other"] = ("data",)


def test_model_parallel_and_data_parallel_check_their_arguments():
    mesh = distribution.DeviceMesh((1,), ["batch"], devices=["cpu:0"])
    with pytest.raises(ValueError, match="expects layout_map, a LayoutMap; received NoneType"):
        distribution.ModelParallel(batch_dim_name="batch")
    with pytest.raises(ValueError, match="batch_dim_name 'rows' is not an axis"):
        distribution.ModelParallel(layout_map=distribution.LayoutMap(mesh), batch_dim_name="rows")
    with pytest.raises(ValueError, match="give device_mesh or devices, not both"):
        distribution.DataParallel(device_mesh=mesh, devices=["cpu:0"])


def test_initialize_reads_torchrun_and_jax_environments_and_arguments_win():
    torchrun = {"MASTER_ADDR": "10.1.2.3", "MASTER_PORT": "1234", "WORLD_SIZE": "4",
                "RANK": "2", "LOCAL_RANK": "0"}
    assert job_settings(environ=torchrun) == {"address": "10.1.2.3:1234", "num_processes": 4,
                                              "process_id": 2, "local_rank": 0}
    jax_env = {"JAX_COORDINATOR_ADDRESS": "host:99", "JAX_NUM_PROCESSES": "2",
               "JAX_PROCESS_ID": "1"}
    assert job_settings(environ=jax_env)["address"] == "host:99"
    assert job_settings("a:1,b:1", 3, 0, environ=jax_env)["num_processes"] == 3
    with pytest.raises(ValueError, match="needs the address of process 0"):
        job_settings(num_processes=2, process_id=0, environ={})
    with pytest.raises(ValueError, match="process_id=2 and num_processes=2"):
        job_settings("a:1", 2, 2, environ={})


@pytest.mark.skipif(ENGINE != "numpy", reason="the numpy engine's refusal")
def test_numpy_engine_says_distribution_needs_jax_or_torch():
    with pytest.raises(RuntimeError, match="needs the jax or torch engine"):
        distribution.DataParallel()
    with pytest.raises(RuntimeError, match="needs the jax or torch engine"):
        distribution.list_devices()
    status, output, _ = _run([sys.executable, "-m", "lamina.distribution.launch", WORKER],
                             timeout=60)
    assert status == 2 and "numpy engine cannot train" in output


@needs_engine
def test_distribute_tensor_keeps_the_values_and_checks_the_layout():
    mesh = distribution.DeviceMesh((1,), ["batch"], devices=distribution.list_devices()[:1])
    value = np.arange(6, dtype="float32").reshape(3, 2)
    out = distribution.distribute_tensor(K.convert_to_tensor(value),
                                         distribution.TensorLayout(("batch", None), mesh))
    np.testing.assert_array_equal(K.convert_to_numpy(out), value)
    with pytest.raises(ValueError, match=r"the layout \('batch',\) has 1 axes; the tensor has "
                                         r"shape \(3, 2\)"):
        distribution.distribute_tensor(value, distribution.TensorLayout(("batch",), mesh))


@pytest.mark.skipif(ENGINE != "torch", reason="torch's limits")
def test_torch_refuses_model_parallel_and_a_mesh_larger_than_the_job():
    mesh = distribution.DeviceMesh((1, 1), ["batch", "model"], devices=["cpu:0"])
    layouts = distribution.LayoutMap(mesh)
    layouts[".*kernel"] = (None, "model")
    with pytest.raises(NotImplementedError, match="ModelParallel is not supported on the torch"):
        distribution.set_distribution(distribution.ModelParallel(layout_map=layouts))
    assert distribution.distribution() is None
    with pytest.raises(ValueError, match="mesh has 2 devices and the job has 1 process"):
        distribution.set_distribution(distribution.DataParallel(devices=["cpu:0", "cpu:1"]))


@pytest.mark.skipif(ENGINE != "torch", reason="torch's limits")
def test_torch_refuses_a_train_step_of_its_own_on_several_processes(monkeypatch):
    from lamina import Input, Model, layers
    from lamina.backend.torch import distribution as half

    class OwnStep(Model):
        def train_step(self, data):
            return super().train_step(data)

    x = Input((2,))
    model = OwnStep(x, layers.Dense(1)(x), name="own")
    model.compile(optimizer="sgd", loss="mse")
    monkeypatch.setattr(half, "process_count", lambda: 2)
    with pytest.raises(NotImplementedError, match=r"'own': its own train_step \(OwnStep"):
        half.DistributedStep(None, model, "train", None, {})


def test_processes_other_than_0_write_no_files_and_keep_the_other_callbacks(monkeypatch, tmp_path):
    monkeypatch.setattr(hooks, "distribution", lambda: object())
    monkeypatch.setattr(hooks, "process_index", lambda: 1)
    stop = EarlyStopping()
    backup = BackupAndRestore(str(tmp_path))
    kept, verbose = hooks.callbacks([ModelCheckpoint(str(tmp_path / "m.lamina")), stop,
                                     CSVLogger(str(tmp_path / "log.csv")), backup], "auto")
    assert verbose == 0
    assert kept[0] is stop and len(kept) == 2
    assert type(kept[1]).__name__ == "_RestoreOnly" and kept[1]._callback is backup
    monkeypatch.setattr(hooks, "process_index", lambda: 0)
    given = [stop, backup]
    assert hooks.callbacks(given, 1) == (given, 1)


# -- training ---------------------------------------------------------------------------
@needs_training
@pytest.mark.timeout(200)
def test_two_processes_train_as_one_process_and_a_dead_process_stops_the_job(tmp_path,
                                                                             reference):
    # one job: a whole data-parallel run (on jax also a ModelParallel one, the kernel split
    # over the 2 devices of each process), then a run in which process 1 dies
    modes = "data,model,die" if ENGINE == "jax" else "data,die"
    status, output, seconds = _launch(tmp_path, modes, timeout=150)
    first, second = _read(tmp_path, "data_0.json"), _read(tmp_path, "data_1.json")
    for result in (first, second):
        assert_same_training(result, reference)
        # each process read only its own shard: the metrics are still those of all 28 rows
        for name, value in reference["evaluate_first_28"].items():
            assert result["evaluate_own_shards"][name] == pytest.approx(value, abs=1e-5)
    # the BatchNormalization statistics, computed per shard, stay the same on both
    np.testing.assert_allclose(first["moving_mean"], second["moving_mean"], atol=1e-6)
    if ENGINE == "jax":
        for rank in (0, 1):
            sharded = _read(tmp_path, f"model_{rank}.json")
            assert_same_training(sharded, reference)
            assert (sharded["kernel_devices"], sharded["kernel_pieces"]) == (4, 2)
    from lamina.saving import load_model
    restored = load_model(str(tmp_path / "checkpoint_data.lamina"))  # written by process 0
    for got, expected in zip(restored.get_weights(), reference["weights"]):
        np.testing.assert_allclose(got, expected, atol=1e-5)
    assert status != 0 and "exited with status" in output, output[-3000:]
    assert output.count("Epoch 1/3") == len(modes.split(","))  # a progress bar: process 0's
    assert not os.path.exists(tmp_path / "die_0.json")  # process 0 did not go on alone
    assert seconds < 150


@pytest.mark.skipif(ENGINE != "torch", reason="the script is the same on every engine; the "
                    "jax runs above are longer and cover its path")
@pytest.mark.timeout(90)
def test_the_example_trains_and_its_checkpoint_reloads_on_one_process(tmp_path):
    status, output, _ = _run([sys.executable, EXAMPLE, str(tmp_path)], 60)
    assert status == 0, output[-3000:]
    assert "1 process(es)" in output and "Epoch 5/5" in output
    assert "reloads with the trained weights: True" in output


@needs_jax
@pytest.mark.timeout(150)
def test_four_host_devices_data_and_model_parallel_match_one_device(tmp_path, reference):
    status, output, _ = _run([sys.executable, WORKER, str(tmp_path), "data,model"], 120,
                             XLA_FLAGS="--xla_force_host_platform_device_count=4")
    assert status == 0, output[-3000:]
    data, model = _read(tmp_path, "data_0.json"), _read(tmp_path, "model_0.json")
    assert_same_training(data, reference)
    assert (data["kernel_devices"], data["kernel_pieces"]) == (4, 1)  # replicated
    assert_same_training(model, reference)
    assert (model["kernel_devices"], model["kernel_pieces"]) == (4, 2)  # split over "model"
    from lamina.saving import load_model
    restored = load_model(str(tmp_path / "checkpoint_model.lamina"))  # gathered weights
    for got, expected in zip(restored.get_weights(), reference["weights"]):
        np.testing.assert_allclose(got, expected, atol=1e-5)
