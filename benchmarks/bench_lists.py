"""Lists built by ``append`` and then read: the gradient against a hand-written reverse loop.

    python benchmarks/bench_lists.py            # 1k and 10k items (a minute or so)
    python benchmarks/bench_lists.py --quick    # a smoke test

``out = []; for x in xs: out.append(math.tanh(w * x))``, then the list read three ways: its
``sum``, walked by ``for y in out``, read by position ``out[k]`` in a loop over its length.  The
gradient with respect to ``w`` (specialized code, ``xs`` a list of floats) against the tight
loop one writes by hand: the forward values kept, then walked back once.  The gradient should
stay a constant factor of it from 1k to 10k items (linear); before ``rt.but_last`` and the
item-by-item gathering of a grown list's gradient each read by position or each append's
backward cost O(n).  Timing as in bench_scalar.py: interleaved rounds, ratios are medians of
per-round ratios, times are min (median) per call; one thread (``one_thread``).
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import one_thread  # noqa: E402  (before NumPy loads)

import argparse  # noqa: E402
import math  # noqa: E402

import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import srcdiff  # noqa: E402
from bench_scalar import cell, paired_ratio, per_call_times  # noqa: E402


def appended_sum(w, xs):
    out = []
    for x in xs:
        out.append(math.tanh(w * x))
    return sum(out)


def appended_walked(w, xs):
    out = []
    for x in xs:
        out.append(math.tanh(w * x))
    s = 0.0
    for y in out:
        s = s + y * y
    return s


def appended_by_position(w, xs):
    out = []
    for x in xs:
        out.append(math.tanh(w * x))
    s = 0.0
    for k in range(len(out)):
        s = s + out[k] * out[k]
    return s


def sum_by_hand(w, xs):
    """d/dw of ``sum(tanh(w * x))``: the squashed values kept, then one pass back."""
    ys = [math.tanh(w * x) for x in xs]
    gw = 0.0
    for k in range(len(xs) - 1, -1, -1):
        y = ys[k]
        gw += (1.0 - y * y) * xs[k]
    return gw


def squares_by_hand(w, xs):
    """d/dw of ``sum(tanh(w * x) ** 2)`` (the walked and the by-position functions)."""
    ys = [math.tanh(w * x) for x in xs]
    gw = 0.0
    for k in range(len(xs) - 1, -1, -1):
        y = ys[k]
        gw += 2.0 * y * (1.0 - y * y) * xs[k]
    return gw


ROWS = [("sum(out)", appended_sum, sum_by_hand), ("for y in out", appended_walked, squares_by_hand),
        ("out[k] in a loop", appended_by_position, squares_by_hand)]


def run(rounds, sizes):
    print(f"srcdiff list benchmark; NumPy {np.__version__}; srcdiff from {pathlib.Path(srcdiff.__file__).parent}")
    print(one_thread.HEADER)
    print(f"{rounds} interleaved rounds; times per call: min (median); ratios: median of per-round ratios")
    print("\n## out.append(math.tanh(w * x)) over xs, then read; gradient w.r.t. w; ratio to the hand reverse loop")
    rng = np.random.default_rng(0)
    for n in sizes:
        xs = (rng.normal(size=n) * 0.5).tolist()
        for label, fn, by_hand in ROWS:
            g = srcdiff.grad(fn, wrt=0)
            got, want = g(0.7, xs), by_hand(0.7, xs)
            if not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9):
                raise SystemExit(f"{label}: srcdiff {got} and the hand loop {want} disagree; not timing it")
            times = per_call_times([by_hand, g], (0.7, xs), rounds)
            print(f"{label + f', n={n}':<26} hand {cell(times[0])}; srcdiff {cell(times[1])} "
                  f"= {paired_ratio(times[1], times[0]):.2f}x")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke test: 1k items, two rounds")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (15; 2 with --quick)")
    args = parser.parse_args(argv)
    run(args.rounds or (2 if args.quick else 15), (1_000,) if args.quick else (1_000, 10_000))


if __name__ == "__main__":
    main()
