"""``python -m lamina.distribution.launch --nproc N script.py [args]``: start N local
processes of ``script.py`` for the selected engine, each with the environment
:func:`lamina.distribution.initialize` reads.

On torch it runs ``torchrun --nproc_per_node N`` (``torch.distributed.run``, which
sets ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR`` and ``MASTER_PORT``);
on jax it starts the processes itself with ``JAX_COORDINATOR_ADDRESS``,
``JAX_NUM_PROCESSES`` and ``JAX_PROCESS_ID``. Either way, when a process fails the
others are stopped and the launcher exits with the failed process's status, so a
job never hangs on a dead peer.

>>> parse_arguments(["--nproc", "2", "train.py", "--epochs", "3"]).script_args
['--epochs', '3']
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time


def parse_arguments(argv):
    """The launcher's options, the script and the script's own arguments."""
    parser = argparse.ArgumentParser(prog="python -m lamina.distribution.launch",
                                     description="Start N local processes of a lamina script.")
    parser.add_argument("--nproc", type=int, default=2, help="number of processes (default 2)")
    parser.add_argument("--port", type=int, default=0,
                        help="process 0's port (default: a free one)")
    parser.add_argument("script", help="the Python script to run")
    parser.add_argument("script_args", nargs=argparse.REMAINDER,
                        help="arguments passed on to the script")
    options = parser.parse_args(argv)
    if options.nproc < 1:
        parser.error(f"--nproc must be at least 1; received {options.nproc}.")
    return options


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _engine():
    from lamina.backend import config
    return config.resolve_engine()


def _torch_command(options, port):
    return [sys.executable, "-m", "torch.distributed.run", f"--nproc_per_node={options.nproc}",
            "--nnodes=1", "--master_addr=127.0.0.1", f"--master_port={port}",
            options.script, *options.script_args]


def _stop(processes, grace=5.0):
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(max(deadline - time.monotonic(), 0.01))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _supervise(processes, names):
    """Wait for every process (called ``names`` in messages); at the first failure stop
    the others. The exit status."""
    try:
        while True:
            codes = [p.poll() for p in processes]
            failed = [c for c in codes if c not in (None, 0)]
            if failed:
                rank = codes.index(failed[0])
                print(f"lamina.distribution.launch: {names[rank]} exited with status "
                      f"{failed[0]}; stopping the others.", file=sys.stderr, flush=True)
                _stop(processes)
                return failed[0] if failed[0] > 0 else 1
            if all(c == 0 for c in codes):
                return 0
            time.sleep(0.05)
    except KeyboardInterrupt:
        _stop(processes)
        return 130


def launch(options):
    """Run the job described by ``options``; returns its exit status."""
    engine = _engine()
    port = options.port or _free_port()
    if engine == "numpy":
        print("lamina.distribution.launch: the numpy engine cannot train on several "
              "processes; select LAMINA_BACKEND=jax or LAMINA_BACKEND=torch.", file=sys.stderr)
        return 2
    if engine == "torch":
        return _supervise([subprocess.Popen(_torch_command(options, port))], ["torchrun"])
    processes = []
    for rank in range(options.nproc):
        env = dict(os.environ, JAX_COORDINATOR_ADDRESS=f"127.0.0.1:{port}",
                   JAX_NUM_PROCESSES=str(options.nproc), JAX_PROCESS_ID=str(rank))
        processes.append(subprocess.Popen([sys.executable, options.script,
                                           *options.script_args], env=env))
    return _supervise(processes, [f"process {rank}" for rank in range(options.nproc)])


def _interrupted(signum, frame):
    raise KeyboardInterrupt  # stop the processes as for Ctrl-C


def main(argv=None):
    """The command line entry point (a SIGTERM stops the processes as Ctrl-C does)."""
    signal.signal(signal.SIGTERM, _interrupted)
    return launch(parse_arguments(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
