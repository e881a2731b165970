"""How long building models takes in lamina, one source tree against another.

Building is everything from ``Input(...)`` to ``Model(...)``: making the layers and
their weights and inferring every symbolic shape. The models, written with the public
API as a user writes them:

mydense:    the article's first model: Input([None, 28, 28]) ->
            Reshape([784]) -> Dense(500, relu) -> MyDense(100), a custom layer made
            of K.variable, K.Variable, K.random_normal and K.dot -> Dense(10, softmax).
two_branch: the article's two-branch model: two Dense(500, relu) from the reshape
            -> MyLayer([100, 80]), a custom layer of a list of two tensors ending in
            K.concatenate -> Dense(10, softmax).
cnn:        Input((28, 28, 1)) -> Conv2D(32, 3) -> MaxPooling2D(2) -> Conv2D(64, 3)
            -> Flatten -> Dense(10).
lstm:       Input((None, 8)) -> LSTM(16, return_sequences=True) -> Dense(4).
first_step: ``compile(optimizer="rmsprop", loss="categorical_crossentropy")`` of a
            freshly built mydense model plus its first ``train_on_batch`` on a batch
            shaped like its declared input, (32, 1, 28, 28), with one-hot labels (the
            build itself is not timed here). NumPy cannot train: there it is
            ``compile`` plus the first ``predict_on_batch``.

Each round starts, per engine, one fresh process per source tree (lamina picks its
engine at import; ``PYTHONPATH`` is set to the tree's ``src``, and the process checks
that its lamina came from there) and asks the two processes in turn, one request at a
time while the other waits: ``import lamina``, then, model after model in the order
above, one first build (which pays lazy imports and, on JAX, compilations; the first
model pays most of them) and ``--builds`` warm builds. Each build in one tree is thus
next to the same build in the other (baseline, candidate, then candidate, baseline,
...; the next round starts with the other tree), so that a slow spell of this shared
machine hits both. The table gives, per engine and model, the median of the first
builds (one per round) and of the warm builds (all rounds), the ratio candidate /
baseline of the medians and, as a check against noise, of the minima; a model that
raises is reported as failing, with its error under the table.

The workers compute on ``--threads`` threads (default 1: ``OMP_NUM_THREADS``,
``OPENBLAS_NUM_THREADS`` and ``MKL_NUM_THREADS``, and on JAX
``--xla_cpu_multi_thread_eigen=false``). Building runs real operations on small
arrays; on this machine's 2 shared cores, multi-threaded BLAS under load made the
same NumPy build swing from 10 to 200 ms.

Run, from the repository root::

    python benchmarks/model_building.py --baseline-src ../main/src   # this tree's src
    python benchmarks/model_building.py --baseline-src /tmp/base/src --src src \\
        --engines torch --models mydense lstm --rounds 5 --builds 10
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

if not __package__:  # run as a script: the `benchmarks` package lives in the repository root
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks._timing import ROOT, timed

MODELS = ("mydense", "two_branch", "cnn", "lstm", "first_step")
BATCH = 32


# -- the models, as a user writes them (run inside a worker only) ---------------------
def custom_layers():
    """The article's two custom layers, MyDense and MyLayer, as examples/article_models.py
    writes them (imported after lamina, whose import the worker times)."""
    from examples.article_models import MyDense, MyLayer
    return MyDense, MyLayer


class Builders:
    """One method per model of the docstring; each returns its seconds."""

    def __init__(self, engine):
        import numpy as np
        self.engine = engine
        self.MyDense, self.MyLayer = custom_layers()
        rng = np.random.default_rng(0)
        self.x = rng.random((BATCH, 1, 28, 28), dtype=np.float32)
        self.y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, BATCH)]

    def build_mydense(self):
        from lamina import Input, Model, layers
        input_feature = Input([None, 28, 28])
        x = layers.Reshape([784])(input_feature)
        x = layers.Dense(500, activation="relu")(x)
        x = self.MyDense(100)(x)
        x = layers.Dense(10, activation="softmax")(x)
        return Model(input_feature, x)

    def build_two_branch(self):
        from lamina import Input, Model, layers
        input_feature = Input([None, 28, 28])
        x = layers.Reshape([784])(input_feature)
        x1 = layers.Dense(500, activation="relu")(x)
        x2 = layers.Dense(500, activation="relu")(x)
        x = self.MyLayer([100, 80])([x1, x2])
        x = layers.Dense(10, activation="softmax")(x)
        return Model(input_feature, x)

    def build_cnn(self):
        from lamina import Input, Model, layers
        inputs = Input((28, 28, 1))
        h = layers.Conv2D(32, 3, activation="relu")(inputs)
        h = layers.MaxPooling2D(2)(h)
        h = layers.Conv2D(64, 3, activation="relu")(h)
        h = layers.Flatten()(h)
        return Model(inputs, layers.Dense(10, activation="softmax")(h))

    def build_lstm(self):
        from lamina import Input, Model, layers
        inputs = Input((None, 8))
        h = layers.LSTM(16, return_sequences=True)(inputs)
        return Model(inputs, layers.Dense(4)(h))

    def first_step(self, model):
        model.compile(optimizer="rmsprop", loss="categorical_crossentropy")
        if self.engine == "numpy":
            model.predict_on_batch(self.x)
        else:
            model.train_on_batch(self.x, self.y)

    def time(self, name):
        if name == "first_step":
            model = self.build_mydense()
            return timed(lambda: self.first_step(model))
        return timed(getattr(self, f"build_{name}"))


def worker(engine):
    """Answers the comparing process, one JSON line per request line: ``import``
    times lamina's import (and says where lamina came from); a model's name times one
    build of it (``{"seconds": ...}`` or ``{"error": ...}``)."""
    builders, answers = None, sys.stdout
    sys.stdout = sys.stderr  # what lamina or an engine prints stays out of the answers
    for line in sys.stdin:
        name = line.strip()
        if name == "import":
            start = time.perf_counter()
            import lamina
            from lamina import backend as K  # noqa: F401  (part of what a user imports)
            answer = {"seconds": time.perf_counter() - start,
                      "lamina": os.path.dirname(os.path.dirname(os.path.abspath(lamina.__file__)))}
            builders = Builders(engine)
        else:
            try:
                answer = {"seconds": builders.time(name)}
            except Exception as e:  # reported under the table: the tree cannot build it
                answer = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(answer), file=answers, flush=True)


# -- the comparing process ------------------------------------------------------------
def thread_settings(threads):
    """The environment variables that hold the engines to ``threads`` threads."""
    env = {name: str(threads) for name in
           ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    if threads == 1:
        env["XLA_FLAGS"] = " ".join(filter(None, [os.environ.get("XLA_FLAGS"),
                                                  "--xla_cpu_multi_thread_eigen=false"]))
    return env


class Worker:
    """A fresh worker process on ``engine`` with lamina taken from ``src``."""

    def __init__(self, engine, src, threads):
        self.engine, self.src = engine, src
        env = dict(os.environ, LAMINA_BACKEND=engine, PYTHONPATH=src,
                   **thread_settings(threads))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.model_building", "--worker", engine],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)

    def ask(self, request):
        self.process.stdin.write(request + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"the {self.engine} worker with PYTHONPATH={self.src} died "
                             f"while timing {request}")
        return json.loads(line)

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def one_round(engine, trees, order, args, times, errors):
    """One fresh worker per tree, asked in turn (``order`` first, then alternating):
    the import, each model of ``args.models``' first build, then its ``args.builds``
    warm builds. Appends the seconds to ``times[tree][quantity]`` and a tree's first
    error per model to ``errors``."""
    workers = {tree: Worker(engine, trees[tree], args.threads) for tree in order}
    for tree, w in workers.items():
        answer = w.ask("import")
        if os.path.realpath(answer["lamina"]) != os.path.realpath(trees[tree]):
            raise SystemExit(f"the {engine} worker imported lamina from {answer['lamina']}, "
                             f"not from {trees[tree]}")
        times[tree].setdefault("import", []).append(answer["seconds"])
    for name in args.models:
        for i in range(1 + args.builds):
            for tree in (order if i % 2 == 0 else order[::-1]):
                if (engine, tree, name) in errors:
                    continue
                answer = workers[tree].ask(name)
                if "error" in answer:
                    errors[engine, tree, name] = answer["error"]
                else:
                    times[tree].setdefault((name, "first" if i == 0 else "warm"),
                                           []).append(answer["seconds"])
    for w in workers.values():
        w.close()


def cells(baseline, candidate):
    """The table's cells for a quantity: both medians in ms, the ratio candidate /
    baseline of the medians and of the minima; ``fails`` where a tree has no time."""
    if not baseline or not candidate:
        return [f"{statistics.median(t) * 1e3:.1f}" if t else "fails"
                for t in (baseline, candidate)] + ["", ""]
    b, c = statistics.median(baseline), statistics.median(candidate)
    return [f"{b * 1e3:.1f}", f"{c * 1e3:.1f}", f"{c / b:.2f}",
            f"{min(candidate) / min(baseline):.2f}"]


def main():
    parser = argparse.ArgumentParser(description="lamina's model building time, one source "
                                     "tree against another")
    parser.add_argument("--baseline-src", help="the src folder of the tree to compare "
                        "against (required)")
    parser.add_argument("--src", default=os.path.join(ROOT, "src"),
                        help="the src folder of the candidate tree (default: this one's)")
    parser.add_argument("--engines", nargs="+", default=["jax", "torch", "numpy"])
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--rounds", type=int, default=3,
                        help="fresh pairs of processes per engine")
    parser.add_argument("--builds", type=int, default=10,
                        help="warm builds per model and process, after the first")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads the engines compute on in the workers")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return
    if not args.baseline_src:
        parser.error("--baseline-src is required: the src folder to compare against")
    trees = {"baseline": os.path.abspath(args.baseline_src), "candidate": os.path.abspath(args.src)}
    for tree, src in trees.items():
        if not os.path.isfile(os.path.join(src, "lamina", "__init__.py")):
            parser.error(f"the {tree} src folder should hold the lamina package; "
                         f"{src} has no lamina/__init__.py")
    print(f"baseline: {trees['baseline']}\ncandidate: {trees['candidate']}\n"
          f"{args.rounds} rounds, {args.builds} warm builds each, {args.threads} "
          "thread(s); times in ms, "
          "ratios candidate / baseline\n")
    print("| engine | model | first: baseline | first: candidate | ratio | ratio of minima | "
          "warm: baseline | warm: candidate | ratio | ratio of minima |\n"
          "|---|---|---|---|---|---|---|---|---|---|")
    errors = {}
    for engine in args.engines:
        times = {"baseline": {}, "candidate": {}}
        for r in range(args.rounds):
            order = ["baseline", "candidate"] if r % 2 == 0 else ["candidate", "baseline"]
            one_round(engine, trees, order, args, times, errors)
        print(f"| {engine} | import lamina | "
              + " | ".join(cells(times["baseline"]["import"], times["candidate"]["import"]))
              + " | | | | |")
        for name in args.models:
            row = [cell for quantity in ("first", "warm")
                   for cell in cells(times["baseline"].get((name, quantity), []),
                                     times["candidate"].get((name, quantity), []))]
            print(f"| {engine} | {name} | " + " | ".join(row) + " |", flush=True)
    failures = {}
    for (engine, tree, name), message in errors.items():
        failures.setdefault((name, message), []).append(f"{engine} {tree}")
    for (name, message), where in failures.items():
        print(f"\n{name} fails ({', '.join(where)}): {message}")


if __name__ == "__main__":
    main()
