"""Training and prediction speed of lamina against hand-written JAX and PyTorch loops.

A: the article's MLP (28x28 -> Reshape 784 -> Dense 500 relu -> Dense 100 -> Dense 10
   softmax), RMSprop(1e-3), categorical cross-entropy, 60,000 synthetic samples,
   batch 128: the time of one shuffled epoch, after a warm-up epoch.
D: ``predict`` on the same 60,000 samples, batch 128 (NumPy results).
S: start-up: from the start of a fresh process (before any import) to the end of
   the first training step, lamina against the hand-written loop, lamina's
   compilation cache off; on JAX also with the cache, in a new folder: the first run
   (compiles and stores) and the second (loads the stored programs).

Each engine runs in its own process (lamina picks its engine at import): lamina on
jax against ``jax.jit`` + optax (parameters and optimizer state donated, so XLA
updates them in place; predict dispatches every batch before fetching the results
in one transfer), lamina on torch against an eager PyTorch loop with
``torch.optim.RMSprop``. Inside a process the variants alternate, round after
round; the table gives the median of the rounds, the ratio of the medians and, as a
check against this machine's noise (slow spells lasting seconds), the ratio of the
fastest rounds.
The hand-written loops compute the same model the lamina user wrote (softmax
output, cross-entropy of one-hot labels with the probabilities clipped to
[1e-7, 1 - 1e-7]) and shuffle each epoch as ``fit`` does.

Targets: lamina-on-jax <= 1.05x raw JAX, lamina-on-torch <= 1.10x raw PyTorch on A
and D; start-up <= the raw loop's + 1 s.

Run::

    python benchmarks/training_speed.py              # jax and torch, 5 rounds
    python benchmarks/training_speed.py --engines torch --rounds 7
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

if not __package__:  # run as a script: the `benchmarks` package lives in the repository root
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks._timing import (ROOT, TABLE_HEADER, add_device_option, interleaved_rounds,
                                jax_epoch, jax_predict, jax_train_step, run_worker,
                                start_worker, table_row, torch_device, torch_epoch,
                                worker_env)

N, BATCH, CLASSES = 60_000, 128, 10
TARGETS = {"jax": 1.05, "torch": 1.10}


def make_data(n=N):
    import numpy as np
    rng = np.random.default_rng(0)
    x = rng.random((n, 28, 28), dtype=np.float32)
    y = np.eye(CLASSES, dtype=np.float32)[rng.integers(0, CLASSES, n)]
    return x, y


# -- lamina ---------------------------------------------------------------------
def lamina_model():
    from lamina import Input, Model, layers, optimizers
    inputs = Input((28, 28))
    h = layers.Reshape((784,))(inputs)
    h = layers.Dense(500, activation="relu")(h)
    h = layers.Dense(100)(h)
    outputs = layers.Dense(10, activation="softmax")(h)
    model = Model(inputs, outputs)
    model.compile(optimizer=optimizers.RMSprop(1e-3), loss="categorical_crossentropy")
    return model


class Lamina:
    def __init__(self, x, y):
        self.model, self.x, self.y = lamina_model(), x, y

    def train_epoch(self):
        self.model.fit(self.x, self.y, batch_size=BATCH, epochs=1, verbose=0)

    def predict(self):
        return self.model.predict(self.x, batch_size=BATCH, verbose=0)


# -- hand-written JAX -----------------------------------------------------------
class RawJax:
    def __init__(self, x, y):
        import jax
        import jax.numpy as jnp
        import numpy as np
        import optax
        self.x, self.y = x, y
        rng = np.random.default_rng(1)

        def glorot(n_in, n_out):
            limit = np.sqrt(6.0 / (n_in + n_out))
            return jnp.asarray(rng.uniform(-limit, limit, (n_in, n_out)).astype("float32"))

        self.params = [(glorot(784, 500), jnp.zeros(500, jnp.float32)),
                       (glorot(500, 100), jnp.zeros(100, jnp.float32)),
                       (glorot(100, 10), jnp.zeros(10, jnp.float32))]

        def forward(params, xb):
            (w1, b1), (w2, b2), (w3, b3) = params
            h = jax.nn.relu(xb.reshape(-1, 784) @ w1 + b1)
            return jax.nn.softmax((h @ w2 + b2) @ w3 + b3)

        def loss_fn(params, xb, yb):
            probs = jnp.clip(forward(params, xb), 1e-7, 1 - 1e-7)
            return -jnp.mean(jnp.sum(yb * jnp.log(probs), axis=-1))

        optimizer = optax.rmsprop(1e-3, decay=0.9, eps=1e-7)
        self.opt_state = optimizer.init(self.params)
        self.step = jax_train_step(loss_fn, optimizer)
        self.forward = jax.jit(forward)
        self.rng = np.random.default_rng(2)

    def train_epoch(self):
        order = self.rng.permutation(len(self.x))
        self.params, self.opt_state = jax_epoch(
            self.step, self.params, self.opt_state, self.x, self.y,
            (order[i:i + BATCH] for i in range(0, len(order), BATCH)))

    def predict(self):
        return jax_predict(self.forward, self.params, self.x,
                           (slice(i, i + BATCH) for i in range(0, len(self.x), BATCH)))


# -- hand-written PyTorch -------------------------------------------------------
def torch_crossentropy(probs, y):
    """Categorical cross-entropy of one-hot ``y``, probabilities clipped as Keras does."""
    return -(y * probs.clamp(1e-7, 1 - 1e-7).log()).sum(dim=-1).mean()


class RawTorch:
    def __init__(self, x, y):
        import torch
        self.torch = torch
        self.x, self.y = torch.from_numpy(x), torch.from_numpy(y)
        self.device = torch_device()
        self.model = torch.nn.Sequential(
            torch.nn.Flatten(), torch.nn.Linear(784, 500), torch.nn.ReLU(),
            torch.nn.Linear(500, 100), torch.nn.Linear(100, 10), torch.nn.Softmax(dim=-1)
        ).to(self.device)
        # foreach=True: torch's multi-tensor update (on CPU it defaults to a loop per tensor)
        self.optimizer = torch.optim.RMSprop(self.model.parameters(), lr=1e-3, alpha=0.9,
                                             eps=1e-7, foreach=True)

    def train_epoch(self):
        order = self.torch.randperm(len(self.x))
        torch_epoch(self.model, torch_crossentropy, self.optimizer, self.x, self.y,
                    (order[i:i + BATCH] for i in range(0, len(order), BATCH)), self.device)

    def predict(self):
        with self.torch.no_grad():
            outs = [self.model(self.x[i:i + BATCH].to(self.device))
                    for i in range(0, len(self.x), BATCH)]
        import numpy as np
        return np.concatenate([out.cpu().numpy() for out in outs])


RAW = {"jax": RawJax, "torch": RawTorch}


def worker(engine, rounds):
    """Interleaved rounds of A and D in this process; prints JSON timings."""
    start_worker(engine)
    x, y = make_data()
    variants = {"raw": RAW[engine](x, y), "lamina": Lamina(x, y)}
    for v in variants.values():  # warm-up: compile, first-touch memory
        v.train_epoch()
        v.predict()
    # All training rounds, then all prediction rounds: a predict right after a
    # training epoch pays for the allocator's state after backward (measured: both
    # variants' predict swings by 20-40 % there), which is not what D measures.
    tasks = [(task, {name: getattr(v, method) for name, v in variants.items()})
             for task, method in (("A", "train_epoch"), ("D", "predict"))]
    print(json.dumps(interleaved_rounds(tasks, rounds)))


STARTUP = {
    "lamina": """
import numpy as np
from benchmarks.training_speed import lamina_model, make_data
x, y = make_data(BATCH)
model = lamina_model()
model.train_on_batch(x, y)
""",
    "raw": """
from benchmarks.training_speed import RAW, make_data
x, y = make_data(BATCH)
RAW[ENGINE](x, y).train_epoch()
""",
}


def startup(engine, variant, cache="off", device=None):
    """Seconds from a fresh process's start to the end of its first training step;
    ``cache`` is lamina's compilation cache setting (``LAMINA_COMPILATION_CACHE``)."""
    code = ("import time; t0 = time.perf_counter()\n"
            f"BATCH = 128; ENGINE = {engine!r}\n" + STARTUP[variant]
            + "print(time.perf_counter() - t0)\n")
    env = dict(worker_env(engine, device), LAMINA_COMPILATION_CACHE=cache)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, cwd=ROOT, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def cached_startups(engine, runs, device=None):
    """``(first, second)`` lists: lamina's start-up with its compilation cache in a new
    folder (first run: empty, compiles and stores) and again (second run: loads)."""
    import tempfile
    first, second = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            first.append(startup(engine, "lamina", folder, device))
            second.append(startup(engine, "lamina", folder, device))
    return first, second


def main():
    parser = argparse.ArgumentParser(description="lamina training speed against raw loops")
    parser.add_argument("--engines", nargs="+", default=["jax", "torch"])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--startup-runs", type=int, default=3)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    add_device_option(parser)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.rounds)
        return
    print(TABLE_HEADER)
    for engine in args.engines:
        times = run_worker("training_speed", engine, ["--rounds", str(args.rounds)],
                           args.device)
        for task, label in (("A", "A: train one epoch"), ("D", "D: predict")):
            print(table_row(engine, label, times, task, TARGETS[engine]))
        runs = {"raw": [], "lamina": []}
        for _ in range(args.startup_runs):  # interleaved
            for v in runs:
                runs[v].append(startup(engine, v, device=args.device))
        raw, lam = statistics.median(runs["raw"]), statistics.median(runs["lamina"])
        print(f"| {engine} | S: start to first step | {raw:.2f} | {lam:.2f} | "
              f"{lam - raw:+.2f} s | <= +1 s | {min(runs['lamina']) - min(runs['raw']):+.2f} s |")
        if engine == "jax":
            first, second = cached_startups(engine, args.startup_runs, args.device)
            for label, times in (("first run", first), ("second run", second)):
                lam = statistics.median(times)
                print(f"| jax | S, compilation cache, {label} | {raw:.2f} | {lam:.2f} | "
                      f"{lam - raw:+.2f} s | <= +1 s | {min(times) - min(runs['raw']):+.2f} s |")


if __name__ == "__main__":
    main()
