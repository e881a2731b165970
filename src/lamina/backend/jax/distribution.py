"""The JAX half of :mod:`lamina.distribution`: ``jax.sharding`` meshes, sharded
Variables and batches, ``jax.distributed`` for several processes.

The compiled step stays the one of :mod:`lamina.backend.jax.training`: its
arguments arrive as ``jax.Array`` s laid out on the mesh (the batch split over the
batch axis, each Variable replicated or split by its layout) and ``jax.jit``
compiles one SPMD program over every device of every process, inserting the
collectives itself (the gradient of a replicated weight is summed over the batch
shards). A global batch whose size the batch axis does not divide is replicated
instead of split, which gives the same result.

>>> from lamina.backend.jax import distribution as half
>>> half.list_devices("cpu")[0]
'cpu:0'
"""

import os

import jax
import numpy as np
from jax.experimental import multihost_utils
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from lamina.backend import tree
from lamina.backend.distributed_environment import job_settings, job_timeout
from lamina.backend.variables import VariableScope


def _kind(device):
    return "gpu" if device.platform in ("gpu", "cuda", "rocm") else device.platform


def _devices(device_type=None):
    if device_type is None:
        return jax.devices()
    try:
        return jax.devices("gpu" if device_type == "gpu" else device_type)
    except RuntimeError:
        return []


def list_devices(device_type=None):
    """Every device of every process, as ``"<type>:<id>"``."""
    return [f"{_kind(d)}:{d.id}" for d in _devices(device_type)]


def check_distribution(distribution):
    """Build (once) the ``jax.sharding.Mesh`` of ``distribution``'s device mesh."""
    mesh(distribution)


def mesh(distribution):
    """The ``jax.sharding.Mesh`` of ``distribution``'s :class:`DeviceMesh`."""
    return device_mesh(distribution.device_mesh, type(distribution).__name__)


def device_mesh(grid, where="DeviceMesh"):
    """The ``jax.sharding.Mesh`` of a :class:`DeviceMesh` (built once)."""
    built = getattr(grid, "_jax_mesh", None)
    if built is None:
        known = {f"{_kind(d)}:{d.id}": d for d in jax.devices()}
        for kind in {name.split(":")[0] for name in grid.devices.flat}:
            known.update({f"{_kind(d)}:{d.id}": d for d in _devices(kind)})
        names = list(grid.devices.flat)
        missing = [n for n in names if n not in known]
        if missing:
            raise ValueError(f"{where}: the devices {missing} of the device mesh do not "
                             f"exist; the devices are {sorted(known)}.")
        devices = np.array([known[n] for n in names], dtype=object)
        built = Mesh(devices.reshape(grid.shape), grid.axis_names)
        grid._jax_mesh = built
    return built


def distribute_tensor(tensor, layout):
    """``tensor`` laid out as ``layout``: a sharding constraint inside a compiled step,
    else the array moved onto the mesh."""
    target = NamedSharding(device_mesh(layout.device_mesh), PartitionSpec(*layout.axes))
    if isinstance(tensor, jax.core.Tracer):
        return jax.lax.with_sharding_constraint(tensor, target)
    return _put(tensor, target)


def sharding(distribution, layout):
    """The ``NamedSharding`` of a :class:`TensorLayout` on ``distribution``'s mesh."""
    return NamedSharding(mesh(distribution), PartitionSpec(*layout.axes))


def initialize(address, num_processes, process_id, local_rank, timeout):
    """``jax.distributed.initialize`` (CPU collectives over gloo)."""
    if jax.distributed.is_initialized():
        return
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(coordinator_address=address, num_processes=num_processes,
                               process_id=process_id, initialization_timeout=int(timeout),
                               heartbeat_timeout_seconds=max(int(timeout) // 10, 5))


def join_launched_job():
    """Join the job a launcher started this process in (``JAX_COORDINATOR_ADDRESS`` or
    ``LAMINA_DISTRIBUTION_JOB_ADDRESSES`` set, more than one process): done when the
    engine loads, since JAX must join before its first computation."""
    if not (os.environ.get("JAX_COORDINATOR_ADDRESS")
            or os.environ.get("LAMINA_DISTRIBUTION_JOB_ADDRESSES")):
        return
    settings = job_settings()
    if settings["num_processes"] > 1:
        initialize(**settings, timeout=job_timeout())


def process_index():
    return jax.process_index() if jax.distributed.is_initialized() else 0


def process_count():
    return jax.process_count() if jax.distributed.is_initialized() else 1


def broadcast_int(value):
    """Process 0's ``value`` on every process."""
    return int(multihost_utils.broadcast_one_to_all(np.int64(value)))


def _addressable(value):
    return not isinstance(value, jax.Array) or value.is_fully_addressable


def _put(value, target):
    """``value`` laid out as ``target``, in a new buffer (one the step may donate)."""
    if jax.process_count() == 1 or (isinstance(value, jax.Array)
                                    and not value.is_fully_addressable):
        return jax.device_put(value, target, may_alias=False)
    host = np.asarray(value)
    return jax.make_array_from_callback(host.shape, target, lambda index: host[index])


def distribute_batch(batch, distribution, is_global):
    """``batch`` as global arrays split over the batch axis: from the global batch
    (``is_global``), or from this process's shard of it (the shards of equal sizes; a
    global batch the batch axis does not divide is gathered and replicated)."""
    batch_devices = mesh(distribution).shape[distribution.batch_dim_name]

    def place(array):
        if array is None:
            return None
        target = sharding(distribution, distribution.get_data_layout(array.shape))
        if not is_global and process_count() > 1:
            if array.shape[0] * process_count() % batch_devices == 0:
                return jax.make_array_from_process_local_data(target, np.asarray(array))
            array = multihost_utils.process_allgather(np.asarray(array), tiled=True)
        if array.shape[0] % batch_devices:
            target = NamedSharding(mesh(distribution), PartitionSpec())
        return _put(array, target)

    return tree.map_structure(place, batch)


class DistributedStep:
    """A compiled step whose Variables are laid out on the mesh before each call (a
    value assigned outside the step, such as a metric reset, is moved back); on
    several processes the Variables start from process 0's values, the logs are read
    on every process after each step, and predict outputs are gathered."""

    def __init__(self, step, model, kind, distribution, paths):
        self.step, self.model, self.kind, self.distribution = step, model, kind, distribution
        variables = getattr(step, "variables", [])
        layouts = [distribution.get_variable_layout(v, paths.get(id(v))) for v in variables]
        self._targets = [sharding(distribution, layout) for layout in layouts]
        self._variables = variables
        if process_count() > 1 and all(_addressable(v._value) for v in variables):
            values = multihost_utils.broadcast_one_to_all(
                [np.asarray(v._value) for v in variables])
            for variable, value in zip(variables, values):
                variable._value = np.asarray(value)

    def __getattr__(self, name):
        return getattr(self.step, name)

    def _place(self):
        # A value laid out otherwise (a metric reset) is moved, alike on every process. A
        # donated value something else may hold (process 0 alone read it to save a
        # checkpoint) is copied here, shard by shard in its own layout: a copy through
        # another device order would be a collective that the other processes never join.
        donated = {id(v) for v in getattr(self.step, "_donated_vars", ())}
        for variable, target in zip(self._variables, self._targets):
            value = variable._value
            placed = getattr(value, "sharding", None)
            if placed is None or not (placed == target
                                      or placed.is_equivalent_to(target, value.ndim)):
                variable._value = _put(value, target)
                variable._exclusive = True
            elif id(variable) in donated and not variable._exclusive:
                variable._value = jax.device_put(value, placed, may_alias=False)
                variable._exclusive = True

    def _finish(self, out):
        if process_count() == 1:
            return out
        if self.kind == "predict":
            return multihost_utils.process_allgather(out, tiled=True)
        if out is None:
            # The logs, computed now from this process's copy of the (replicated) metric
            # state: process 0 alone reads them later (the progress bar), and computing
            # them from the global arrays then would be a program the others never run.
            from lamina.distribution.hooks import metric_variables
            local = {v: np.asarray(v._value) for v in metric_variables(self.model)}
            with VariableScope(local):
                out = self.model._results()
        return {name: np.asarray(value) for name, value in out.items()}

    def __call__(self, *args):
        self._place()
        return self._finish(self.step(*args))

    def run_many(self, batches):
        self._place()
        return self._finish(self.step.run_many(batches))


def reduce_gradients(grads):
    """The gradients as they are: ``jax.jit`` already sums them over the batch shards."""
    return grads
