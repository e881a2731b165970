"""Distributed training: data-parallel and sharded ``fit``, ``evaluate`` and
``predict`` over devices, processes and hosts, on jax (``jax.sharding``,
``jax.distributed``) and torch (``torch.distributed``), with Keras 3's names.

A script that trains on every device of a job::

    import lamina
    from lamina import distribution

    distribution.initialize()                 # reads the launcher's environment
    distribution.set_distribution(distribution.DataParallel())
    model = ...; model.compile(...)
    model.fit(x, y, batch_size=64)            # 64 = the global batch

run with ``python -m lamina.distribution.launch --nproc 2 script.py`` (or
``torchrun --nproc_per_node=2 script.py`` on torch). See ``distributions`` for how
data is split, and ``hooks`` for what process 0 alone does.

>>> from lamina import distribution
>>> distribution.distribution() is None
True
"""

from lamina.distribution.devices import (DeviceMesh, LayoutMap, TensorLayout, distribute_tensor,
                                         get_device_count, list_devices)
from lamina.distribution.distributions import (DataParallel, Distribution, ModelParallel,
                                               distribution, set_distribution)
from lamina.distribution.processes import initialize, process_count, process_index

__all__ = ["DataParallel", "DeviceMesh", "Distribution", "LayoutMap", "ModelParallel",
           "TensorLayout", "distribute_tensor", "distribution", "get_device_count",
           "initialize", "list_devices", "process_count", "process_index", "set_distribution"]
