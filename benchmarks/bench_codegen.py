"""The generic generated code against tight hand-written code and jax.jit, and build time.

    python benchmarks/bench_codegen.py            # about a minute
    python benchmarks/bench_codegen.py --quick    # fewer rounds, for a smoke test
    python benchmarks/bench_codegen.py --only build   # one section alone (scalar, rosenbrock, build)

Prints, in one run, with every contender on one thread (``one_thread``: BLAS and JAX's
thread pool, set before NumPy is imported):

  1. scalar functions (the seeds' neuron, the lecture's exercise, ``sqrt(x**2 + y**2)``)
     and chains of 201 and 2,001 operations: srcdiff's gradient over the tight gradient a
     person writes for speed (no copies, expressions fused), and over ``jax.jit`` of
     ``jax.grad`` (float64) where JAX is installed (each call waits for its results,
     ``jax.block_until_ready``: JAX dispatches asynchronously, and a call that returns
     before the gradient is computed times the dispatch alone); ``srcdiff.grad(f, jit="numba")`` over the
     tight gradient, timed after its first call, which compiles it (the compile time is
     printed), where numba is installed (chains of at most ``--numba-ops`` operations);
  2. the n-dimensional Rosenbrock function: the gradient at n = 1,000 and the
     Hessian-vector product at n = 100,000 over hand-written NumPy, with the peak memory
     of one call in arrays of n float64 (what the temporaries cost);
  3. build time of a 3,000-operation chain over Python's ``compile()`` of the generated
     text (also of the chain after one ``if``: code with flow), and the growth from 3,000
     to 30,000 operations.

Timing method as in ``bench_scalar.py``: contenders measured in interleaved rounds; a
ratio is the median of the ratios measured within each round.
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import one_thread  # noqa: E402  (before NumPy and JAX load)

import argparse  # noqa: E402
import gc  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # benchmark this checkout, not whatever is installed
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402

import srcdiff  # noqa: E402
from bench_scalar import (CHAIN_ARGS, NEURON_ARGS, chain_source, grad_neuron_tight, load_chain, load_module,  # noqa: E402
                          neuron, paired_ratio, per_call_times, unread_copy)

try:
    import numba  # noqa: F401 (srcdiff compiles with it: only whether it is installed matters here)
except ImportError:  # numba is optional: its columns are left out
    numba = None

try:
    import jax
    import jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)
except ImportError:  # JAX is optional: its columns are left out
    jax = None


# ---------------------------------------------------------------- scalar functions and their tight gradients

# the lecture's exercise (samples/exercise.py, with its sigmoid) and the norm of a 2-vector
SCALAR_SOURCE = (HERE.parent / "samples" / "exercise.py").read_text() + '''

def norm(x, y):
    return math.sqrt(x**2 + y**2)
'''


def grad_exercise_tight(x, y):
    """The exercise's gradient as a person writes it for speed."""
    sy = 1.0 / (1.0 + math.exp(-y))
    sx = 1.0 / (1.0 + math.exp(-x))
    xy = x + y
    inv = 1.0 / (sx + xy * xy)
    g_den = -(x + sy) * inv * inv
    g_xy = 2.0 * xy * g_den
    return (inv + g_den * sx * (1.0 - sx) + g_xy, inv * sy * (1.0 - sy) + g_xy)


def grad_norm_tight(x, y):
    r = math.sqrt(x * x + y * y)
    return (x / r, y / r)


def jax_scalar(name, n_ops=0):
    """The JAX version of a scalar case, or None without JAX."""
    if jax is None:
        return None
    if name == "neuron":
        def f(w0, x0, w1, x1, w2):
            return 1.0 / (1.0 + jnp.exp(-(w0 * x0 + w1 * x1 + w2)))
    elif name == "exercise":
        def f(x, y):
            return (x + 1.0 / (1.0 + jnp.exp(-y))) / (1.0 / (1.0 + jnp.exp(-x)) + (x + y) ** 2)
    elif name == "norm":
        def f(x, y):
            return jnp.sqrt(x ** 2 + y ** 2)
    else:
        def f(x, a, b):
            s = x
            for _ in range(n_ops // 3):
                s = jnp.sin(s) * a + b
            return s
    nargs = f.__code__.co_argcount
    compiled = jax.jit(jax.grad(f, argnums=tuple(range(nargs))))

    def gradient(*args):  # JAX returns before it has computed: the time is the time to the results
        return jax.block_until_ready(compiled(*args))
    return gradient


def scalar_cases(folder):
    module = load_module(folder, "codegen_scalar", SCALAR_SOURCE)
    cases = [("neuron", neuron, grad_neuron_tight, NEURON_ARGS, jax_scalar("neuron")),
             ("exercise", module.exercise, grad_exercise_tight, (3.0, -4.0), jax_scalar("exercise")),
             ("sqrt(x**2 + y**2)", module.norm, grad_norm_tight, (3.0, 4.0), jax_scalar("norm"))]
    for n_ops in (201, 2001):
        chain = load_chain(folder, n_ops)
        cases.append((f"chain, {n_ops} ops", chain.chain, chain.grad_chain_tight, CHAIN_ARGS,
                      jax_scalar("chain", n_ops)))
    return cases


def numba_gradient(fn, args):
    """``srcdiff.grad(fn, jit="numba")`` and the seconds its first call took (numba compiles
    then); None, 0.0 without numba."""
    if numba is None:
        return None, 0.0
    compiled = srcdiff.grad(fn, jit="numba")
    start = time.perf_counter()
    compiled(*args)
    return compiled, time.perf_counter() - start


def run_scalar(folder, rounds, numba_chain_limit):
    print("1. scalar code: srcdiff's gradient over tight hand-written code (target <= 1.10x), over jax.jit,")
    print("   and srcdiff.grad(f, jit='numba') over tight hand-written code (its compile time apart)")
    print(f"   {'case':<20}{'srcdiff':>12}{'tight':>12}{'ratio':>9}{'jax.jit':>12}{'ratio':>9}"
          f"{'numba':>12}{'ratio':>9}{'compile':>10}")
    rows = []
    for label, fn, tight, args, jitted in scalar_cases(folder):
        generated = srcdiff.grad(fn)
        ops = int(label.split()[1]) if label.startswith("chain") else 0
        numbaed, compile_s = numba_gradient(fn, args) if ops <= numba_chain_limit else (None, 0.0)
        want = tight(*args)
        extra = [jitted] if jitted else []
        extra += [numbaed] if numbaed else []
        for got in [generated(*args)] + [tuple(float(v) for v in f(*args)) for f in extra]:
            if not all(math.isclose(g, w, rel_tol=1e-9, abs_tol=1e-12) for g, w in zip(got, want)):
                raise SystemExit(f"{label}: contenders disagree: {got} != {want}")
        times = per_call_times([generated, tight] + extra, args, rounds)
        ratio = paired_ratio(times[0], times[1])
        jax_cells = (f"{min(times[2]) * 1e6:10.2f}us{paired_ratio(times[0], times[2]):8.3f}x" if jitted else " " * 21)
        numba_cells = (f"{min(times[-1]) * 1e6:10.2f}us{paired_ratio(times[-1], times[1]):8.3f}x{compile_s:9.1f}s"
                       if numbaed else "")
        print(f"   {label:<20}{min(times[0]) * 1e6:10.2f}us{min(times[1]) * 1e6:10.2f}us{ratio:8.2f}x{jax_cells}"
              f"{numba_cells}")
        rows.append((label, ratio, paired_ratio(times[0], times[2]) if jitted else None))
    return rows


# ---------------------------------------------------------------- Rosenbrock

ROSENBROCK_SOURCE = '''import numpy as np


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)
'''


def rosenbrock_grad_hand(x):
    a = x[:-1]
    d = x[1:] - a * a
    g = np.zeros_like(x)
    g[1:] = 200.0 * d
    g[:-1] += -400.0 * d * a - 2.0 * (1.0 - a)
    return g


def rosenbrock_hvp_hand(x, v):
    a, va = x[:-1], v[:-1]
    d = x[1:] - a * a
    dd = v[1:] - 2.0 * a * va
    h = np.zeros_like(x)
    h[1:] = 200.0 * dd
    h[:-1] += -400.0 * (dd * a + d * va) + 2.0 * va
    return h


def peak_arrays(fn, args, n):
    """The peak memory one call of ``fn`` allocates, in arrays of ``n`` float64."""
    fn(*args)
    tracemalloc.start()
    fn(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / (8 * n)


def run_rosenbrock(folder, rounds):
    print("\n2. Rosenbrock over hand-written NumPy (targets: gradient <= 1.20x, hvp <= 1.50x)")
    f = load_module(folder, "codegen_rosenbrock", ROSENBROCK_SOURCE).rosenbrock
    rng = np.random.default_rng(0)
    rows = []
    for label, n, generated, hand in (("gradient, n = 1,000", 1000, srcdiff.grad(f), rosenbrock_grad_hand),
                                      ("hvp, n = 100,000", 100000, srcdiff.hvp(f), rosenbrock_hvp_hand)):
        args = (rng.standard_normal(n),) + ((rng.standard_normal(n),) if "hvp" in label else ())
        if not np.allclose(generated(*args), hand(*args), rtol=1e-10, atol=1e-10):
            raise SystemExit(f"Rosenbrock {label}: srcdiff and the hand-written code disagree")
        times = per_call_times([generated, hand], args, rounds, budget=0.02)
        ratio = paired_ratio(times[0], times[1])
        memory = f"peak memory {peak_arrays(generated, args, n):.1f} vs {peak_arrays(hand, args, n):.1f} arrays of n"
        print(f"   {label:<22}{min(times[0]) * 1e6:10.1f}us{min(times[1]) * 1e6:10.1f}us{ratio:8.2f}x   {memory}")
        rows.append((label, ratio))
    return rows


# ---------------------------------------------------------------- build time

def build_and_compile(fn):
    """Seconds to build ``srcdiff.grad(fn)`` from scratch (its file unread: parsed again), and
    to ``compile()`` its text.  The build pauses the garbage collector; the collection it
    defers would run at the next allocation, inside the ``compile()`` timing (about a tenth
    of it), so it is timed with the build: after a full collection beforehand (not timed), the
    youngest generation holds exactly what the build allocated and kept, and
    ``gc.collect(0)`` is that deferred collection."""
    fresh = unread_copy(fn)
    gc.collect()
    start = time.perf_counter()
    text = srcdiff.grad(fresh).source
    gc.collect(0)
    built = time.perf_counter() - start
    start = time.perf_counter()
    compile(text, "<generated>", "exec")
    return built, time.perf_counter() - start


def chain_after_if_source(n_ops):
    """The chain of ``bench_scalar.chain_source`` after one ``if`` statement (code with flow:
    its backward sweep is the structured one, whose copies are propagated block by block)."""
    return chain_source(n_ops).replace("    s = x\n", "    s = x\n    if x > 0:\n        s = s * 2.0\n", 1)


def run_build(folder, rounds):
    print(f"\n3. build time (min of {rounds} interleaved rounds): srcdiff.grad from scratch over compile() of its text")
    chains = {n: load_module(folder, f"codegen_chain{n}", chain_source(n)).chain for n in (3000, 30000)}
    chains["after an if"] = load_module(folder, "codegen_chain_if", chain_after_if_source(3000)).chain
    times = {n: [] for n in chains}
    for _ in range(rounds):
        for n, fn in chains.items():
            times[n].append(build_and_compile(fn))
    build = {n: min(b for b, _ in t) for n, t in times.items()}
    compiled = {n: min(c for _, c in t) for n, t in times.items()}
    for n in chains:
        label = f"{n:>6} ops" if isinstance(n, int) else "  3000 ops " + n
        print(f"   {label}: build {build[n] * 1e3:8.1f} ms, compile() {compiled[n] * 1e3:7.1f} ms, "
              f"{build[n] / compiled[n]:5.1f}x (target <= 5x)")
    growth = build[30000] / build[3000]
    print(f"   30,000 ops / 3,000 ops: {growth:.1f}x (target <= 11x; compile() itself "
          f"{compiled[30000] / compiled[3000]:.1f}x)")
    return build[3000] / compiled[3000], growth


SECTIONS = ("scalar", "rosenbrock", "build")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds: a smoke test, not a measurement")
    parser.add_argument("--only", choices=SECTIONS, help="run one section alone")
    parser.add_argument("--numba-ops", type=int, default=201, metavar="N",
                        help="time jit='numba' on the chains of at most N operations (default 201: numba takes "
                             "about half a minute to compile the 2,001-op chain's gradient)")
    options = parser.parse_args(argv)
    rounds = 5 if options.quick else 51
    print(f"srcdiff codegen benchmark: Python {platform.python_version()}, NumPy {np.__version__}, "
          f"{'JAX ' + jax.__version__ if jax else 'no JAX'}, {platform.machine()}\n{one_thread.HEADER}\n")
    with tempfile.TemporaryDirectory(prefix="srcdiff_codegen_") as folder:
        if options.only in (None, "scalar"):
            run_scalar(folder, rounds, options.numba_ops)
        if options.only in (None, "rosenbrock"):
            run_rosenbrock(folder, max(3, rounds // 3))
        if options.only in (None, "build"):
            run_build(folder, 2 if options.quick else 3)


if __name__ == "__main__":
    main()
