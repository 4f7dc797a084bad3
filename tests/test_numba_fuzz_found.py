"""What the fuzzer's ``numba`` program family (``benchmarks/fuzz.py --features numba``) found,
each fixed for its family: ``jit="numba"`` against the Python (specialized) gradient and
central differences, with float64 and float32 arrays; and the Python side's findings on the
same programs (the type of a Hessian-vector product, of a generic gradient).  The numba
tests are skipped where numba is not installed."""
import math
import os

import numpy as np
import pytest

import srcdiff
from fuzzing.check import check_program
from fuzzing.generate import FEATURES, GROUPS, generate

XS = np.array([0.3, -0.7, 0.45, 1.1])
YS = np.array([0.2, -0.5, 0.9])
C1 = 0.606          # module constants read by the functions below
C2 = -3             # an int constant
TABLE = np.array([0.5, -0.25, 1.0, 2.0])


def positions(s, xs):
    """Reads at constant positions only (``field[]`` once lowered)."""
    return s * xs[0] + math.sin(xs[-1]) * xs[2]


def positions_and_entries(s, xs):
    t = xs[0] * s + xs[-1]
    acc = 0.0
    for i in range(len(xs)):
        acc = acc + xs[i] * t * (i + 1)
    return acc + xs[1] ** 2


def positions_and_items(s, xs):
    acc = 0.0
    for x in xs:
        acc += math.tanh(x * xs[0] + s)
    return acc * xs[-2]


def helper(p, q):
    return math.tanh(p) * q + 0.5 * p


def helper_of_a_position(s, xs):
    return helper(s, xs[0]) + helper(xs[-1], s)


def unused_parameters(s, xs, ys, c):
    """``ys`` and ``c`` have zero gradients (``rt.zeros_like`` in the Python code)."""
    return s * 2.0 + math.cos(s)


def module_constants(s, xs):
    r = xs[-3]
    k = 0
    h = 0.1
    while k < 3:  # a counter copied in: op 'copy'
        h = math.tanh(h * C1 + xs[k])
        k += 1
    return C1 * r + C2 * s * h


def early_return_of_a_position(s, xs, ys):
    if xs[-1] > 0.5:
        return (xs[0] / (1.0 + ys[2] ** 2)) - math.expm1(math.tanh(s))
    return C1 * ys[1] * s


def constant_in_a_branch(s, xs, ys):
    """A module constant merged after a branch (a conditional expression's side)."""
    r = (0.201 if ys[-1] > 0.0 else C1) - xs[3] * xs[-3]
    acc = C1
    for y in ys:
        acc = acc * 0.5 + y * s
    return r * s + acc


def kinks(s, xs):
    """abs (``rt.sign`` in the gradient), math.fabs, min and max of two numbers."""
    acc = 0.0
    for i in range(len(xs)):
        acc = acc + abs(xs[i] - 0.1 * s) + max(xs[i], s) * min(C1, xs[i])
    return acc + math.fabs(s * xs[0])


def max_in_a_branch(s, xs, ys):
    """``float(xs_2 >= 0.432)``: max's gradient of a number and a constant (numba has no float(bool))."""
    return max(xs[2], 0.432) * s if xs[-3] < 0.295 else math.atan(xs[1]) + min(ys[0], -0.2)


def array_constant(s, xs):
    return TABLE[0] * s + xs[0] * TABLE[-1]


FUNCTIONS = [max_in_a_branch, constant_in_a_branch, kinks, array_constant, positions, positions_and_entries, positions_and_items, helper_of_a_position, unused_parameters,
             module_constants, early_return_of_a_position]


def _args(fn, dtype=np.float64):
    arrays = {"xs": XS.astype(dtype), "ys": YS.astype(dtype)}
    values = {"s": 0.35, "c": -0.8}
    names = fn.__code__.co_varnames[:fn.__code__.co_argcount]
    return [arrays[n] if n in arrays else values[n] for n in names]


def _central(fn, args, eps=1e-6):
    """The gradient of ``fn`` at ``args`` (float64) by central differences, one entry at a time."""
    out = []
    for k, a in enumerate(args):
        if isinstance(a, np.ndarray):
            g = np.zeros_like(a)
            for i in range(a.size):
                plus, minus = a.copy(), a.copy()
                plus[i] += eps
                minus[i] -= eps
                g[i] = (fn(*args[:k], plus, *args[k + 1:]) - fn(*args[:k], minus, *args[k + 1:])) / (2 * eps)
            out.append(g)
        else:
            out.append((fn(*args[:k], a + eps, *args[k + 1:]) - fn(*args[:k], a - eps, *args[k + 1:])) / (2 * eps))
    return out


@pytest.mark.parametrize("fn", FUNCTIONS, ids=lambda f: f.__name__)
def test_numba_gives_the_python_gradient_and_finite_differences(fn):
    pytest.importorskip("numba")
    args = _args(fn)
    got = srcdiff.grad(fn, jit="numba")(*args)
    want = srcdiff.grad(fn)(*args)
    for a, b, fd, arg in zip(got, want, _central(fn, args), args):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(a, fd, rtol=1e-6, atol=1e-7)
        assert type(a) is type(arg) and np.shape(a) == np.shape(arg)


@pytest.mark.parametrize("fn", FUNCTIONS, ids=lambda f: f.__name__)
def test_numba_keeps_float32_arrays(fn):
    pytest.importorskip("numba")
    args = _args(fn, np.float32)
    got = srcdiff.grad(fn, jit="numba")(*args)
    want = srcdiff.grad(fn)(*args)
    for a, b, arg in zip(got, want, args):
        if isinstance(arg, np.ndarray):
            assert a.dtype == np.float32 and a.shape == arg.shape
        else:
            assert type(a) is float
        np.testing.assert_allclose(np.float64(a), np.float64(b), rtol=1e-5, atol=1e-6)


def test_numba_text_adds_each_position_read_into_the_array_gradient():
    """``rt.tree_grad(xs, (), g, (0,), g0, (-1,), g1, ...)`` is written as additions in place."""
    pytest.importorskip("numba")
    g = srcdiff.grad(positions_and_entries, jit="numba")
    g(*_args(positions_and_entries))
    texts = [v.source for v in g.__srcdiff_dispatcher__.namespace.values() if hasattr(v, "py_func")]
    assert texts
    for text in texts:  # one per signature compiled (float64 and float32 arrays)
        assert "tree_grad_1 = np.zeros_like(xs)" in text and "tree_grad_1[-1] += " in text and "rt." not in text


# ---- the Python side, found on the same programs -----------------------------------------

def hvp_position_reads(ys, r):
    u = (0.226 / (1.0 + r ** 2)) * (ys[-1] + ys[2])
    return -0.278 * u


def test_hvp_along_a_float_is_a_float_where_the_function_reads_array_positions():
    """The forward-over-reverse product's tangent was a NumPy number (``ys[2]`` is one)."""
    h = srcdiff.hvp(hvp_position_reads, wrt=1)(YS, 0.3, 1.0)
    assert type(h) is float
    eps = 1e-5
    g = srcdiff.grad(hvp_position_reads, wrt=1)
    np.testing.assert_allclose(h, (g(YS, 0.3 + eps) - g(YS, 0.3 - eps)) / (2 * eps), rtol=1e-6)
    assert type(srcdiff.hvp(hvp_position_reads, wrt=1)(list(YS), 0.3, 1.0)) is float


def test_generic_gradient_of_a_float_is_a_float_where_the_function_reads_array_positions(monkeypatch):
    """``xs[0]`` made no array code (``uses_arrays``), so the generic gradient of a float came
    back a NumPy number; it is array code now and returns ``rt.like(grad_r, r)``."""
    monkeypatch.setenv("SRCDIFF_GENERIC", "1")
    grads = srcdiff.grad(hvp_position_reads)(YS, 0.3)
    assert type(grads[1]) is float
    assert type(srcdiff.hvp(hvp_position_reads, wrt=1)(YS, 0.3, 1.0)) is float


@pytest.mark.skipif(os.environ.get("SRCDIFF_GENERIC") == "1",
                    reason="pytest --generic: gradients run their generic code, nothing is specialized")
def test_specialized_position_reads_add_entries_in_place():
    """``xs[0]`` beside ``xs[i]``: the entries' gradient is added item by item (``grad_xs[i] +=``),
    no array of zeros but one entry per step, and the scalar values stay numbers."""
    text = srcdiff.grad(positions_and_entries).source_for(*_args(positions_and_entries))
    assert "grad_xs[i] += " in text and "rt.index_grad" not in text and "rt.unbroadcast" not in text


# ---- the family itself ----------------------------------------------------------------------

def test_the_numba_family_is_its_own_and_the_same_for_a_seed():
    assert "scalar" in GROUPS["numba"] and "scalar" not in GROUPS["all"] and "scalar" not in FEATURES
    first, again = generate(11, "numba"), generate(11, "numba")
    assert first.source == again.source and first.params == again.params
    assert "np." not in first.source.split("def f(", 1)[1]  # entry by entry: no NumPy call in f
    assert {p.kind for p in first.params} <= {"float", "array", "int"}
    assert all(p.shape in ((), (3,), (4,), (5,)) for p in first.params)


def test_the_numba_check_passes_a_few_programs_of_the_family(tmp_path):
    """A handful of seeds through grad and the numba check (compiling takes about a second
    each); benchmarks/fuzz.py --features numba --checks default,numba runs hundreds."""
    pytest.importorskip("numba")
    bad = []
    for seed in (2, 3, 5, 11, 17):
        result = check_program(generate(seed, "numba"), folder=tmp_path, timeout=120, checks=("grad", "numba"))
        bad += [f"seed {seed}: {f.signature}" for f in result.failures if f.status != "refused"]
        assert result.checks["grad"] == "pass", seed
    assert not bad, bad


def test_numba_text_drops_only_the_checks_not_the_branch_holding_one():
    """``if v.__class__ is not float: rt.check_number_update(v)`` is dropped; an ``if`` whose
    side holds a loop with such a check was dropped whole, with every value it computes (fuzzer
    seed 782067: "name 's24' is not defined", refused; a name bound before it would have kept
    its old value)."""
    from types import SimpleNamespace

    from srcdiff.ir import Var
    from srcdiff.pipeline.numba_text import numba_text

    text = ("def g(x, n):\n    s = x\n    if x > 0.0:\n        t = 0.0\n        for i in range(n):\n"
            "            if t.__class__ is not float:\n                rt.check_number_update(t)\n"
            "            t = t + x\n        s = t\n    if s.__class__ is not float:\n        rt.check_scalar(s)\n"
            "    return s\n")
    function = SimpleNamespace(params=(Var("x"), Var("n")))
    got = numba_text(text, function, {"x": srcdiff.analysis.Kind("float"), "n": srcdiff.analysis.Kind("int")})
    assert "rt." not in got and "__class__" not in got
    namespace = {}
    exec(got, namespace)
    assert namespace["g"](0.5, 3) == 1.5 and namespace["g"](-0.5, 3) == -0.5
