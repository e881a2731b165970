"""The torch half of :mod:`lamina.distribution`: ``torch.distributed`` process groups
(gloo on CPUs, NCCL with GPUs), one process per device, as
``DistributedDataParallel`` works.

Each process runs the step on its part of the global batch. Before the optimizer
update, the gradients are all-reduced in one flat buffer, each process's weighted by
its share of the samples, so every process applies the gradient of the whole global
batch (also when the shards differ in size). The weights start from process 0's.
The metric state (totals and counts) is summed over the processes before the logs
are computed, so the logged loss and metrics are those of the global batch (the dict
a ``train_step`` or ``test_step`` override returns is logged as that process computed
it); predict outputs are gathered from every process.

>>> from lamina.backend.torch import distribution as half
>>> half.process_count()
1
"""

import atexit
import datetime
import threading

import torch
import torch.distributed as dist

from lamina.backend import tree
from lamina.backend.variables import VariableScope

_step = threading.local()  # the local batch size of the step running now


def _joined():
    return dist.is_available() and dist.is_initialized()


def list_devices(device_type=None):
    """One device per process of the job once joined; before, the local GPUs or the CPU."""
    if _joined():
        kind = "gpu" if dist.get_backend() == "nccl" else "cpu"
        return [f"{kind}:{r}" for r in range(dist.get_world_size())] \
            if device_type in (None, kind) else []
    if device_type in (None, "gpu") and torch.cuda.is_available():
        return [f"gpu:{i}" for i in range(torch.cuda.device_count())]
    return ["cpu:0"] if device_type in (None, "cpu") else []


def check_distribution(distribution):
    """torch shards data over processes only: one device per process, no LayoutMap."""
    from lamina.distribution.distributions import ModelParallel
    if isinstance(distribution, ModelParallel):
        raise NotImplementedError(
            "ModelParallel is not supported on the torch engine yet: sharding Variables by a "
            "LayoutMap (FSDP / DTensor) is not implemented. Use DataParallel on torch, or "
            "ModelParallel on the jax engine (LAMINA_BACKEND=jax).")
    devices = distribution.device_mesh.devices.size
    if devices != process_count():
        raise ValueError(
            f"DataParallel on torch runs one process per device: the device mesh has {devices} "
            f"devices and the job has {process_count()} process(es). Start {devices} processes "
            f"(python -m lamina.distribution.launch --nproc {devices} script.py, or torchrun) "
            "and call lamina.distribution.initialize() first.")


def distribute_tensor(tensor, layout):
    """``tensor`` itself when ``layout`` replicates it; torch splits no tensor yet."""
    sizes = dict(zip(layout.device_mesh.axis_names, layout.device_mesh.shape))
    if any(a is not None and sizes[a] > 1 for a in layout.axes):
        raise NotImplementedError(
            f"distribute_tensor: splitting a tensor over devices (layout {layout.axes}) is not "
            "supported on the torch engine yet (DTensor); use the jax engine.")
    return tensor


def initialize(address, num_processes, process_id, local_rank, timeout):
    """``torch.distributed.init_process_group`` over TCP at process 0's address."""
    if _joined():
        return
    backend = "gloo"
    if torch.cuda.is_available():
        torch.cuda.set_device(local_rank % torch.cuda.device_count())
        backend = "nccl"
    dist.init_process_group(backend, init_method=f"tcp://{address}", rank=process_id,
                            world_size=num_processes,
                            timeout=datetime.timedelta(seconds=float(timeout)))
    atexit.register(_leave)


def _leave():
    """Leave the process group at exit, once every process is done with it (a peer that
    is gone ends the wait with an error within 10 s)."""
    if not _joined():
        return
    try:
        dist.monitored_barrier(timeout=datetime.timedelta(seconds=10))
    except RuntimeError:
        pass  # a peer failed: nothing left to wait for
    dist.destroy_process_group()


def process_index():
    return dist.get_rank() if _joined() else 0


def process_count():
    return dist.get_world_size() if _joined() else 1


def broadcast_int(value):
    """Process 0's ``value`` on every process."""
    tensor = torch.tensor([int(value)], dtype=torch.int64)
    dist.broadcast(tensor, src=0)
    return int(tensor.item())


def _flat(tensors, dtype):
    return torch.cat([t.detach().reshape(-1).to(dtype) for t in tensors])


def _unflat(flat, like):
    out, start = [], 0
    for t in like:
        out.append(flat[start:start + t.numel()].reshape(t.shape).to(t.dtype))
        start += t.numel()
    return out


def distribute_batch(batch, distribution, is_global):
    """This process's part of ``batch``: the rows ``[r*n//p, (r+1)*n//p)`` of a global
    batch of ``n`` samples, or the batch itself when it already is this process's."""
    if not is_global or process_count() == 1:
        return batch
    rank, count = process_index(), process_count()
    leaves = [a for a in tree.flatten(batch)[0] if a is not None]
    total = int(leaves[0].shape[0])
    if total < count:
        raise ValueError(f"DataParallel: a global batch of {total} sample(s) cannot be split "
                         f"over {count} processes; give batches of at least {count} samples.")
    rows = slice(rank * total // count, (rank + 1) * total // count)
    return tree.map_structure(lambda a: None if a is None else a[rows], batch)


def reduce_gradients(grads):
    """The gradients of the global batch: ``sum_p n_p * grad_p / sum_p n_p``, in one
    all-reduce (the sizes ride along in the same buffer)."""
    if process_count() == 1:
        return grads
    present = [g for g in grads if g is not None]
    reduced = iter(_weighted_mean(present, torch.float32))
    return [None if g is None else next(reduced) for g in grads]


def _weighted_mean(tensors, dtype):
    """``tensors``' mean over the processes, each process's weighted by its share of the
    global batch: one all-reduce in ``dtype``, the sizes riding along in the buffer."""
    local = float(getattr(_step, "size", 1))
    flat = torch.cat([_flat(tensors, dtype) * local,
                      torch.tensor([local], dtype=dtype, device=tensors[0].device)])
    dist.all_reduce(flat)
    return _unflat(flat[:-1] / flat[-1], tensors)


def _global_logs(model):
    from lamina.distribution.hooks import metric_variables
    variables = metric_variables(model)
    if not variables:
        return model._results()
    values = [v.value for v in variables]
    flat = _flat(values, torch.float64)
    dist.all_reduce(flat)
    with VariableScope(dict(zip(variables, _unflat(flat, values)))):
        return dict(model._results())


def _gather(out):
    leaves, rebuild = tree.flatten(out)
    gathered = []
    for leaf in leaves:
        sizes = [torch.zeros(1, dtype=torch.int64) for _ in range(process_count())]
        dist.all_gather(sizes, torch.tensor([leaf.shape[0]], dtype=torch.int64))
        longest = int(max(sizes).item())
        padded = torch.zeros((longest,) + tuple(leaf.shape[1:]), dtype=leaf.dtype,
                             device=leaf.device)
        padded[:leaf.shape[0]] = leaf
        parts = [torch.empty_like(padded) for _ in sizes]
        dist.all_gather(parts, padded.contiguous())
        gathered.append(torch.cat([p[:int(n.item())] for p, n in zip(parts, sizes)]))
    return rebuild(gathered)


def _average_states(variables):
    """Each of ``variables`` set to its mean over the processes, weighted by their
    shares of the global batch (exact for a moving mean of batch statistics)."""
    values = [v.value for v in variables]
    for variable, value in zip(variables, _weighted_mean(values, torch.float64)):
        variable.assign(value)


def _check_own_train_step(model):
    owner = next(c for c in type(model).__mro__ if "train_step" in c.__dict__)
    if owner.__name__ != "Trainer":
        raise NotImplementedError(
            f"Model {model.name!r}: its own train_step ({owner.__name__}.train_step) cannot run "
            "under DataParallel on several torch processes yet: lamina averages the gradients "
            "of the built-in train_step only, and the processes would drift apart. Use the "
            "built-in train_step (override compute_loss / compute_metrics instead), or the jax "
            "engine, where any train_step runs on the global batch.")


class DistributedStep:
    """A step run on this process's shard: the weights start from process 0's, the
    logs are global, predict outputs are gathered. After a training step the model's
    non-trainable float Variables (a BatchNormalization's moving statistics, computed
    on each shard) are averaged over the processes, so that all keep the same."""

    def __init__(self, step, model, kind, distribution, paths):
        self.step, self.model, self.kind, self.distribution = step, model, kind, distribution
        self._states = []
        if kind == "train" and process_count() > 1:
            _check_own_train_step(model)
            state = list(model.variables) + list(getattr(model.optimizer, "variables", ()))
            with torch.no_grad():
                for variable in state:
                    value = variable.value
                    dist.broadcast(value.data if hasattr(value, "data") else value, src=0)
            self._states = [v for v in model.non_trainable_variables
                            if v.value.dtype.is_floating_point]

    def __getattr__(self, name):
        return getattr(self.step, name)

    def __call__(self, *args):
        if process_count() == 1:
            return self.step(*args)
        leaves = [a for a in tree.flatten(args)[0] if a is not None]
        _step.size = int(leaves[0].shape[0]) if leaves else 1
        out = self.step(*args)
        if self._states:
            _average_states(self._states)
        if self.kind == "predict":
            return _gather(out)
        return _global_logs(self.model) if out is None else out
