"""Loops over ``zip(xs, ys)``, ``enumerate(xs)``, ``reversed(xs)`` of arrays and
``reversed(range(...))``, under ``jit="numba"``, and their specialized Python gradients.

numba refused them before: shape inference did not know that their targets take one number
each (it knew it of ``for x in xs`` alone), and ``reversed`` of an array has no numba form
(it is written ``xs[::-1]`` there).  Each function is compiled by numba and checked against
the Python gradient and central differences, in float64 and float32, with the loop broken
early or run through, ``zip`` of unequal lengths; the Python jvp and hvp against central
differences.  The numba tests are skipped where numba is not installed.
"""
import math

import numpy as np
import pytest

import srcdiff
from gradcheck import numeric_grad


def zipped_squares(w, xs, ys):
    s = 0.0
    for x, y in zip(xs, ys):
        s = s + (w * x - y) ** 2
    return s


def zipped_three(w, xs, ys, zs):
    s = w
    for x, y, z in zip(xs, ys, zs):
        s = math.tanh(s * x + y * z)
    return s * w


def enumerated(w, xs):
    s = 0.0
    for i, x in enumerate(xs):
        s = s + math.sin(w * x) * (i + 1)
    return s


def enumerated_break(w, xs):
    s = w
    for i, x in enumerate(xs):
        s = s * x + w
        if s > 1.5:
            break
        s = s + i * 0.1
    return s * s


def reversed_horner(w, xs):
    s = 0.0
    for x in reversed(xs):
        s = s * w + x
    return s


def reversed_return(w, xs):
    s = w
    for x in reversed(xs):
        s = math.exp(s * x) - 1.0
        if s > 2.0:
            return s * w
    return s


def reversed_range(w, xs):
    s = 0.0
    for i in reversed(range(len(xs))):
        s = s * w + xs[i]
    return s


def reversed_range_from(w, xs):
    s = w
    for i in reversed(range(1, len(xs))):
        s = math.sin(s * xs[i]) + xs[i - 1] * w
    return s


XS = np.array([0.4, -0.3, 0.9, 0.2])
YS = np.array([0.1, 0.7, -0.5, 0.3])
ZS = np.array([0.6, 0.2, -0.8])          # shorter: zip stops at the third item

CASES = [
    (zipped_squares, (0.3, XS, YS)), (zipped_squares, (0.3, XS, ZS)), (zipped_three, (0.5, XS, YS, ZS)),
    (enumerated, (0.8, XS)), (enumerated_break, (1.1, XS)), (enumerated_break, (1.1, np.array([2.0, 0.5]))),
    (enumerated_break, (0.2, XS)),
    (reversed_horner, (0.7, XS)), (reversed_return, (0.9, np.array([0.5, 1.2, 0.8]))), (reversed_return, (0.3, XS)),
    (reversed_range, (0.7, XS)), (reversed_range_from, (0.6, XS)),
]
IDS = [f"{fn.__name__}-{n}" for n, (fn, _) in enumerate(CASES)]
WRT = lambda args: tuple(range(len(args)))  # noqa: E731  (every parameter: the scalar and each array)


def differences(fn, args):
    return [numeric_grad(fn, args, i) for i in range(len(args))]


def assert_close(got, want, rtol, atol):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)


@pytest.mark.parametrize("fn, args", CASES, ids=IDS)
def test_python_gradient_against_differences(fn, args):
    assert_close(srcdiff.grad(fn, wrt=WRT(args))(*args), differences(fn, args), 1e-6, 1e-8)


@pytest.mark.parametrize("fn, args", CASES, ids=IDS)
def test_numba_compiles_and_gives_the_python_gradient(fn, args):
    pytest.importorskip("numba")
    got = srcdiff.grad(fn, wrt=WRT(args), jit="numba")(*args)
    want = srcdiff.grad(fn, wrt=WRT(args))(*args)
    assert type(got[0]) is float
    for g, a in zip(got[1:], args[1:]):
        assert g.dtype == a.dtype and g.shape == a.shape
    assert_close(got, want, 1e-12, 1e-14)
    assert_close(got, differences(fn, args), 1e-6, 1e-8)


@pytest.mark.parametrize("fn, args", CASES[::2], ids=IDS[::2])
def test_numba_float32_arrays(fn, args):
    pytest.importorskip("numba")
    single = (args[0],) + tuple(a.astype(np.float32) for a in args[1:])
    got = srcdiff.grad(fn, wrt=WRT(args), jit="numba")(*single)
    want = srcdiff.grad(fn, wrt=WRT(args))(*args)
    assert all(g.dtype == np.float32 for g in got[1:])
    assert_close(got, want, 1e-4, 1e-5)


@pytest.mark.parametrize("fn, args", CASES, ids=IDS)
def test_jvp_and_hvp_against_differences(fn, args):
    directions = (0.7,) + tuple(np.linspace(0.3, -0.6, a.size) ** 2 - 0.1 for a in args[1:])  # non-uniform
    got = srcdiff.jvp(fn)(*args, *directions)
    eps = 1e-6
    plus = [a + eps * d for a, d in zip(args, directions)]
    minus = [a - eps * d for a, d in zip(args, directions)]
    assert got == pytest.approx((fn(*plus) - fn(*minus)) / (2 * eps), rel=1e-6, abs=1e-8)
    h = srcdiff.hvp(fn, wrt=0)(*args, 1.5)
    grad_w = srcdiff.grad(fn, wrt=0)
    rest = args[1:]
    want = 1.5 * (grad_w(args[0] + eps, *rest) - grad_w(args[0] - eps, *rest)) / (2 * eps)
    assert h == pytest.approx(want, rel=1e-5, abs=1e-7)


def test_numba_walks_reversed_arrays_backwards_by_a_slice():
    pytest.importorskip("numba")
    g = srcdiff.grad(reversed_horner, jit="numba")
    g(0.7, XS)
    (compiled,) = g.__srcdiff_table__.values()
    assert "for x in xs[::-1]:" in compiled.source and "reversed(" not in compiled.source


def test_a_list_is_still_refused_by_numba_with_the_fix_named():
    pytest.importorskip("numba")
    with pytest.raises(srcdiff.SrcdiffError, match=r"np\.asarray\(xs\)"):
        srcdiff.grad(enumerated, jit="numba")(0.8, list(XS))
