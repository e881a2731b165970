"""Devices and their arrangement: ``list_devices``, ``DeviceMesh``, ``TensorLayout``
and ``LayoutMap`` (the Keras 3 names).

A device is named ``"<type>:<id>"`` (``"cpu:0"``, ``"gpu:1"``). On jax the list holds
every device of every process (``jax.devices()``); on torch, which drives one device
per process, it holds one entry per process of the job (``cpu:<rank>`` over gloo,
``gpu:<rank>`` over NCCL), or the local GPUs before :func:`initialize` is called.

>>> from lamina import backend as K
>>> from lamina.distribution import DeviceMesh, LayoutMap
>>> if K.backend() != "numpy":
...     mesh = DeviceMesh((1,), ["batch"], devices=list_devices()[:1])
...     layouts = LayoutMap(mesh)
...     layouts[".*dense.*kernel"] = (None, "batch")
...     print(layouts["dense_1/kernel"].axes)
... else:
...     print((None, 'batch'))
(None, 'batch')
"""

import collections.abc
import math
import re

import numpy as np

from lamina import backend as K


def engine_half(what):
    """The engine's half of lamina.distribution (``lamina.backend.<engine>.distribution``);
    a clear error on the numpy engine, which cannot train."""
    if K.backend() == "numpy":
        raise RuntimeError(f"lamina.distribution.{what} needs the jax or torch engine; the "
                           "numpy engine runs inference on one device only. Select one with "
                           "LAMINA_BACKEND=jax or LAMINA_BACKEND=torch.")
    import importlib
    return importlib.import_module(f"lamina.backend.{K.backend()}.distribution")


def list_devices(device_type=None):
    """The devices available for distributed computation, as ``"<type>:<id>"`` strings.

    ``device_type`` is ``"cpu"``, ``"gpu"`` or ``"tpu"``; by default the accelerators
    when there are any, else the CPUs.

    >>> from lamina import backend as K
    >>> if K.backend() != "numpy":
    ...     print(list_devices("cpu")[0].startswith("cpu:"))
    ... else:
    ...     print(True)
    True
    """
    if device_type is not None and str(device_type).lower() not in ("cpu", "gpu", "tpu"):
        raise ValueError(f"list_devices: device_type must be 'cpu', 'gpu' or 'tpu'; received "
                         f"{device_type!r}.")
    return engine_half("list_devices").list_devices(
        None if device_type is None else str(device_type).lower())


def get_device_count(device_type=None):
    """The number of devices :func:`list_devices` gives for ``device_type``.

    >>> from lamina import backend as K
    >>> (get_device_count() >= 1) if K.backend() != "numpy" else True
    True
    """
    return len(list_devices(device_type))


class DeviceMesh:
    """Devices arranged in a grid with a name per axis (``("batch",)`` for data
    parallelism, ``("batch", "model")`` to also split weights).

    ``DeviceMesh(shape, axis_names, devices=None)``: ``devices`` defaults to
    :func:`list_devices`; their number must be the product of ``shape``.

    >>> mesh = DeviceMesh((2, 2), ["batch", "model"], devices=[f"cpu:{i}" for i in range(4)])
    >>> mesh.shape, mesh.axis_names, mesh.devices.shape
    ((2, 2), ('batch', 'model'), (2, 2))
    """

    def __init__(self, shape, axis_names, devices=None):
        shape = tuple(int(s) for s in shape)
        axis_names = tuple(str(a) for a in axis_names)
        if not shape or len(shape) != len(axis_names):
            raise ValueError(f"DeviceMesh: shape and axis_names must have the same, non-zero "
                             f"length; received shape={shape} and axis_names={axis_names}.")
        if len(set(axis_names)) != len(axis_names):
            raise ValueError(f"DeviceMesh: axis_names must be distinct; received {axis_names}.")
        devices = list_devices() if devices is None else [str(d) for d in np.ravel(devices)]
        if math.prod(shape) != len(devices):
            raise ValueError(f"DeviceMesh: a mesh of shape {shape} needs {math.prod(shape)} "
                             f"devices; received {len(devices)}: {devices}.")
        self._shape, self._axis_names = shape, axis_names
        self._devices = np.array(devices, dtype=object).reshape(shape)

    shape = property(lambda self: self._shape, doc="The mesh's shape, a tuple of ints.")
    axis_names = property(lambda self: self._axis_names, doc="The name of each axis.")
    devices = property(lambda self: self._devices,
                       doc="The device names, a NumPy array of the mesh's shape.")

    def __repr__(self):
        return f"<DeviceMesh shape={self.shape} axis_names={list(self.axis_names)}>"


class TensorLayout:
    """How one tensor is laid out on a :class:`DeviceMesh`: per dimension the name of
    the mesh axis it is split over, or None where it is replicated.

    >>> layout = TensorLayout((None, "model"))
    >>> layout.axes, layout.device_mesh is None
    ((None, 'model'), True)
    """

    def __init__(self, axes, device_mesh=None):
        self._axes = tuple(None if a is None else str(a) for a in axes)
        self._device_mesh = None
        if device_mesh is not None:
            self.device_mesh = device_mesh

    axes = property(lambda self: self._axes, doc="Per dimension, a mesh axis name or None.")

    @property
    def device_mesh(self):
        """The :class:`DeviceMesh` this layout refers to (None until set)."""
        return self._device_mesh

    @device_mesh.setter
    def device_mesh(self, mesh):
        unknown = [a for a in self._axes if a is not None and a not in mesh.axis_names]
        if unknown:
            raise ValueError(f"TensorLayout {self._axes}: the axes {unknown} are not axes of "
                             f"the device mesh, whose axes are {list(mesh.axis_names)}.")
        self._device_mesh = mesh

    def __repr__(self):
        return f"<TensorLayout axes={self.axes}>"


def distribute_tensor(tensor, layout):
    """``tensor`` laid out on ``layout``'s device mesh: on jax a sharded ``jax.Array``
    (inside a compiled step, a sharding constraint); on torch the tensor itself when
    the layout replicates it (splitting is not supported there yet).

    >>> from lamina import backend as K
    >>> if K.backend() != "numpy":
    ...     mesh = DeviceMesh((1,), ["batch"], devices=list_devices()[:1])
    ...     out = distribute_tensor(K.ones((4, 2)), TensorLayout(("batch", None), mesh))
    ...     print(tuple(out.shape))
    ... else:
    ...     print((4, 2))
    (4, 2)
    """
    if not isinstance(layout, TensorLayout) or layout.device_mesh is None:
        raise ValueError("distribute_tensor expects a TensorLayout with a device_mesh; "
                         f"received {layout!r}.")
    if len(layout.axes) != len(tensor.shape):
        raise ValueError(f"distribute_tensor: the layout {layout.axes} has {len(layout.axes)} "
                         f"axes; the tensor has shape {tuple(tensor.shape)}.")
    return engine_half("distribute_tensor").distribute_tensor(tensor, layout)


class LayoutMap(collections.abc.MutableMapping):
    """Regular expressions on variable paths (``"dense_1/kernel"``) mapped to
    :class:`TensorLayout` values; a tuple of axis names is turned into one.

    Looking a path up returns the layout of the key equal to it, else of the one key
    whose regex matches part of it (``re.search``), else None; a path that several
    keys match is an error.

    >>> mesh = DeviceMesh((2,), ["model"], devices=["cpu:0", "cpu:1"])
    >>> layouts = LayoutMap(mesh)
    >>> layouts[".*kernel"] = (None, "model")
    >>> layouts["dense/kernel"].axes, layouts["dense/bias"]
    ((None, 'model'), None)
    """

    def __init__(self, device_mesh):
        self._device_mesh = device_mesh
        self._layouts = {}

    device_mesh = property(lambda self: self._device_mesh, doc="The layouts' DeviceMesh.")

    def __getitem__(self, key):
        if key in self._layouts:
            return self._layouts[key]
        matches = [k for k in self._layouts if re.search(k, key)]
        if len(matches) > 1:
            raise ValueError(f"LayoutMap: the path {key!r} matches several keys {matches}; "
                             "make the regular expressions exclusive.")
        return self._layouts[matches[0]] if matches else None

    def __setitem__(self, key, layout):
        if key in self._layouts:
            raise ValueError(f"LayoutMap: the key {key!r} already has the layout "
                             f"{self._layouts[key]}; delete it first to replace it.")
        if isinstance(layout, (tuple, list)):
            layout = TensorLayout(layout)
        if not isinstance(layout, TensorLayout):
            raise ValueError(f"LayoutMap[{key!r}] expects a TensorLayout or a tuple of axis "
                             f"names; received {type(layout).__name__} {layout!r}.")
        if layout.device_mesh is None:
            layout.device_mesh = self._device_mesh
        self._layouts[key] = layout

    def __delitem__(self, key):
        del self._layouts[key]

    def __iter__(self):
        return iter(self._layouts)

    def __len__(self):
        return len(self._layouts)
