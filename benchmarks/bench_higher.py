"""Hessian-vector products: forward over reverse against reverse over reverse.

    python benchmarks/bench_higher.py            # a few seconds
    python benchmarks/bench_higher.py --quick    # fewer rounds, for a smoke test

For each function, prints per-call times of ``srcdiff.hvp`` built both ways
(``srcdiff.hvp(fn, wrt=..., mode="forward" | "reverse")``), the ratio
forward / reverse (below 1: forward over reverse is faster), and each over the time of
the plain gradient (what a Hessian-vector product costs in gradients).  Then the same
ratio for build time, and reverse over forward (the mode used for loops) over forward
over reverse.  Timing method as in ``bench_scalar.py``: interleaved rounds,
medians of per-round ratios.  Ends with a Markdown summary for the README.
"""
import argparse
import pathlib
import platform
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # benchmark this checkout, not whatever is installed
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402

import srcdiff  # noqa: E402
from bench_scalar import NEURON_ARGS, chain_source, load_module, neuron, paired_ratio, per_call_times  # noqa: E402
from srcdiff import hvp  # noqa: E402


def tangled_source():
    return '''import math


def tangled(x, y, z):
    a = x * y + math.sin(z * x)
    b = math.exp(-a * a) / (1.0 + y * y)
    c = math.sqrt(b * b + z * z) * math.tanh(x - y)
    return a * b + c / (1.0 + a * a) + math.log(1.0 + c * c)
'''


def layer_source():
    return '''import numpy as np


def layer(W, x, t):
    h = np.tanh(W @ x)
    return np.mean((h - t) ** 2) + 0.01 * np.sum(W * W)
'''


def cases(folder):
    exercise = load_module(folder, "exercise_b", (HERE.parent / "samples" / "exercise.py").read_text()).exercise
    chain = load_module(folder, "chain300", chain_source(300)).chain
    tangled = load_module(folder, "tangled_b", tangled_source()).tangled
    layer = load_module(folder, "layer_b", layer_source()).layer
    rng = np.random.default_rng(0)
    return [
        ("seeds' neuron, wrt w0", neuron, 0, NEURON_ARGS),
        ("seeds' exercise, wrt x", exercise, 0, (3.0, -4.0)),
        ("tangled 3-variable, wrt x", tangled, 0, (0.3, 0.7, -0.4)),
        ("chain of 300 ops, wrt x", chain, 0, (0.5, 0.9, 0.1)),
        ("NumPy tanh(W @ x), W 32x32", layer, 0, (rng.standard_normal((32, 32)), rng.standard_normal(32),
                                                 rng.standard_normal(32))),
    ]


def build_seconds(fn, wrt, mode, repeats):
    best = float("inf")
    for _ in range(repeats):
        srcdiff.api._CACHE.pop(fn, None)
        start = time.perf_counter()
        hvp(fn, wrt=wrt, mode=mode)
        best = min(best, time.perf_counter() - start)
    return best


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    rounds = 3 if args.quick else 25
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for label, fn, wrt, point in cases(folder):
            fwd, rev = hvp(fn, wrt=wrt, mode="forward"), hvp(fn, wrt=wrt, mode="reverse")
            rof = hvp(fn, wrt=wrt, mode="reverse-over-forward")
            g = srcdiff.grad(fn, wrt=wrt)
            call = point + (np.full(np.shape(point[wrt]), 0.7) if np.ndim(point[wrt]) else 0.7,)
            assert np.allclose(fwd(*call), rev(*call), rtol=1e-9, atol=1e-12), label
            assert np.allclose(fwd(*call), rof(*call), rtol=1e-9, atol=1e-12), label
            # the same adapter around all four, so the extra call costs each the same
            contenders = [lambda *a, h=fwd: h(*a), lambda *a, h=rev: h(*a), lambda *a, h=rof: h(*a),
                          lambda *a: g(*a[:-1])]
            t_fwd, t_rev, t_rof, t_grad = per_call_times(contenders, call, rounds)
            ratio = paired_ratio(t_fwd, t_rev)
            build = build_seconds(fn, wrt, "forward", 3) / build_seconds(fn, wrt, "reverse", 3)
            rows.append((label, min(t_fwd), min(t_rev), ratio, paired_ratio(t_fwd, t_grad),
                         paired_ratio(t_rev, t_grad), build, paired_ratio(t_rof, t_fwd)))
            print(f"{label:28s} forward/reverse {ratio:5.2f}x   hvp/grad: forward {rows[-1][4]:4.2f}x, "
                  f"reverse {rows[-1][5]:4.2f}x   build forward/reverse {build:4.2f}x   "
                  f"reverse-over-forward/forward {rows[-1][7]:4.2f}x")
    print()
    print(f"Python {platform.python_version()} on {platform.machine()}, {rounds} rounds")
    print()
    print("| function | forward over reverse | reverse over reverse | forward / reverse | hvp / grad (fwd, rev) "
          "| build fwd / rev | reverse over forward / fwd |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for label, f, r, ratio, fg, rg, build, rof in rows:
        print(f"| {label} | {f * 1e6:.2f} µs | {r * 1e6:.2f} µs | {ratio:.2f}x | {fg:.2f}x, {rg:.2f}x | {build:.2f}x "
              f"| {rof:.2f}x |")


if __name__ == "__main__":
    sys.exit(main())
