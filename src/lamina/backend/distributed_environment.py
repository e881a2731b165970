"""The job a process belongs to, read from the launchers' environment variables
(imports nothing of lamina's, so that an engine can join its job while it loads).

>>> job_settings(environ={})
{'address': None, 'num_processes': 1, 'process_id': 0, 'local_rank': 0}
"""

import os

_FROM_ENVIRONMENT = {
    "address": ("LAMINA_DISTRIBUTION_JOB_ADDRESSES", "JAX_COORDINATOR_ADDRESS"),
    "num_processes": ("LAMINA_DISTRIBUTION_NUM_PROCESSES", "WORLD_SIZE", "JAX_NUM_PROCESSES"),
    "process_id": ("LAMINA_DISTRIBUTION_PROCESS_ID", "RANK", "JAX_PROCESS_ID"),
}


def _first(environ, names):
    return next((environ[n] for n in names if environ.get(n, "") != ""), None)


def _as_int(value, what):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"initialize: {what} must be an integer; received {value!r}.") from None


def job_timeout(environ=None):
    """Seconds a process waits for the others (to join, or in a collective):
    ``LAMINA_DISTRIBUTION_TIMEOUT``, default 300.

    >>> job_timeout(environ={"LAMINA_DISTRIBUTION_TIMEOUT": "60"})
    60.0
    """
    environ = os.environ if environ is None else environ
    return float(environ.get("LAMINA_DISTRIBUTION_TIMEOUT", 300))


def job_settings(job_addresses=None, num_processes=None, process_id=None, environ=None):
    """The job's ``address`` (process 0's ``host:port``), ``num_processes``,
    ``process_id`` and ``local_rank``, from the arguments and then ``environ``
    (default ``os.environ``), as :func:`initialize` reads them.

    >>> job_settings("10.0.0.1:1234,10.0.0.2:1234", 2, 0, environ={})["address"]
    '10.0.0.1:1234'
    """
    environ = os.environ if environ is None else environ
    address = job_addresses or _first(environ, _FROM_ENVIRONMENT["address"])
    if address is None and environ.get("MASTER_ADDR"):
        address = f"{environ['MASTER_ADDR']}:{environ.get('MASTER_PORT', '29500')}"
    if address is not None:
        address = str(address).split(",")[0].strip()
    count = num_processes if num_processes is not None else \
        _first(environ, _FROM_ENVIRONMENT["num_processes"])
    index = process_id if process_id is not None else \
        _first(environ, _FROM_ENVIRONMENT["process_id"])
    count = 1 if count is None else _as_int(count, "num_processes")
    index = 0 if index is None else _as_int(index, "process_id")
    if count < 1 or not 0 <= index < count:
        raise ValueError(f"initialize: process_id must be in [0, num_processes); received "
                         f"process_id={index} and num_processes={count}.")
    if count > 1 and not address:
        raise ValueError(f"initialize: a job of {count} processes needs the address of process "
                         "0 (job_addresses='host:port', LAMINA_DISTRIBUTION_JOB_ADDRESSES, "
                         "MASTER_ADDR/MASTER_PORT or JAX_COORDINATOR_ADDRESS); none was given.")
    if address and ":" not in address:
        raise ValueError(f"initialize: the address of process 0 must be 'host:port'; received "
                         f"{address!r}.")
    local = environ.get("LOCAL_RANK", "")
    return {"address": address, "num_processes": count, "process_id": index,
            "local_rank": _as_int(local, "LOCAL_RANK") if local != "" else index}
