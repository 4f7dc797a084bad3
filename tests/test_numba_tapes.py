"""Branches inside loops whose sides tape values of different types, under ``jit="numba"``.

numba types a list by one item, so the gradient it compiles keeps a list per push site (each
side of a branch, each iteration: ``emit.tape``), where the Python code keeps one tape.  Each
shape here, the fuzzer's numba family's largest refusal before (early returns inside loops,
a float taped on one side and an int or a bool on the other), is compiled by numba and checked
against the Python gradient and central differences, at inputs taking both sides of each branch
(an early return at the first, a middle or no iteration), in float64 and float32; the Python
jvp and hvp of the same functions against central differences; branches on constants (whose
untaken sides numba drops).  The numba tests are skipped where numba is not installed.
"""
import math
import sys

import numpy as np
import pytest

import srcdiff
from srcdiff.pipeline import specialize
from srcdiff.pipeline.jit import numba_module
from gradcheck import numeric_grad

LIMIT = 0.5  # read by constant_branches' conditions


def early_return_in_range(w, zs):
    """The fuzzer's shape: the tape holds ``(i, flag)`` per iteration and floats on one side."""
    acc = 0.0
    for i in range(len(zs)):
        t = math.sin(w * zs[i])
        acc = acc + t * zs[i]
        if zs[i] > 0.5:
            return acc * math.exp(t) + w
    return acc * w


def early_return_in_items(w, xs):
    acc = w
    for x in xs:
        acc = acc * math.cos(x) + x * w
        if acc > 2.0:
            u = acc * x
            return u ** 2
    return acc


def early_return_in_while(w, zs):
    k = 0
    h = w
    while k < len(zs):
        h = math.tanh(h + zs[k] * w)
        if h > 0.6:
            return h * zs[k]
        k += 1
    return h


def float_or_flag(w, zs):
    """A float taped on one side, a bool on the other."""
    acc = 0.0
    for i in range(len(zs)):
        if zs[i] > 0.0:
            t = w * zs[i]
            acc = acc + t * t
        else:
            k = i > 1
            acc = acc + w * k
    return acc


def float_or_int(w, zs):
    acc = 0.0
    for i in range(len(zs)):
        if zs[i] > 0.0:
            acc = acc + math.exp(w * zs[i])
        else:
            j = i * 2 + 1
            acc = acc - w * j * zs[i]
    return acc


def one_side_tapes(w, xs):
    """One side tapes a float, the iteration its flag."""
    acc = 0.0
    for x in xs:
        if x > 0.0:
            acc = acc + math.sin(x) * w
    return acc * w


def nested_loops(w, zs):
    acc = 0.0
    for i in range(len(zs)):
        for j in range(i):
            if zs[j] > zs[i]:
                acc = acc + math.sin(zs[j] * w)
            else:
                m = i - j
                acc = acc + w * m * zs[i]
    return acc


def elif_chain(w, zs):
    acc = 1.0
    for z in zs:
        if z > 0.5:
            acc = acc * math.cos(w * z)
        elif z > -0.5:
            q = z > 0.0
            acc = acc + w * q + z
        else:
            return acc * z * w
    return acc


FIRST = np.array([0.9, -0.3, 0.2, 0.7])    # zs[i] > 0.5 at the first iteration
MIDDLE = np.array([0.1, -0.3, 0.8, 0.2])   # at the third
NEVER = np.array([0.1, -0.3, 0.2, 0.4, -0.45])
MIXED = np.array([0.3, -0.7, 0.45, -1.1, 0.25])  # both signs, both sides of each branch
CHAIN = np.array([0.3, 0.9, -0.2, 0.7, -0.9])    # every side of the elif chain, the return last

CASES = [
    (early_return_in_range, 0.7, FIRST), (early_return_in_range, 0.7, MIDDLE), (early_return_in_range, 0.7, NEVER),
    (early_return_in_items, 1.6, np.array([0.8, 0.1, -0.4])),        # acc > 2 at the first item
    (early_return_in_items, 1.2, np.array([0.1, 0.4, 0.9, 0.6])),    # at the third
    (early_return_in_items, 0.4, np.array([0.2, -0.5, 0.3])),        # never
    (early_return_in_while, 0.9, np.array([0.4, 0.1, 0.3])),         # h > 0.6 at the first
    (early_return_in_while, 0.5, np.array([0.1, -0.2, 0.9, 0.5])),   # at the third
    (early_return_in_while, 0.2, np.array([0.1, -0.2, 0.3])),        # never
    (float_or_flag, 0.6, MIXED), (float_or_int, 0.6, MIXED), (one_side_tapes, 0.6, MIXED),
    (nested_loops, 0.8, MIXED), (elif_chain, 0.6, CHAIN), (elif_chain, 0.6, CHAIN[:4]),
]
IDS = [f"{fn.__name__}-{n}" for n, (fn, _, _) in enumerate(CASES)]


@pytest.mark.parametrize("fn, w, zs", CASES, ids=IDS)
def test_python_gradient_against_differences(fn, w, zs):
    got = srcdiff.grad(fn, wrt=(0, 1))(w, zs)
    assert got[0] == pytest.approx(numeric_grad(fn, (w, zs), 0), rel=1e-6, abs=1e-8)
    np.testing.assert_allclose(got[1], numeric_grad(fn, (w, zs), 1), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("fn, w, zs", CASES, ids=IDS)
def test_numba_compiles_and_gives_the_python_gradient(fn, w, zs):
    pytest.importorskip("numba")
    got, want = srcdiff.grad(fn, wrt=(0, 1), jit="numba")(w, zs), srcdiff.grad(fn, wrt=(0, 1))(w, zs)
    assert type(got[0]) is float and got[1].dtype == zs.dtype and got[1].shape == zs.shape
    assert got[0] == pytest.approx(want[0], rel=1e-12, abs=1e-14)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-12, atol=1e-14)
    assert got[0] == pytest.approx(numeric_grad(fn, (w, zs), 0), rel=1e-6, abs=1e-8)
    np.testing.assert_allclose(got[1], numeric_grad(fn, (w, zs), 1), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("fn, w, zs", CASES[::3], ids=IDS[::3])
def test_numba_float32_arrays(fn, w, zs):
    pytest.importorskip("numba")
    got = srcdiff.grad(fn, wrt=(0, 1), jit="numba")(w, zs.astype(np.float32))
    want = srcdiff.grad(fn, wrt=(0, 1))(w, zs)
    assert got[1].dtype == np.float32
    np.testing.assert_allclose(got[1], want[1], rtol=1e-4, atol=1e-5)
    assert got[0] == pytest.approx(want[0], rel=1e-4, abs=1e-5)


@pytest.mark.parametrize("fn, w, zs", CASES, ids=IDS)
def test_jvp_and_hvp_against_differences(fn, w, zs):
    dzs = np.linspace(0.3, -0.6, zs.size) ** 2 - 0.1  # a non-uniform direction
    got = srcdiff.jvp(fn)(w, zs, 0.7, dzs)
    eps = 1e-6
    want = (fn(w + 0.7 * eps, zs + eps * dzs) - fn(w - 0.7 * eps, zs - eps * dzs)) / (2 * eps)
    assert got == pytest.approx(want, rel=1e-6, abs=1e-8)
    h = srcdiff.hvp(fn, wrt=0)(w, zs, 1.5)
    grad_w = srcdiff.grad(fn, wrt=0)
    assert h == pytest.approx(1.5 * (grad_w(w + eps, zs) - grad_w(w - eps, zs)) / (2 * eps), rel=1e-5, abs=1e-7)


def test_the_python_code_keeps_one_tape_and_numba_a_list_per_push():
    pytest.importorskip("numba")
    python = srcdiff.grad(float_or_flag).source_for(0.6, MIXED)
    assert python.count(" = []") == 1 and "tape_1" not in python
    g = srcdiff.grad(float_or_flag, jit="numba")
    g(0.6, MIXED)
    (compiled,) = g.__srcdiff_table__.values()
    assert "tape_1.append(k)" in compiled.source and "k = tape_1.pop()" in compiled.source


def constant_branches(w, zs):
    """Branches on constants: numba drops the side one never takes (and with it the pushes that
    would type that side's list, which the backward pass pops on flags from the tape), so numba
    mode drops those sides first (``pipeline.taken_sides``)."""
    acc = 0.0
    for z in zs:
        if LIMIT > 0.7:  # never taken
            t = math.sin(z * w)
            acc = acc + t * t
        elif LIMIT > 0.2:  # always taken
            if z > 0.0:
                u = math.cos(z * w)
                acc = acc + u * z
            else:
                acc = acc - z * w * LIMIT
        else:
            acc = acc + w
    return acc


def clipped(p, q):
    if q <= 0.1:
        t = p / (1.0 + p ** 2)  # defined on this side only
        r = t
    else:
        r = q * p
    return r


def helper_of_constants(w, zs):
    """The fuzzer's shape: a helper branching on a parameter given a constant, inside a loop;
    the side taken by the first call leaves ``t`` undefined."""
    acc = 0.0
    for z in zs:
        acc = acc + clipped(z * w, 0.327) + clipped(w * z * z, LIMIT * 0.1)
    return acc


@pytest.mark.parametrize("fn", [constant_branches, helper_of_constants])
def test_numba_compiles_branches_on_constants_inside_a_loop(fn):
    pytest.importorskip("numba")
    got, want = srcdiff.grad(fn, wrt=(0, 1), jit="numba")(0.6, MIXED), srcdiff.grad(fn, wrt=(0, 1))(0.6, MIXED)
    assert got[0] == pytest.approx(want[0], rel=1e-12) == pytest.approx(numeric_grad(fn, (0.6, MIXED), 0))
    np.testing.assert_allclose(got[1], want[1], rtol=1e-12)
    np.testing.assert_allclose(got[1], numeric_grad(fn, (0.6, MIXED), 1), rtol=1e-6, atol=1e-8)


def test_numba_names_a_branch_on_constants_it_drops_and_srcdiff_kept(monkeypatch):
    """Were a side numba drops kept by numba mode (``taken_sides`` left out here), the list it
    types would have no type: refused at the ``if``, never numba's own TypingError."""
    pytest.importorskip("numba")
    monkeypatch.setattr(specialize, "taken_sides", lambda function, namespace: function)
    g = srcdiff.grad(constant_branches, wrt=1, jit="numba")  # a key of its own in the API's cache
    with pytest.raises(srcdiff.SrcdiffError, match="condition is computed from constants alone") as info:
        g(0.6, MIXED)
    assert info.value.lineno == constant_branches.__code__.co_firstlineno + 6 and info.value.col == 8


def test_a_numba_that_does_not_import_says_why(monkeypatch):
    """numba installed but failing to import (a broken llvmlite...) keeps its own reason in the message."""
    monkeypatch.setitem(sys.modules, "numba", None)  # makes ``import numba`` raise ImportError
    with pytest.raises(ImportError, match=r"needs numba, which did not import \(.*numba.*\): pip install"):
        numba_module()
