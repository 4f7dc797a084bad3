"""Speed of srcdiff on scalar code: generated gradients against hand-written ones, and build time.

    python benchmarks/bench_scalar.py            # about half a minute
    python benchmarks/bench_scalar.py --quick    # fewer rounds, for a smoke test

Prints, in one run:
  1. srcdiff's gradient time over a hand-written flat gradient in the lecture's style,
     for the seeds' sigmoid neuron and for a chain of 300 operations
     (``s = math.sin(s) * a + b`` repeated 100 times);
  2. gradient time over forward time (the user's own function) for both;
  3. build time (``srcdiff.grad`` from scratch: read, parse, lower, reverse, emit,
     compile) of the chain at 300 and at 3,000 operations, and their ratio.
Ends with a summary block in Markdown, ready to paste into the README.

Timings are robust to a noisy shared machine: the contenders are measured in
interleaved rounds, each round a ``timeit`` loop long enough to last a few milliseconds,
and a contender's time is the minimum over the rounds (the run least disturbed by other
processes); a ratio is the ratio of two such minimums.  The median over the rounds is
printed alongside to show the spread.
"""
import argparse
import importlib.util
import linecache
import math
import os
import pathlib
import platform
import statistics
import sys
import tempfile
import time
import timeit
import types

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # benchmark this checkout, not whatever is installed

import srcdiff  # noqa: E402

TARGET = 1.25  # gradient time over hand-written gradient time
AIM = 1.10


# ---------------------------------------------------------------- the seeds' neuron

def neuron(w0, x0, w1, x1, w2):
    s0 = w0 * x0
    s1 = w1 * x1
    s2 = s0 + s1
    s3 = s2 + w2
    return 1.0 / (1.0 + math.exp(-s3))


def grad_neuron_by_hand(w0, x0, w1, x1, w2):
    """The lecture's "flat" gradient code, with the sigmoid gate written out inline."""
    s0 = w0 * x0
    s1 = w1 * x1
    s2 = s0 + s1
    s3 = s2 + w2
    L = 1.0 / (1.0 + math.exp(-s3))
    grad_L = 1.0
    grad_s3 = grad_L * (1 - L) * L
    grad_w2 = grad_s3
    grad_s2 = grad_s3
    grad_s0 = grad_s2
    grad_s1 = grad_s2
    grad_w1 = grad_s1 * x1
    grad_x1 = grad_s1 * w1
    grad_w0 = grad_s0 * x0
    grad_x0 = grad_s0 * w0
    return (grad_w0, grad_x0, grad_w1, grad_x1, grad_w2)


NEURON_ARGS = (2.0, -1.0, -3.0, -2.0, -3.0)


# ---------------------------------------------------------------- the generated chain

def chain_source(n_ops):
    """A module defining ``chain(x, a, b)`` of ``n_ops`` operations (3 per line) and its
    hand-written flat gradient ``grad_chain_by_hand``, one gate per line as in the lecture:
    the add gate distributes, the mul gate swaps, the uses of ``a`` and ``b`` accumulate."""
    steps = n_ops // 3
    lines = ["import math", "", "", "def chain(x, a, b):", "    s = x"]
    lines += ["    s = math.sin(s) * a + b"] * steps
    lines += ["    return s", "", "", "def grad_chain_by_hand(x, a, b):", "    s0 = x"]
    for i in range(1, steps + 1):
        lines += [f"    t{i} = math.sin(s{i - 1})", f"    u{i} = t{i} * a", f"    s{i} = u{i} + b"]
    lines += [f"    grad_s{steps} = 1.0", "    grad_a = 0.0", "    grad_b = 0.0"]
    for i in range(steps, 0, -1):
        lines += [
            f"    grad_u{i} = grad_s{i}",
            f"    grad_b += grad_s{i}",
            f"    grad_t{i} = grad_u{i} * a",
            f"    grad_a += grad_u{i} * t{i}",
            f"    grad_s{i - 1} = grad_t{i} * math.cos(s{i - 1})",
        ]
    lines += ["    return (grad_s0, grad_a, grad_b)", ""]
    return "\n".join(lines)


def load_chain(folder, n_ops):
    """Write the chain module of ``n_ops`` operations to ``folder`` and import it."""
    path = os.path.join(folder, f"chain{n_ops}.py")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(chain_source(n_ops))
    spec = importlib.util.spec_from_file_location(f"chain{n_ops}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CHAIN_ARGS = (0.5, 0.9, 0.1)


# ---------------------------------------------------------------- timing

def per_call_times(functions, args, rounds, budget=0.005):
    """Seconds per call of each function, one list per function, measured in interleaved rounds.

    Each round times every function once, in a ``timeit`` loop of ``number`` calls chosen
    so that the slowest loop lasts about ``budget`` seconds.
    """
    arg_text = ", ".join(f"a{i}" for i in range(len(args)))
    timers = []
    for fn in functions:
        namespace = {"fn": fn, **{f"a{i}": a for i, a in enumerate(args)}}
        timers.append(timeit.Timer(f"fn({arg_text})", globals=namespace))
    slowest = max(t.timeit(number=20) / 20 for t in timers)
    number = max(1, int(budget / max(slowest, 1e-9)))
    results = [[] for _ in functions]
    for _ in range(rounds):
        for timer, times in zip(timers, results):
            times.append(timer.timeit(number=number) / number)
    return results


def build_time(fn, rounds):
    """Seconds for ``srcdiff.grad(fn)`` from scratch: minimum and median over ``rounds`` builds.

    Each build gets a fresh copy of ``fn`` (so srcdiff's per-function cache misses) and
    starts with the file unread: linecache and srcdiff's parse cache are emptied first.
    """
    times = []
    for _ in range(rounds):
        fresh = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)
        linecache.cache.pop(fn.__code__.co_filename, None)
        getattr(srcdiff.frontend, "_PARSED", {}).clear()
        start = time.perf_counter()
        srcdiff.grad(fresh)
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def check_same(got, want, what):
    """Refuse to time a hand-written gradient that disagrees with srcdiff's."""
    if not all(math.isclose(g, w, rel_tol=1e-9, abs_tol=1e-12) for g, w in zip(got, want)) or len(got) != len(want):
        raise SystemExit(f"{what}: srcdiff and the hand-written gradient disagree: {got} != {want}")


# ---------------------------------------------------------------- report

def fmt_time(seconds):
    if seconds >= 1e-3:
        return f"{seconds * 1e3:8.2f} ms"
    return f"{seconds * 1e6:8.2f} us"


def run(rounds, build_rounds):
    print(f"srcdiff scalar benchmark: Python {platform.python_version()} on {platform.machine()}, "
          f"srcdiff from {pathlib.Path(srcdiff.__file__).parent}")
    print(f"{rounds} interleaved rounds per case; min (median) per call\n")
    with tempfile.TemporaryDirectory(prefix="srcdiff_bench_") as folder:
        chain300 = load_chain(folder, 300)
        chain3000 = load_chain(folder, 3000)
        cases = [
            ("neuron", neuron, grad_neuron_by_hand, NEURON_ARGS),
            ("chain, 300 ops", chain300.chain, chain300.grad_chain_by_hand, CHAIN_ARGS),
        ]
        rows = []
        for label, forward, by_hand, args in cases:
            generated = srcdiff.grad(forward)
            check_same(generated(*args), by_hand(*args), label)
            t_gen, t_hand, t_fwd = per_call_times((generated, by_hand, forward), args, rounds)
            rows.append((label, min(t_gen), min(t_hand), min(t_fwd),
                         statistics.median(t_gen), statistics.median(t_hand), statistics.median(t_fwd)))

        print("1. gradient: srcdiff over hand-written flat code "
              f"(target <= {TARGET:.2f}x, aim {AIM:.2f}x)")
        print(f"   {'case':<16}{'srcdiff':>22}{'by hand':>22}{'ratio':>8}")
        for label, gen, hand, _, gen_med, hand_med, _ in rows:
            verdict = "ok" if gen / hand <= TARGET else "SLOW"
            print(f"   {label:<16}{fmt_time(gen)} ({fmt_time(gen_med).strip()}){fmt_time(hand)} "
                  f"({fmt_time(hand_med).strip()}){gen / hand:7.2f}x  {verdict}")

        print("\n2. gradient over forward (the user's function)")
        print(f"   {'case':<16}{'forward':>22}{'ratio':>8}")
        for label, gen, _, fwd, _, _, fwd_med in rows:
            print(f"   {label:<16}{fmt_time(fwd)} ({fmt_time(fwd_med).strip()}){gen / fwd:7.2f}x")

        print(f"\n3. build time: srcdiff.grad from scratch, min (median) of {build_rounds} builds")
        builds = {}
        for n_ops, module in ((300, chain300), (3000, chain3000)):
            builds[n_ops] = build_time(module.chain, build_rounds)
            best, med = builds[n_ops]
            print(f"   {n_ops:>5} ops {fmt_time(best)} ({fmt_time(med).strip()})   {best / n_ops * 1e6:6.1f} us per op")
        growth = builds[3000][0] / builds[300][0]
        print(f"   3000 ops / 300 ops: {growth:.1f}x (linear growth is 10x)")

    print("\nsummary (Markdown, for the README)\n")
    print("| measure | neuron | chain of 300 ops |")
    print("| --- | --- | --- |")
    print("| gradient, srcdiff over hand-written flat code | "
          + " | ".join(f"{gen / hand:.2f}x" for _, gen, hand, *_ in rows) + " |")
    print("| gradient over forward | " + " | ".join(f"{gen / fwd:.2f}x" for _, gen, _, fwd, *_ in rows) + " |")
    print()
    print(f"Building a gradient (`srcdiff.grad`, from scratch) takes {builds[300][0] * 1e3:.0f} ms for 300 "
          f"operations and {builds[3000][0] * 1e3:.0f} ms for 3,000 ({growth:.1f}x for 10x the size). "
          f"Measured with `python benchmarks/bench_scalar.py` (Python {platform.python_version()}).")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds: a smoke test, not a measurement")
    options = parser.parse_args(argv)
    if options.quick:
        run(rounds=3, build_rounds=2)
    else:
        run(rounds=25, build_rounds=7)


if __name__ == "__main__":
    main()
