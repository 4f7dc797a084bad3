"""Speed of srcdiff on scalar code: generated gradients against hand-written ones, and build time.

    python benchmarks/bench_scalar.py            # about ten seconds
    python benchmarks/bench_scalar.py --quick    # fewer rounds, for a smoke test

Prints, in one run:
  1. srcdiff's gradient time over a hand-written flat gradient in the lecture's style,
     for the seeds' sigmoid neuron and for a chain of 300 operations
     (``s = math.sin(s) * a + b`` repeated 100 times);
  2. gradient time over forward time (the user's own function) for both;
  3. build time (``srcdiff.grad`` from scratch: read, parse, lower, reverse, emit,
     compile) of the chain at 300 and at 3,000 operations, and their ratio.
Ends with a summary block in Markdown, ready to paste into the README.

Timings are meant to survive a noisy shared machine: the contenders are measured in
interleaved rounds, each round a ``timeit`` loop of about two milliseconds per contender.
A ratio is the median over the rounds of the ratio measured within each round; times are
printed as the minimum over the rounds (the least disturbed run), with the median
alongside to show the spread.  Builds of both sizes are interleaved the same way.
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


def grad_neuron_tight(w0, x0, w1, x1, w2):
    """The neuron's gradient as tight as one would write it for speed: no copies, fused."""
    L = 1.0 / (1.0 + math.exp(-(w0 * x0 + w1 * x1 + w2)))
    g = (1.0 - L) * L
    return (g * x0, g * w0, g * x1, g * w1, g)


NEURON_ARGS = (2.0, -1.0, -3.0, -2.0, -3.0)


# ---------------------------------------------------------------- the generated chain

def chain_source(n_ops):
    """A module defining ``chain(x, a, b)``: ``n_ops`` operations, 3 per line."""
    lines = ["import math", "", "", "def chain(x, a, b):", "    s = x"]
    lines += ["    s = math.sin(s) * a + b"] * (n_ops // 3)
    return "\n".join(lines + ["    return s", ""])


def chain_by_hand_source(n_ops):
    """A module defining the chain's gradient written by hand, twice.

    ``grad_chain_by_hand`` has one gate per line as in the lecture: the add gate
    distributes, the mul gate swaps, the uses of ``a`` and ``b`` accumulate.
    ``grad_chain_tight`` is the same gradient written for speed (no copies, fused).
    """
    steps = n_ops // 3
    lines = ["import math", "", "", "def grad_chain_by_hand(x, a, b):", "    s0 = x"]
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
    lines += ["    return (grad_s0, grad_a, grad_b)", "", "", "def grad_chain_tight(x, a, b):", "    s0 = x"]
    for i in range(1, steps + 1):
        lines += [f"    t{i} = math.sin(s{i - 1})", f"    s{i} = t{i} * a + b"]
    lines += ["    g = 1.0", "    grad_a = 0.0", "    grad_b = 0.0"]
    for i in range(steps, 0, -1):
        lines += ["    grad_b += g", f"    grad_a += g * t{i}", f"    g = g * a * math.cos(s{i - 1})"]
    return "\n".join(lines + ["    return (g, grad_a, grad_b)", ""])


def load_module(folder, name, text):
    """Write ``text`` to ``folder/name.py`` and import it (srcdiff reads the function's file)."""
    path = os.path.join(folder, f"{name}.py")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_chain(folder, n_ops):
    """The chain of ``n_ops`` operations and its hand-written gradients, as one namespace.

    They live in two files, so that building srcdiff's gradient reads and parses only
    the chain itself."""
    chain = load_module(folder, f"chain{n_ops}", chain_source(n_ops))
    by_hand = load_module(folder, f"chain{n_ops}_by_hand", chain_by_hand_source(n_ops))
    return types.SimpleNamespace(chain=chain.chain, grad_chain_by_hand=by_hand.grad_chain_by_hand,
                                 grad_chain_tight=by_hand.grad_chain_tight)


CHAIN_ARGS = (0.5, 0.9, 0.1)


# ---------------------------------------------------------------- timing

def per_call_times(functions, args, rounds, budget=0.002):
    """Seconds per call of each function, one list per function, measured in interleaved rounds.

    Each round times every function once, in a ``timeit`` loop of ``number`` calls chosen
    so that the slowest loop lasts about ``budget`` seconds; every other round runs them
    in reverse order, so that no function always follows the same one.
    """
    arg_text = ", ".join(f"a{i}" for i in range(len(args)))
    timers = []
    for fn in functions:
        namespace = {"fn": fn, **{f"a{i}": a for i, a in enumerate(args)}}
        timers.append(timeit.Timer(f"fn({arg_text})", globals=namespace))
    slowest = max(t.timeit(number=20) / 20 for t in timers)
    number = max(1, int(budget / max(slowest, 1e-9)))
    results = [[] for _ in functions]
    order = list(range(len(functions)))
    for _ in range(rounds):
        for i in order:
            results[i].append(timers[i].timeit(number=number) / number)
        order.reverse()
    return results


def paired_ratio(numerator, denominator):
    """The median over rounds of ``numerator / denominator`` measured in the same round.

    Both were timed within a few milliseconds of each other, so a slow spell of the
    machine (another process on the core) tends to cancel out of each round's ratio.
    """
    return statistics.median(n / d for n, d in zip(numerator, denominator))


def unread_copy(fn):
    """A fresh copy of ``fn`` (srcdiff's per-function cache misses it) whose file srcdiff has
    not read: linecache and srcdiff's parse cache are emptied."""
    linecache.cache.pop(fn.__code__.co_filename, None)
    getattr(srcdiff.frontend.source, "_PARSED", {}).clear()  # the parse cache lives there
    return types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)


def build_times(functions, rounds, repeats):
    """Seconds for ``srcdiff.grad(fn)`` from scratch, one list per function, in interleaved rounds.

    Each round builds every function ``repeats[i]`` times.  Each build gets a fresh copy
    of the function (so srcdiff's per-function cache misses) and starts with its file
    unread: linecache and srcdiff's parse cache are emptied first.
    """
    results = [[] for _ in functions]
    for _ in range(rounds):
        for fn, times, repeat in zip(functions, results, repeats):
            for _ in range(repeat):
                fresh = unread_copy(fn)
                start = time.perf_counter()
                srcdiff.grad(fresh)
                times.append(time.perf_counter() - start)
    return results


def check_same(got, want, what):
    """Refuse to time a hand-written gradient that disagrees with srcdiff's."""
    if not all(math.isclose(g, w, rel_tol=1e-9, abs_tol=1e-12) for g, w in zip(got, want)) or len(got) != len(want):
        raise SystemExit(f"{what}: srcdiff and the hand-written gradient disagree: {got} != {want}")


# ---------------------------------------------------------------- report

def fmt_time(seconds):
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.2f} us"


def cell(times):
    """``min (median)`` of a list of seconds, as text."""
    return f"{fmt_time(min(times))} ({fmt_time(statistics.median(times))})"


def run(rounds, build_rounds):
    print(f"srcdiff scalar benchmark: Python {platform.python_version()} on {platform.machine()}, "
          f"srcdiff from {pathlib.Path(srcdiff.__file__).parent}")
    print(f"{rounds} interleaved rounds; times per call: min (median); ratios: median of per-round ratios\n")
    with tempfile.TemporaryDirectory(prefix="srcdiff_bench_") as folder:
        chain300 = load_chain(folder, 300)
        chain3000 = load_chain(folder, 3000)
        cases = [
            ("neuron", neuron, grad_neuron_by_hand, grad_neuron_tight, NEURON_ARGS),
            ("chain, 300 ops", chain300.chain, chain300.grad_chain_by_hand, chain300.grad_chain_tight, CHAIN_ARGS),
        ]
        rows = []
        for label, forward, by_hand, tight, args in cases:
            generated = srcdiff.grad(forward)
            check_same(generated(*args), by_hand(*args), label)
            check_same(tight(*args), by_hand(*args), label + " (tight)")
            times = per_call_times((generated, by_hand, tight, forward), args, rounds)
            rows.append((label, *times))

        ratio = {label: paired_ratio(gen, hand) for label, gen, hand, _, _ in rows}
        print(f"1. gradient: srcdiff over hand-written flat code in the lecture's style "
              f"(target <= {TARGET:.2f}x, aim {AIM:.2f}x)")
        print(f"   {'case':<16}{'srcdiff':>24}{'by hand':>24}{'ratio':>9}")
        for label, gen, hand, _, _ in rows:
            verdict = "ok" if ratio[label] <= TARGET else "SLOW"
            print(f"   {label:<16}{cell(gen):>24}{cell(hand):>24}{ratio[label]:8.2f}x  {verdict}")
        print("   for information, against a tight hand-written gradient (no copies, expressions fused):")
        for label, gen, _, tight, _ in rows:
            print(f"   {label:<16}{'':>24}{cell(tight):>24}{paired_ratio(gen, tight):8.2f}x")

        print("\n2. gradient over forward (the user's own function)")
        print(f"   {'case':<16}{'forward':>24}{'ratio':>9}")
        for label, gen, _, _, fwd in rows:
            print(f"   {label:<16}{cell(fwd):>24}{paired_ratio(gen, fwd):8.2f}x")

        print(f"\n3. build time: srcdiff.grad from scratch, min (median) of {build_rounds} interleaved rounds")
        builds = dict(zip((300, 3000), build_times((chain300.chain, chain3000.chain), build_rounds, (3, 1))))
        for n_ops, times in builds.items():
            print(f"   {n_ops:>5} ops {cell(times):>24}   {min(times) / n_ops * 1e6:6.1f} us per op")
        # per round: the 3,000-op build over the quickest 300-op build of that round
        quickest_300 = [min(builds[300][i:i + 3]) for i in range(0, len(builds[300]), 3)]
        growth = paired_ratio(builds[3000], quickest_300)
        print(f"   3000 ops / 300 ops: {growth:.1f}x, median of per-round ratios (linear growth is 10x)")

    print("\nsummary (Markdown, for the README)\n")
    print("| measure | neuron | chain of 300 ops |")
    print("| --- | --- | --- |")
    print("| gradient: srcdiff over hand-written flat code | "
          + " | ".join(f"{ratio[label]:.2f}x" for label, *_ in rows) + " |")
    print("| gradient: srcdiff over tight hand-written code | "
          + " | ".join(f"{paired_ratio(gen, tight):.2f}x" for _, gen, _, tight, _ in rows) + " |")
    print("| gradient over forward | "
          + " | ".join(f"{paired_ratio(gen, fwd):.2f}x" for _, gen, _, _, fwd in rows) + " |")
    print()
    print(f"Building a gradient (`srcdiff.grad` from scratch) takes {min(builds[300]) * 1e3:.0f} ms for 300 "
          f"operations and {min(builds[3000]) * 1e3:.0f} ms for 3,000 ({growth:.1f}x for 10x the size). "
          f"Python {platform.python_version()}, `python benchmarks/bench_scalar.py`.")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds: a smoke test, not a measurement")
    options = parser.parse_args(argv)
    if options.quick:
        run(rounds=5, build_rounds=2)
    else:
        run(rounds=101, build_rounds=9)


if __name__ == "__main__":
    main()
