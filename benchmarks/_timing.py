"""What the speed benchmarks share: one worker process per engine, interleaved rounds
of each task's variants, and a markdown table of medians and ratios.

A benchmark module runs itself as ``python -m benchmarks.<module> --worker <engine>``
(lamina picks its engine at import); the worker prints one JSON line of timings,
``{"<task>_<variant>": [seconds per round, ...]}``, which :func:`run_worker` reads.

>>> times = {"A_raw": [1.0, 1.2, 1.1], "A_lamina": [1.1, 1.3, 1.0]}
>>> table_row("jax", "A: train", times, "A", 1.05)
'| jax | A: train | 1.100 | 1.100 | 1.000 | <= 1.05 | 1.000 |'
"""

import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLE_HEADER = ("| engine | task | raw (s, median) | lamina (s, median) | ratio | target | "
                "ratio of minima |\n|---|---|---|---|---|---|---|")


def start_worker(engine):
    """Set up a worker process before either variant allocates: import lamina first, so
    the hand-written code runs under the host-memory policy lamina sets at import
    (:mod:`lamina.backend.host_memory`; an engine's threads that allocated before it
    keep their own heaps), and on torch :func:`flush_denormals`."""
    import lamina  # noqa: F401
    if engine == "torch":
        flush_denormals()


def flush_denormals():
    """Treat denormal floats as zero, for both variants. ``torch.optim.RMSprop`` takes
    ``sqrt`` of its running mean of squared gradients, which for always-zero gradients
    (dead ReLU units) decays into denormal numbers after some 800 steps; the CPU's
    sqrt on those is some 50 times slower, and the hand-written loop would slow down
    from its second epoch for a reason unrelated to the framework. (lamina, with
    Keras' formula, takes ``sqrt(v + epsilon)`` and never meets them.)"""
    import torch
    torch.set_flush_denormal(True)


def timed(fn):
    """Seconds that ``fn()`` takes."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved_rounds(tasks, rounds):
    """Time each task's variants, ``tasks`` being ``(task, {variant: fn})`` pairs: all
    rounds of one task, then the next task's. Inside a round every variant runs once,
    in the opposite order from the round before. Returns ``{"<task>_<variant>":
    [seconds, ...]}``."""
    times = {}
    for task, variants in tasks:
        for r in range(rounds):
            order = list(variants) if r % 2 == 0 else list(reversed(variants))
            for name in order:
                times.setdefault(f"{task}_{name}", []).append(timed(variants[name]))
    return times


def jax_train_step(loss_fn, optimizer):
    """The hand-written JAX training step: one ``jax.jit`` function of ``(params,
    opt_state, x, y)`` taking ``loss_fn(params, x, y)``'s gradient and applying the
    optax ``optimizer``; returns ``(params, opt_state, loss)``. The parameters and
    the optimizer state are donated, so XLA updates them in place (the arrays passed
    in are deleted; the caller keeps only the returned ones)."""
    import functools

    import jax
    import optax

    @functools.partial(jax.jit, donate_argnums=(0, 1))
    def step(params, opt_state, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    return step


def jax_epoch(step, params, opt_state, x, y, batches):
    """``step`` over the batches ``x[index], y[index]`` for each index in ``batches``,
    waiting for the last result; returns ``(params, opt_state)``."""
    import jax
    for index in batches:
        params, opt_state, loss = step(params, opt_state, x[index], y[index])
    params, opt_state = jax.block_until_ready((params, opt_state))
    float(loss)
    return params, opt_state


def jax_predict(forward, params, x, batches):
    """``forward(params, x[index])`` (a ``jax.jit`` function) for each index in
    ``batches``, all dispatched before any result is read, then fetched together as
    one NumPy array."""
    import jax
    import numpy as np
    outs = [forward(params, x[index]) for index in batches]
    return np.concatenate(jax.device_get(outs))


def torch_epoch(model, loss_fn, optimizer, x, y, batches, device=None):
    """One eager PyTorch epoch: ``loss_fn(model(x[index]), y[index])``, its gradient and
    an ``optimizer`` step for each index in ``batches``; on an accelerator ``device``
    each batch is copied there first (as lamina copies each NumPy batch)."""
    on_host = device is None or device.type == "cpu"
    for index in batches:
        xb, yb = (x[index], y[index]) if on_host else (
            x[index].to(device, non_blocking=True), y[index].to(device, non_blocking=True))
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    loss.item()


def add_device_option(parser):
    """The ``--device`` option: where every variant of a run computes."""
    parser.add_argument("--device", default=None,
                        help="cpu, gpu or gpu:N: where lamina and the hand-written code "
                             "compute (default: each engine's default device, the first GPU "
                             "when there is one)")


def worker_env(engine, device=None):
    """The environment of a worker on ``engine``: lamina's ``LAMINA_DEVICE`` names the
    device; JAX's hand-written code follows it through ``JAX_PLATFORMS`` for the CPU."""
    env = dict(os.environ, LAMINA_BACKEND=engine)
    if device is not None:
        env["LAMINA_DEVICE"] = device
        if engine == "jax" and device.split(":")[0] == "cpu":
            env["JAX_PLATFORMS"] = "cpu"
    return env


def torch_device():
    """The device lamina's torch engine places tensors on in this worker (from
    ``--device``), which the hand-written torch code uses too."""
    from lamina.backend import engine
    return engine.current_device()


def run_worker(module, engine, arguments, device=None):
    """The timings printed by ``python -m benchmarks.<module> --worker <engine>
    *arguments`` run on ``engine`` (on ``device``, when given)."""
    env = worker_env(engine, device)
    out = subprocess.run([sys.executable, "-m", f"benchmarks.{module}", "--worker", engine,
                          *arguments], capture_output=True, text=True, env=env, cwd=ROOT)
    if out.returncode != 0:
        print(out.stderr, file=sys.stderr)
        raise SystemExit(f"the {engine} worker failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def table_row(engine, label, times, task, target):
    """The table's line for ``task``: medians of raw and lamina, their ratio, the
    target and the ratio of the fastest rounds."""
    raw = statistics.median(times[f"{task}_raw"])
    lamina = statistics.median(times[f"{task}_lamina"])
    fastest = min(times[f"{task}_lamina"]) / min(times[f"{task}_raw"])
    return (f"| {engine} | {label} | {raw:.3f} | {lamina:.3f} | {lamina / raw:.3f} | "
            f"<= {target} | {fastest:.3f} |")
