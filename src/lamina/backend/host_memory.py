"""How a lamina process keeps the host memory it frees: for the next step, not for the
operating system.

A training step allocates and frees the same large buffers every time (activations,
gradients, XLA's scratch memory). glibc's ``malloc`` maps a fresh block of pages for
each allocation above its mmap threshold (128 KiB, rising to at most 32 MiB) and
unmaps it at ``free``, and it gives each thread that allocates its own heap, which maps
any block over 64 MiB afresh as well. So every step touches new pages, and each
first touch is a page fault that the kernel serves with a zeroed page: on this
project's 2-core CPU, half the time of a small CNN's training step on JAX went to page
faults (XLA allocates each step's scratch memory, 114 MB for
``benchmarks/layers_speed.py``'s CNN, on its own threads) and a third of it on torch.

With the ``"retain"`` policy (the default) lamina sets three ``mallopt`` parameters when
it is imported, before the engine starts its threads:

- ``M_ARENA_MAX`` 1: every thread allocates from the one main heap;
- ``M_MMAP_MAX`` 0: no block is mapped on its own, all come from that heap;
- ``M_TRIM_THRESHOLD`` 1 GiB: up to 1 GiB of free memory at the heap's top stays with
  the process.

A step then reuses the pages the previous step freed: the CNN of
``benchmarks/layers_speed.py`` trains 1.8x faster on JAX and 2x on torch, for both
lamina and hand-written code in the same process. The cost: the process's resident
memory stays near its peak (up to 1 GiB above what it uses), and memory freed below
the heap's top is reused rather than returned; threads share one heap's lock.

``LAMINA_HOST_MEMORY=system`` (or ``"host_memory": "system"`` in ``lamina.json``)
leaves ``malloc`` as it is. Other C libraries and operating systems are left alone.
Threads that allocated before lamina was imported (an engine used first) keep their
own heaps.

>>> from lamina.backend import host_memory
>>> host_memory.policy() in ("retain", "system", "unavailable")
True
"""

import ctypes
import ctypes.util
import sys

POLICIES = ("retain", "system")
TRIM_THRESHOLD = 1 << 30
# mallopt's parameter numbers (glibc's malloc.h)
_M_TRIM_THRESHOLD, _M_MMAP_MAX, _M_ARENA_MAX = -1, -4, -8

_applied = {"policy": None}


def _glibc():
    """The process's glibc, or None on another C library or operating system."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # glibc alone has it (musl's mallopt does nothing)
        libc.mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
        return libc
    except (OSError, AttributeError):
        return None


def configure(requested):
    """Apply ``requested``, a ``(policy, where it was set)`` pair (see
    :func:`lamina.backend.config.requested_host_memory`), once per process; return the
    policy in force: ``"retain"``, ``"system"`` or ``"unavailable"`` (not glibc).

    >>> configure(("retain", "the default")) == policy()
    True
    """
    name, source = requested
    if name not in POLICIES:
        raise ValueError(f"lamina: unknown host memory policy {name!r} (from {source}); "
                         f"expected one of {', '.join(POLICIES)}.")
    if _applied["policy"] is not None:
        return _applied["policy"]
    libc = _glibc()
    if libc is None:
        _applied["policy"] = "unavailable"
    elif name == "retain":
        for parameter, value in ((_M_ARENA_MAX, 1), (_M_MMAP_MAX, 0),
                                 (_M_TRIM_THRESHOLD, TRIM_THRESHOLD)):
            libc.mallopt(parameter, value)
        _applied["policy"] = "retain"
    else:
        _applied["policy"] = "system"
    return _applied["policy"]


def policy():
    """The policy this process runs under: ``"retain"``, ``"system"``, ``"unavailable"``
    (a C library other than glibc), or None before lamina's engine was imported.

    >>> policy() in ("retain", "system", "unavailable")
    True
    """
    return _applied["policy"]
