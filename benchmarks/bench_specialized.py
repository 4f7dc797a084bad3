"""Gradients specialized to their arguments (issue 13): loops over data and the 2-layer net
in float64 and float32, against tight hand-written gradients, and JAX, PyTorch and
autograd where installed.

    python benchmarks/bench_specialized.py            # the measurement (a few minutes)
    python benchmarks/bench_specialized.py --quick    # a smoke test

Every contender runs on one thread (``one_thread``: BLAS, XLA's thread pool and PyTorch's,
set before NumPy is imported; printed, and the threads that did the work of each net
contender counted).  Timing as in
bench_scalar.py: interleaved rounds, ratios are medians of per-round ratios, times are
min (median) per call.  Every contender is checked against srcdiff's numbers before it is
timed.  Rows:

| workload | srcdiff vs | target |
| --- | --- | --- |
| ``h = tanh(w * h + u * xs[i])`` and ``for x in xs``, 1k and 100k items, list and array | a tight hand-written reverse loop | <= 1.1x |
| the same with ``jit="numba"`` (when numba is installed), f64 array | hand-written Python; ``jax.jit`` + ``lax.scan`` | <= 0.15x; faster |
| 2-layer ReLU net, f64 and f32, N=64 D=H=128 and N=512 D=H=1024 | tight hand NumPy backprop | <= 1.0x; f32 peak memory as hand's |

The dispatch cost (the specialized gradient called through ``srcdiff.grad``'s function,
against the specialized code called directly) is printed too.
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import one_thread  # noqa: E402  (before NumPy, JAX and PyTorch load)

import argparse  # noqa: E402
import math  # noqa: E402
import tracemalloc  # noqa: E402

import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import srcdiff  # noqa: E402
from bench_numpy import by_hand, load_sample  # noqa: E402
from bench_scalar import cell, paired_ratio, per_call_times  # noqa: E402
from contenders import jax_net, jax_recurrence, torch_net  # noqa: E402

sys.path.insert(0, str(ROOT / "samples"))
from recurrence import recurrence  # noqa: E402  (samples/recurrence.py)


def recurrence_items(w, u, xs):
    """The same recurrence written over the items."""
    h = 0.0
    for x in xs:
        h = math.tanh(w * h + u * x)
    return h


def recurrence_by_hand(w, u, xs):
    """The tight reverse loop one writes for speed: tape the states, then walk back."""
    n = len(xs)
    hs = [0.0] * (n + 1)
    h = 0.0
    for i in range(n):
        h = math.tanh(w * h + u * xs[i])
        hs[i + 1] = h
    gw = gu = 0.0
    gxs = [0.0] * n
    gh = 1.0
    for i in range(n - 1, -1, -1):
        hn = hs[i + 1]
        gs = gh * (1.0 - hn * hn)
        gw += gs * hs[i]
        gu += gs * xs[i]
        gxs[i] = gs * u
        gh = gs * w
    return gw, gu, gxs if isinstance(xs, list) else np.array(gxs, dtype=np.asarray(xs).dtype)


def check(got, want, what, rtol=1e-6):
    for g, w in zip(got, want):
        if not np.allclose(np.asarray(g, dtype=float), np.asarray(w, dtype=float), rtol=rtol, atol=rtol):
            raise SystemExit(f"{what} disagrees with srcdiff; not timing it")


def ratio_row(label, contenders, args, rounds):
    """One row: each contender's time and its ratio to the first (the hand-written one)."""
    times = per_call_times([fn for _, fn in contenders], args, rounds)
    parts = [f"{name} {cell(t)}" + ("" if i == 0 else f" = {paired_ratio(t, times[0]):.2f}x")
             for i, ((name, _), t) in enumerate(zip(contenders, times))]
    print(f"{label:<34} " + "; ".join(parts))
    return times


def loops(rounds, sizes):
    print("\n## recurrence h = tanh(w*h + u*xs[i]), gradient w.r.t. w, u, xs; ratio to the hand reverse loop")
    rng = np.random.default_rng(0)
    for n in sizes:
        data = rng.normal(size=n) * 0.5
        for kind, xs in (("list", data.tolist()), ("f64 array", data)):
            for fn in (recurrence, recurrence_items):
                g = srcdiff.grad(fn)
                args = (0.7, 0.3, xs)
                check(recurrence_by_hand(*args), g(*args), "the hand loop")
                contenders = [("hand", recurrence_by_hand), ("srcdiff", g)]
                jitted = jax_recurrence(n)
                if jitted is not None:
                    check(jitted(*args), g(*args), "jax.jit + lax.scan", 1e-4)
                    contenders.append(("jax.jit+scan", jitted))
                label = f"{'xs[i]' if fn is recurrence else 'for x in xs'}, {kind}, n={n}"
                ratio_row(label, contenders, args, rounds)
        numba_row(data, rounds)


def numba_row(data, rounds):
    """jit="numba" against hand-written Python and jax.jit + lax.scan, where numba is installed.

    Two sets of arguments.  The loops' own (``w = 0.7``): the backward sweep's adjoint
    shrinks by about 0.7 per step, so after some 2,000 steps (the 100k row) it is a subnormal number,
    and it stays at the smallest one (5e-324 times 0.7 rounds back up to 5e-324), where
    every floating-point operation takes the processor tens of times longer.  srcdiff
    returns these values exactly; XLA flushes subnormal numbers to zero, which is why
    jax.jit does not pay for them.  The second set (``w = 1.0``, ``xs`` 50 times smaller)
    keeps every adjoint a normal number, and shows the compiled loop's own speed.
    """
    try:
        g = srcdiff.grad(recurrence, jit="numba")
    except (ImportError, srcdiff.SrcdiffError, TypeError) as err:
        print(f"jit='numba', n={data.size}: not measured ({type(err).__name__}: {str(err).splitlines()[0]})")
        return
    jitted = jax_recurrence(data.size)
    for label, args in (("w=0.7", (0.7, 0.3, data)), ("w=1, xs/50", (1.0, 0.3, data / 50))):
        check(g(*args), recurrence_by_hand(*args), "jit='numba'")
        contenders = [("hand Python", recurrence_by_hand), ("numba", g)]
        if jitted is not None:
            check(jitted(*args), g(*args), "jax.jit + lax.scan", 1e-4)
            contenders.append(("jax.jit+scan", jitted))
        ratio_row(f"jit='numba', n={data.size}, {label}", contenders, args, rounds)


def net_args(n, d, h, c, dtype, seed=0):
    rng = np.random.default_rng(seed)
    floats = [rng.normal(size=s) * 0.1 for s in ((d, h), (h,), (h, c), (c,), (n, d))]
    return [a.astype(dtype) for a in floats] + [rng.integers(0, c, n), 1e-3]


def hand_grads(*args):
    return by_hand(*args)[1]


def peak_bytes(fn, args):
    """The peak of traced allocations during one call."""
    fn(*args)
    tracemalloc.start()
    fn(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def nets(rounds, sizes):
    print("\n## 2-layer ReLU net with softmax loss, gradient w.r.t. W1, b1, W2, b2; ratio to hand NumPy backprop")
    net = load_sample()  # kept alive: specialized code is built from the function at the first call
    g = srcdiff.grad(net, wrt=(0, 1, 2, 3))
    for n, d, h in sizes:
        for dtype in (np.float64, np.float32):
            args = net_args(n, d, h, 10, dtype)
            got = g(*args)
            if any(a.dtype != dtype for a in got):
                raise SystemExit(f"srcdiff returned {[a.dtype for a in got]} for {np.dtype(dtype)} arguments")
            check(hand_grads(*args), got, "hand backprop", 1e-3 if dtype == np.float32 else 1e-7)
            contenders = [("hand", hand_grads), ("srcdiff", g)]
            for name, make in (("jax.jit", jax_net), ("torch", torch_net)):
                other = make(dtype)
                if other is not None:
                    check(other(*args), got, name, 1e-3 if dtype == np.float32 else 1e-6)
                    contenders.append((name, other))
            label = f"{np.dtype(dtype).name}, N={n} D=H={d}"
            ratio_row(label, contenders, args, rounds)
            busy = [(name, one_thread.busy_threads(fn, args)) for name, fn in contenders]
            if busy[0][1] is not None:
                print(f"{'':<34} threads that did the work (CPU time / wall time): "
                      + ", ".join(f"{name} {threads} ({cores:.2f})" for name, (threads, cores) in busy))
            print(f"{'':<34} peak memory (tracemalloc): hand {peak_bytes(hand_grads, args) / 1e6:.2f} MB, "
                  f"srcdiff {peak_bytes(g, args) / 1e6:.2f} MB")


def dispatch_cost(rounds):
    print("\n## dispatch: srcdiff.grad's function against the specialized code it runs, called directly")
    dispatched = hasattr(srcdiff.grad(lambda_free), "__srcdiff_table__")
    print(f"{'f(x, y) = x * y + y':<34} {'dispatched' if dispatched else 'numbers alone: no dispatch'}")
    for label, fn, args in (("np.sum(w * x), 2 arrays", weighted_sum, (np.ones(3), np.arange(3.0))),
                            ("recurrence, 3 arguments", recurrence, (0.7, 0.3, [0.1]))):
        g = srcdiff.grad(fn)
        g(*args)
        direct = g.__srcdiff_table__[next(iter(g.__srcdiff_table__))]
        times = per_call_times([direct, g], args, rounds)
        extra = [b - a for a, b in zip(*times)]
        print(f"{label:<34} direct {cell(times[0])}; dispatched {cell(times[1])}; "
              f"dispatch adds {sorted(extra)[len(extra) // 2] * 1e9:.0f} ns (median)")


def lambda_free(x, y):
    return x * y + y


def weighted_sum(w, x):
    return np.sum(w * x)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke test: small sizes, two rounds")
    parser.add_argument("--only", choices=("dispatch", "loops", "nets"), help="one section only")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (15; 2 with --quick)")
    args = parser.parse_args(argv)
    rounds = args.rounds or (2 if args.quick else 15)
    print(f"srcdiff specialized benchmark; NumPy {np.__version__}; {one_thread.HEADER}")
    print(f"{rounds} interleaved rounds; times per call: min (median); ratios: median of per-round ratios")
    if args.only in (None, "dispatch"):
        dispatch_cost(rounds)
    if args.only in (None, "loops"):
        loops(rounds, (1_000,) if args.quick else (1_000, 100_000))
    if args.only in (None, "nets"):
        nets(rounds, ((64, 128, 128),) if args.quick else ((64, 128, 128), (512, 1024, 1024)))


if __name__ == "__main__":
    main()
