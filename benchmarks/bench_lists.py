"""Lists built by ``append`` and then read: the gradient against a hand-written reverse loop.

    python benchmarks/bench_lists.py            # 1k and 10k items, RNNs of 200, 800 and 3,200 steps
    python benchmarks/bench_lists.py --quick    # a smoke test
    python benchmarks/bench_lists.py --steps 200 800 --rounds 3   # the RNN part at those steps

``out = []; for x in xs: out.append(math.tanh(w * x))``, then the list read three ways: its
``sum``, walked by ``for y in out``, read by position ``out[k]`` in a loop over its length.  The
gradient with respect to ``w`` (specialized code, ``xs`` a list of floats) against the tight
loop one writes by hand: the forward values kept, then walked back once.  The gradient should
stay a constant factor of it from 1k to 10k items (linear); before ``rt.but_last`` and the
item-by-item gathering of a grown list's gradient each read by position or each append's
backward cost O(n).

The RNN part: ``hs.append(np.tanh(W @ hs[-1] + U @ xs[t]))``, a list of arrays appended to and
read in the same loop (16 units, 8 inputs), then ``np.sum(hs[-1] ** 2) + 0.1 * sum(np.sum(h)
for h in hs)``; its gradient with respect to ``W`` and ``U`` against backpropagation through
time written by hand in NumPy.  Before the reads added into one adjoint item by item and the
list grew in place, each read built a dense array of the list's gradient and each append
copied the list (quadratic in the steps).

Timing as in bench_scalar.py: interleaved rounds, ratios are medians of per-round ratios,
times are min (median) per call; one thread (``one_thread``).
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


def rnn(W, U, xs, h0):
    hs = [h0]
    for t in range(len(xs)):
        hs.append(np.tanh(W @ hs[-1] + U @ xs[t]))
    return np.sum(hs[-1] ** 2) + 0.1 * sum(np.sum(h) for h in hs)


def rnn_by_hand(W, U, xs, h0):
    """d/dW and d/dU of ``rnn``: the hidden states kept, then walked back once."""
    hs = [h0]
    for t in range(len(xs)):
        hs.append(np.tanh(W @ hs[-1] + U @ xs[t]))
    gW, gU = np.zeros_like(W), np.zeros_like(U)
    dh = 2.0 * hs[-1] + 0.1
    for t in range(len(xs) - 1, -1, -1):
        da = dh * (1.0 - hs[t + 1] * hs[t + 1])
        gW += np.outer(da, hs[t])
        gU += np.outer(da, xs[t])
        dh = W.T @ da + 0.1
    return gW, gU


def run_rnn(rounds, steps, units=16, inputs=8):
    print(f"\n## RNN: hs.append(np.tanh(W @ hs[-1] + U @ xs[t])), {units} units, {inputs} inputs; "
          "gradient w.r.t. W and U; ratio to backpropagation through time by hand")
    rng = np.random.default_rng(1)
    W, U = rng.normal(size=(units, units)) / np.sqrt(units), rng.normal(size=(units, inputs)) / np.sqrt(inputs)
    grad = srcdiff.grad(rnn, wrt=(0, 1))
    for n in steps:
        xs, h0 = rng.normal(size=(n, inputs)), rng.normal(size=units) * 0.5
        for got, want in zip(grad(W, U, xs, h0), rnn_by_hand(W, U, xs, h0)):
            if not np.allclose(got, want, rtol=1e-9, atol=1e-9):
                raise SystemExit(f"RNN, {n} steps: srcdiff and the hand loop disagree; not timing it")
        times = per_call_times([rnn_by_hand, grad], (W, U, xs, h0), rounds)
        print(f"{f'{n} steps':<26} hand {cell(times[0])}; srcdiff {cell(times[1])} "
              f"= {paired_ratio(times[1], times[0]):.2f}x")


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
    parser.add_argument("--steps", type=int, nargs="+", help="the RNN part alone, at these numbers of steps")
    args = parser.parse_args(argv)
    rounds = args.rounds or (2 if args.quick else 15)
    if args.steps:
        print(f"srcdiff list benchmark; NumPy {np.__version__}; srcdiff from {pathlib.Path(srcdiff.__file__).parent}")
        print(one_thread.HEADER)
        print(f"{rounds} interleaved rounds; times per call: min (median); ratios: median of per-round ratios")
        run_rnn(rounds, args.steps)
        return
    run(rounds, (1_000,) if args.quick else (1_000, 10_000))
    run_rnn(rounds, (200,) if args.quick else (200, 800, 3_200))


if __name__ == "__main__":
    main()
