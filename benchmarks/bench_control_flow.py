"""Control flow: how fast srcdiff's gradients of loops and branches run, and what the tape costs.

    python benchmarks/bench_control_flow.py           # the measurement (about ten seconds)
    python benchmarks/bench_control_flow.py --quick   # a smoke test

Prints ratios, never asserts them:
1. gradient over hand-written: a Horner loop ``p = p * x + c`` run n = 1,000 times, srcdiff's
   gradient against the same reverse loop written by hand with a Python list as tape;
2. gradient over forward: the same loop, and a loop calling helpers that branch and loop
   (``samples/helpers_flow.py``), against the user's own function;
3. tape memory: the gradient's peak memory per iteration at n = 100,000 (tracemalloc),
   and the number of values pushed per iteration.

Timing: contenders interleaved in rounds (order reversed every other round); a ratio is
the median of the per-round ratios, so a slow spell of a shared machine cancels out.
"""
import argparse
import importlib.util
import pathlib
import statistics
import sys
import tempfile
import timeit
import tracemalloc

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import srcdiff  # noqa: E402

HORNER = '''
def horner(x, c, n):
    p = c
    for i in range(n):
        p = p * x + c
    return p
'''


def grad_horner_by_hand(x, c, n):
    """The reverse loop a person writes: push the overwritten p, pop it going back."""
    tape = []
    p = c
    for i in range(n):
        tape.append(p)
        p = p * x + c
    grad_p, grad_x, grad_c = 1.0, 0.0, 0.0
    for i in range(n):
        p = tape.pop()
        grad_x += grad_p * p
        grad_c += grad_p
        grad_p = grad_p * x
    grad_c += grad_p
    return grad_x, grad_c


def load(text, name):
    folder = tempfile.mkdtemp(prefix="srcdiff_bench_")
    path = pathlib.Path(folder) / f"{name}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def sample(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "samples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def median_ratio(first, second, rounds, number):
    """Median over rounds of time(first) / time(second), and the best time of each."""
    ratios, best_first, best_second = [], float("inf"), float("inf")
    for k in range(rounds):
        pair = [first, second] if k % 2 == 0 else [second, first]
        times = {id(fn): timeit.timeit(fn, number=number) / number for fn in pair}
        ratios.append(times[id(first)] / times[id(second)])
        best_first, best_second = min(best_first, times[id(first)]), min(best_second, times[id(second)])
    return statistics.median(ratios), best_first, best_second


def peak_memory(fn):
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="run everything once or twice (a smoke test)")
    args = parser.parse_args()
    rounds, number = (2, 1) if args.quick else (15, 20)

    horner = load(HORNER, "horner")
    grad = srcdiff.grad(horner, wrt=(0, 1))
    point = (0.999, 0.5, 1000)
    got, want = grad(*point), grad_horner_by_hand(*point)
    assert all(abs(a - b) <= 1e-9 * abs(b) for a, b in zip(got, want)), (got, want)

    print("1. gradient time over hand-written (lower is better; 1.0 = as fast)")
    ratio, mine, hand = median_ratio(lambda: grad(*point), lambda: grad_horner_by_hand(*point), rounds, number)
    print(f"   Horner loop, n = 1000:     {ratio:.2f}x   ({mine * 1e6:.0f} us vs {hand * 1e6:.0f} us)")

    print("2. gradient time over forward time")
    ratio, mine, fwd = median_ratio(lambda: grad(*point), lambda: horner(*point), rounds, number)
    print(f"   Horner loop, n = 1000:     {ratio:.2f}x   ({mine * 1e6:.0f} us vs {fwd * 1e6:.0f} us)")
    branchy = sample("helpers_flow")
    grad_branchy = srcdiff.grad(branchy, wrt=(0, 1))
    at = (2.5, 0.7, 200)
    ratio, mine, fwd = median_ratio(lambda: grad_branchy(*at), lambda: branchy(*at), rounds, number)
    print(f"   helpers that branch and loop, in a loop of 200: {ratio:.2f}x   ({mine * 1e6:.0f} us vs {fwd * 1e6:.0f} us)")

    n = 1000 if args.quick else 100_000
    big = (0.9999, 0.5, n)
    print(f"3. tape memory at n = {n:,}")
    forward, gradient = peak_memory(lambda: horner(*big)), peak_memory(lambda: grad(*big))
    pushes = grad.source.count("tape.append(")
    print(f"   gradient: {gradient / n:.0f} bytes per iteration at its peak ({pushes} value pushed per iteration; "
          f"a float on a list costs 32); forward: {forward:,} bytes in all")


if __name__ == "__main__":
    main()
