"""Data-parallel scaling: task A (the MLP of ``training_speed.py``: 784 -> 500 -> 100
-> 10, RMSprop, batch 128 global) trained by ``fit`` on 1 process, and on 2 processes
under ``DataParallel`` started by ``python -m lamina.distribution.launch``, on each
engine; plus the communication a data-parallel step adds: the all-reduce of the
gradients (one buffer of the model's 443,610 parameters) timed alone between the 2
processes (gloo on torch; a jitted sum over the processes' mesh on jax).

The global batch stays 128, so with 2 processes each computes 64 rows per step; on a
machine with 2 shared cores the processes compete for the same cores, so the numbers
show the cost of the distribution machinery rather than a speed-up. Every process
runs one thread (``OMP_NUM_THREADS=1``, as ``torchrun`` sets, unless the environment
says otherwise).

Run::

    python benchmarks/distributed_scaling.py                    # jax and torch
    python benchmarks/distributed_scaling.py --engines torch --samples 25600
"""

import argparse
import json
import os
import subprocess
import sys
import time

if not __package__:  # run as a script: the `benchmarks` package lives in the repository root
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks._timing import ROOT

BATCH = 128


def _allreduce_seconds(size, repeats=20):
    """Seconds per all-reduce of ``size`` float32 values between the job's processes."""
    from lamina import backend as K
    if K.backend() == "torch":
        import torch
        import torch.distributed as dist
        buffer = torch.ones(size)
        dist.all_reduce(buffer)
        start = time.perf_counter()
        for _ in range(repeats):
            dist.all_reduce(buffer)
        return (time.perf_counter() - start) / repeats
    import jax
    import numpy as np
    from jax.sharding import Mesh, NamedSharding, PartitionSpec
    mesh = Mesh(np.array(jax.devices()), ("batch",))
    local = np.ones((len(jax.local_devices()), size), np.float32)
    spread = jax.make_array_from_process_local_data(NamedSharding(mesh, PartitionSpec("batch")),
                                                    local)
    total = jax.jit(lambda a: a.sum(0), out_shardings=NamedSharding(mesh, PartitionSpec()))
    total(spread).block_until_ready()
    start = time.perf_counter()
    for _ in range(repeats):
        total(spread).block_until_ready()
    return (time.perf_counter() - start) / repeats


def worker(samples, epochs):
    """Train task A; process 0 prints one JSON line of timings."""
    from lamina import distribution
    distribution.initialize()
    processes = distribution.process_count()
    if processes > 1:
        distribution.set_distribution(distribution.DataParallel())
    from benchmarks.training_speed import lamina_model, make_data
    x, y = make_data(samples)
    model = lamina_model()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)  # warm-up: compiles, allocates
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
        times.append(time.perf_counter() - start)
    params = sum(int(w.size) for w in model.get_weights())
    communication = _allreduce_seconds(params) if processes > 1 else 0.0
    if distribution.process_index() == 0:
        print(json.dumps({"processes": processes, "epoch": min(times),
                          "steps": -(-samples // BATCH), "allreduce": communication}))


def run(engine, processes, samples, epochs):
    command = [sys.executable, os.path.abspath(__file__), "--worker",
               "--samples", str(samples), "--epochs", str(epochs)]
    if processes > 1:
        command = [sys.executable, "-m", "lamina.distribution.launch", "--nproc",
                   str(processes)] + command[1:]
    # one thread per process, as torchrun sets, for 1 process too: the same work per core
    env = dict(os.environ, LAMINA_BACKEND=engine)
    env.setdefault("OMP_NUM_THREADS", "1")
    out = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    if out.returncode != 0:
        print(out.stdout[-2000:], out.stderr[-4000:], file=sys.stderr)
        raise SystemExit(f"the {engine} run on {processes} process(es) failed")
    return json.loads([line for line in out.stdout.splitlines() if line.startswith("{")][-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="+", default=["jax", "torch"])
    parser.add_argument("--samples", type=int, default=12_800)
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs (the fastest counts)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        return worker(options.samples, options.epochs)
    print(f"task A, {options.samples} samples, global batch {BATCH}, fastest of "
          f"{options.epochs} epochs\n")
    print("| engine | processes | s / epoch | ms / step | samples / s | gradient all-reduce "
          "(ms / step) |\n|---|---|---|---|---|---|")
    for engine in options.engines:
        for processes in (1, 2):
            r = run(engine, processes, options.samples, options.epochs)
            step = r["epoch"] / r["steps"]
            print(f"| {engine} | {processes} | {r['epoch']:.3f} | {1e3 * step:.2f} | "
                  f"{options.samples / r['epoch']:.0f} | "
                  f"{1e3 * r['allreduce']:.2f} |" if processes > 1 else
                  f"| {engine} | 1 | {r['epoch']:.3f} | {1e3 * step:.2f} | "
                  f"{options.samples / r['epoch']:.0f} | - |", flush=True)


if __name__ == "__main__":
    main()
