"""``DataParallel`` and ``ModelParallel``, and the global setting that ``fit``,
``evaluate`` and ``predict`` follow: ``set_distribution`` / ``distribution()``.

Data given as arrays is always one global array: each step takes a global batch and
splits it over the processes and devices of the batch axis. Batches from a generator,
a ``PyDataset`` or a ``DataLoader`` are global too by default
(``auto_shard_dataset=True``); with ``auto_shard_dataset=False`` each process's
source yields that process's own shard (on jax the shards must be of equal size).

>>> from lamina import backend as K
>>> from lamina.distribution import DataParallel, distribution, set_distribution
>>> if K.backend() != "numpy":
...     set_distribution(DataParallel())
...     print(type(distribution()).__name__)
...     set_distribution(None)
... else:
...     print("DataParallel")
DataParallel
"""

import contextlib
import contextvars
import warnings

from lamina.distribution.devices import DeviceMesh, LayoutMap, TensorLayout, list_devices

_global = None
_scoped = contextvars.ContextVar("lamina_distribution", default=None)


class Distribution:
    """The base of the distributions: a :class:`DeviceMesh` and the name of its batch
    axis; says how data and each Variable are laid out.

    >>> mesh = DeviceMesh((1,), ["batch"], devices=["cpu:0"])
    >>> Distribution(mesh, "batch").get_data_layout((8, 3)).axes
    ('batch', None)
    """

    def __init__(self, device_mesh, batch_dim_name, auto_shard_dataset=True):
        if batch_dim_name not in device_mesh.axis_names:
            raise ValueError(f"{type(self).__name__}: batch_dim_name {batch_dim_name!r} is not "
                             f"an axis of the device mesh, whose axes are "
                             f"{list(device_mesh.axis_names)}.")
        self._device_mesh = device_mesh
        self._batch_dim_name = batch_dim_name
        self.auto_shard_dataset = bool(auto_shard_dataset)

    device_mesh = property(lambda self: self._device_mesh, doc="The :class:`DeviceMesh`.")
    batch_dim_name = property(lambda self: self._batch_dim_name,
                              doc="The mesh axis the batch is split over.")

    def get_data_layout(self, data_shape):
        """The layout of a batch of shape ``data_shape``: split on its first dimension."""
        return TensorLayout((self._batch_dim_name,) + (None,) * (len(data_shape) - 1),
                            self._device_mesh)

    def get_variable_layout(self, variable, path=None):
        """The layout of ``variable`` (at ``path`` in its model): replicated."""
        return TensorLayout((None,) * len(variable.shape), self._device_mesh)

    @contextlib.contextmanager
    def scope(self):
        """A block in which this distribution is the one in use.

        >>> from lamina import backend as K
        >>> from lamina.distribution import DataParallel, distribution
        >>> if K.backend() != "numpy":
        ...     with DataParallel().scope():
        ...         print(type(distribution()).__name__)
        ... else:
        ...     print("DataParallel")
        DataParallel
        """
        from lamina.distribution.devices import engine_half
        engine_half("Distribution.scope").check_distribution(self)
        token = _scoped.set(self)
        try:
            yield self
        finally:
            _scoped.reset(token)

    def __repr__(self):
        return f"<{type(self).__name__} device_mesh={self._device_mesh}>"


class DataParallel(Distribution):
    """Data parallelism: every device holds all the weights, each takes a part of the
    batch, and the gradients are averaged (sharded ``jax.jit`` on jax, an all-reduce
    between processes on torch, as ``DistributedDataParallel`` does).

    ``DataParallel(device_mesh=None, devices=None, auto_shard_dataset=True)``: give a
    mesh or devices, not both; by default all of :func:`list_devices`. A mesh of
    several axes splits the batch over its first axis.

    >>> from lamina import backend as K
    >>> if K.backend() != "numpy":
    ...     print(DataParallel().device_mesh.axis_names)
    ... else:
    ...     print(('batch',))
    ('batch',)
    """

    def __init__(self, device_mesh=None, devices=None, auto_shard_dataset=True):
        if device_mesh is not None and devices is not None:
            raise ValueError("DataParallel: give device_mesh or devices, not both; received "
                             f"device_mesh={device_mesh} and devices={devices}.")
        if device_mesh is None:
            devices = list_devices() if devices is None else list(devices)
            device_mesh = DeviceMesh((len(devices),), ["batch"], devices)
        elif len(device_mesh.shape) > 1:
            warnings.warn(f"DataParallel: the device mesh has axes "
                          f"{list(device_mesh.axis_names)}; the batch is split over the first, "
                          f"{device_mesh.axis_names[0]!r}.", stacklevel=2)
        super().__init__(device_mesh, device_mesh.axis_names[0], auto_shard_dataset)


class ModelParallel(Distribution):
    """Weights split over devices by a :class:`LayoutMap` (each Variable whose path
    matches a key takes its layout; the others are replicated), and the batch split
    over the ``batch_dim_name`` axis of the map's mesh (by default its first axis).

    On jax, Variables are sharded ``jax.Array`` s and the step is one ``jax.jit``
    program over the mesh; on torch, sharding weights is not supported yet
    (``set_distribution`` says so).

    >>> mesh = DeviceMesh((1, 1), ["batch", "model"], devices=["cpu:0"])
    >>> layouts = LayoutMap(mesh)
    >>> layouts[".*dense.*kernel"] = (None, "model")
    >>> parallel = ModelParallel(layout_map=layouts, batch_dim_name="batch")
    >>> parallel.batch_dim_name
    'batch'
    """

    def __init__(self, *, layout_map=None, batch_dim_name=None, auto_shard_dataset=True,
                 **kwargs):
        mesh = kwargs.pop("device_mesh", None)
        if kwargs:
            raise TypeError(f"ModelParallel: unexpected arguments {sorted(kwargs)}; it takes "
                            "layout_map, batch_dim_name and auto_shard_dataset.")
        if not isinstance(layout_map, LayoutMap):
            raise ValueError("ModelParallel expects layout_map, a LayoutMap; received "
                             f"{type(layout_map).__name__}.")
        mesh = mesh or layout_map.device_mesh
        self._layout_map = layout_map
        super().__init__(mesh, batch_dim_name or mesh.axis_names[0], auto_shard_dataset)

    layout_map = property(lambda self: self._layout_map, doc="The :class:`LayoutMap`.")

    def get_variable_layout(self, variable, path=None):
        """The layout the layout map gives ``path``, else replicated."""
        layout = self._layout_map[path] if path is not None else None
        if layout is None:
            return super().get_variable_layout(variable)
        if len(layout.axes) != len(variable.shape):
            raise ValueError(f"ModelParallel: the layout {layout.axes} for {path!r} has "
                             f"{len(layout.axes)} axes; the variable has shape "
                             f"{tuple(variable.shape)}.")
        return layout


def set_distribution(value):
    """Set the distribution ``fit``, ``evaluate`` and ``predict`` use (None: one device).

    >>> set_distribution(None); distribution() is None
    True
    """
    global _global
    if value is not None:
        if not isinstance(value, Distribution):
            raise ValueError("set_distribution expects a DataParallel, a ModelParallel or "
                             f"None; received {type(value).__name__}.")
        from lamina.distribution.devices import engine_half
        engine_half("set_distribution").check_distribution(value)
    _global = value


def distribution():
    """The distribution in use: the innermost ``scope()``'s, else the one set with
    :func:`set_distribution`, else None.

    >>> distribution() is None
    True
    """
    return _scoped.get() or _global
