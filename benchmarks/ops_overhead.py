"""Overhead of a K function's eager path against the engine library's own call.

DESIGN.md, principle 6: the eager path of a K function costs one type check and
one library call. This benchmark measures ``K.add`` and ``K.matmul`` on small
(8x8) and medium (256x256) float32 arrays against ``np.add``/``np.matmul``,
``torch.add``/``torch.matmul`` and ``jnp.add``/``jnp.matmul``, on every installed
engine, in one run.

lamina chooses its engine at import, so the driver runs one subprocess per engine
(``LAMINA_BACKEND=<engine>``). Inside it the two variants (direct call, K call)
alternate over several rounds; each measurement times enough calls to last at
least ``--min-time`` seconds, and the table reports the median per call (and, as a
check on a busy machine, the ratio of the fastest measurements). A third variant,
the "floor", is the smallest wrapper that keeps lamina's dtype rule: a plain Python
function with one dtype test before the library call; its ratio shows what any
Python-level dispatch costs on this machine. On JAX
each call includes ``block_until_ready()`` (eager dispatch of one call, until its
result exists).

Targets: K/direct <= 1.3 on small arrays, <= 1.05 on medium ones.

Run::

    python benchmarks/ops_overhead.py                 # every installed engine
    python benchmarks/ops_overhead.py --engines numpy --rounds 9
"""

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import timeit

ENGINES = ("jax", "torch", "numpy")
SIZES = (("small", 8), ("medium", 256))
OPS = ("add", "matmul")
TARGETS = {"small": 1.3, "medium": 1.05}


def _direct_functions(engine):
    """The engine library's own add/matmul, its array constructor and a 'wait' suffix."""
    if engine == "numpy":
        import numpy as np
        return {"add": np.add, "matmul": np.matmul}, (lambda a: a), ""
    if engine == "torch":
        import torch
        return ({"add": torch.add, "matmul": torch.matmul}, torch.from_numpy, "")
    import jax.numpy as jnp
    return ({"add": jnp.add, "matmul": jnp.matmul},
            (lambda a: jnp.asarray(a)), ".block_until_ready()")


def _calibrate(timer, min_time):
    number = 1
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= min_time:
            return number
        number = max(number * 2, int(number * min_time * 1.2 / max(elapsed, 1e-9)))


def _floor_wrapper(function):
    """The least a K function can be: a Python function with one dtype test in front of
    the library call (DESIGN.md's "one type check and one library call"), written
    without lamina. Its ratio is the floor that K's ratio is compared with."""
    def floor(a, b):
        try:
            if a.dtype is b.dtype:
                return function(a, b)
        except AttributeError:
            pass
        return function(a, b)
    return floor


def run_engine(engine, rounds, min_time):
    """Measure in this process (LAMINA_BACKEND must already name ``engine``)."""
    import numpy as np
    from lamina import backend as K
    assert K.backend() == engine, (K.backend(), engine)
    direct, to_array, wait = _direct_functions(engine)
    rng = np.random.default_rng(0)
    results = []
    for size_name, n in SIZES:
        a = to_array(rng.standard_normal((n, n)).astype("float32"))
        b = to_array(rng.standard_normal((n, n)).astype("float32"))
        for op_name in OPS:
            k_fn = getattr(K, op_name)
            row = {"engine": engine, "op": op_name, "size": f"{size_name} {n}x{n}",
                   "size_name": size_name}
            try:
                np.testing.assert_allclose(np.asarray(K.convert_to_numpy(k_fn(a, b))),
                                           np.asarray(direct[op_name](a, b)), rtol=1e-5)
            except Exception as e:  # an op missing on this engine: report, do not stop
                row["error"] = f"{type(e).__name__}: {str(e).splitlines()[0][:80]}"
                results.append(row)
                continue
            timers = {
                "direct": timeit.Timer(f"f(a, b){wait}", globals={"f": direct[op_name],
                                                                  "a": a, "b": b}),
                "k": timeit.Timer(f"f(a, b){wait}", globals={"f": k_fn, "a": a, "b": b}),
                "floor": timeit.Timer(f"f(a, b){wait}", globals={
                    "f": _floor_wrapper(direct[op_name]), "a": a, "b": b}),
            }
            for t in timers.values():  # warm-up (JAX compiles each primitive once)
                t.timeit(10)
            number = max(_calibrate(t, min_time) for t in timers.values())
            samples = {"direct": [], "k": [], "floor": []}
            for r in range(rounds):
                order = ("direct", "k", "floor") if r % 2 == 0 else ("floor", "k", "direct")
                for variant in order:
                    samples[variant].append(timers[variant].timeit(number) / number * 1e6)
            row["direct_us"] = statistics.median(samples["direct"])
            row["k_us"] = statistics.median(samples["k"])
            row["ratio"] = row["k_us"] / row["direct_us"]
            row["ratio_min"] = min(samples["k"]) / min(samples["direct"])
            row["floor_ratio"] = statistics.median(samples["floor"]) / row["direct_us"]
            row["calls"] = number
            results.append(row)
    return results


def _installed(engine):
    return importlib.util.find_spec(engine) is not None


def _format_table(rows):
    header = ("engine", "op", "size", "direct µs/call", "K µs/call", "ratio", "target", "",
              "ratio of minima", "floor ratio")
    lines = []
    for r in rows:
        target = TARGETS[r["size_name"]]
        if "error" in r:
            lines.append((r["engine"], r["op"], r["size"], "-", "-", "-", f"<= {target}",
                          r["error"], "-", "-"))
            continue
        verdict = "ok" if r["ratio"] <= target else "MISSES"
        lines.append((r["engine"], r["op"], r["size"], f"{r['direct_us']:.2f}",
                      f"{r['k_us']:.2f}", f"{r['ratio']:.3f}", f"<= {target}", verdict,
                      f"{r['ratio_min']:.3f}", f"{r['floor_ratio']:.3f}"))
    return header, lines


def _print_plain(header, lines):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *lines)]
    for row in (header, *lines):
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths)).rstrip())


def _print_markdown(header, lines):
    print("| " + " | ".join(header[:7]) + " | verdict | " + " | ".join(header[8:]) + " |")
    print("|" + "---|" * len(header))
    for row in lines:
        print("| " + " | ".join(str(x) for x in row) + " |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="*", default=None,
                        help="engines to measure (default: every installed one)")
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds (>= 7)")
    parser.add_argument("--min-time", type=float, default=0.1,
                        help="seconds per measurement (at least)")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        rows = run_engine(args.child, args.rounds, args.min_time)
        print("RESULT " + json.dumps(rows))
        return
    engines = args.engines or [e for e in ENGINES if _installed(e)]
    rows = []
    for engine in engines:
        print(f"measuring {engine} ...", file=sys.stderr, flush=True)
        env = dict(os.environ, LAMINA_BACKEND=engine)
        proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", engine,
                               "--rounds", str(args.rounds), "--min-time", str(args.min_time)],
                              env=env, capture_output=True, text=True)
        result = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
        if proc.returncode != 0 or not result:
            print(f"{engine}: the measurement failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
            continue
        rows.extend(json.loads(result[-1][len("RESULT "):]))
    header, lines = _format_table(rows)
    print(f"\nK function overhead, median of {args.rounds} alternating rounds "
          f"(>= {args.min_time} s each); Python {sys.version.split()[0]}\n")
    _print_plain(header, lines)
    print("\nMarkdown:\n")
    _print_markdown(header, lines)


if __name__ == "__main__":
    main()
