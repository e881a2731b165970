"""``initialize``: join the processes of a job, from arguments or from the environment
the launchers set.

Each value comes from, in order: the argument; lamina's variables
``LAMINA_DISTRIBUTION_JOB_ADDRESSES`` (comma-separated ``host:port``, the first being
process 0's), ``LAMINA_DISTRIBUTION_NUM_PROCESSES`` and
``LAMINA_DISTRIBUTION_PROCESS_ID``; then the engine's own launcher: torchrun's
``MASTER_ADDR``/``MASTER_PORT``, ``WORLD_SIZE`` and ``RANK`` (``LOCAL_RANK`` picks the
GPU), or JAX's ``JAX_COORDINATOR_ADDRESS``, ``JAX_NUM_PROCESSES`` and
``JAX_PROCESS_ID``. ``LAMINA_DISTRIBUTION_TIMEOUT`` (seconds, default 300) bounds how
long a process waits for the others (to join, or in a collective). Without a number
of processes above 1, ``initialize`` does nothing and the job is this one process.
On jax a process started by the launcher has already joined when lamina loads (JAX
must join before its first computation); ``initialize`` then does nothing more.

>>> job_settings(None, None, None, {"MASTER_ADDR": "10.0.0.1", "MASTER_PORT": "29500",
...                                 "WORLD_SIZE": "2", "RANK": "1", "LOCAL_RANK": "1"})
{'address': '10.0.0.1:29500', 'num_processes': 2, 'process_id': 1, 'local_rank': 1}
"""

from lamina.backend.distributed_environment import job_settings, job_timeout
from lamina.distribution.devices import engine_half


def initialize(job_addresses=None, num_processes=None, process_id=None):
    """Join this process to the job (``torch.distributed.init_process_group`` over gloo,
    or NCCL with GPUs, on torch; ``jax.distributed.initialize`` on jax). Call it first,
    before any computation. Run the script with
    ``python -m lamina.distribution.launch --nproc N script.py`` (or ``torchrun``),
    which sets the environment it reads.

    >>> from lamina import backend as K
    >>> if K.backend() != "numpy":
    ...     initialize()  # one process: nothing to join
    ...     print(process_count())
    ... else:
    ...     print(1)
    1
    """
    settings = job_settings(job_addresses, num_processes, process_id)
    if settings["num_processes"] > 1:
        engine_half("initialize").initialize(**settings, timeout=job_timeout())


def process_index():
    """This process's index in the job (0 on one process).

    >>> process_index()
    0
    """
    return engine_half("process_index").process_index() if _engine_known() else 0


def process_count():
    """The number of processes of the job (1 until :func:`initialize` joins one).

    >>> process_count()
    1
    """
    return engine_half("process_count").process_count() if _engine_known() else 1


def _engine_known():
    from lamina import backend as K
    return K.backend() != "numpy"
