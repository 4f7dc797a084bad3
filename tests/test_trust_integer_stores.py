"""Values stored into an array of integers (`np.full_like(labels, x)`, `a[i] = x` in a copy of
an integer array) are truncated by NumPy: piecewise constant in what was stored, so their
derivative is zero.  srcdiff used to differentiate them as if they were kept.  The same
functions given float arrays keep their derivative.  Checked through grad, jvp, hvp,
hessian and grad(grad), against central differences where the derivative is not zero.
"""
import numpy as np
import pytest

import srcdiff
from trust_helpers import fd_directional, fd_grad


def filled(x, a):
    return np.sum(np.full_like(a, x) * np.arange(1.0, 4.0)) * x


def written(x, a):
    b = a.copy()
    b[1] = x * x
    return np.sum(b * np.array([0.5, 2.0, -1.0])) + x


INTEGERS = np.array([1, 2, 3])
FLOATS = np.array([1.0, 2.0, 3.0])
FLOAT32 = np.array([1.0, 2.0, 3.0], dtype=np.float32)


@pytest.mark.parametrize("fn", [filled, written])
@pytest.mark.parametrize("a", [INTEGERS, FLOATS, FLOAT32], ids=["int", "float64", "float32"])
def test_gradient_and_tangent_match_differences(fn, a):
    x = 1.37  # truncation to an int is flat around it: differences see the zero derivative
    expected = fd_grad(fn, (x, a), 0, eps=1e-4 if a.dtype == np.float32 else 1e-6)
    tol = dict(rel=1e-3) if a.dtype == np.float32 else dict(rel=1e-6, abs=1e-9)
    assert srcdiff.grad(fn, wrt=0)(x, a) == pytest.approx(expected, **tol)
    assert srcdiff.jvp(fn, wrt=0)(x, a, 0.75) == pytest.approx(0.75 * expected, **tol)


@pytest.mark.parametrize("fn", [filled, written])
@pytest.mark.parametrize("a", [INTEGERS, FLOATS], ids=["int", "float64"])
def test_second_derivatives_match_differences(fn, a):
    x = 1.37
    first = srcdiff.grad(fn, wrt=0)
    expected = fd_grad(lambda x, a: first(x, a), (x, a), 0)
    assert srcdiff.grad(first, wrt=0)(x, a) == pytest.approx(expected, rel=1e-6, abs=1e-8)
    assert srcdiff.hvp(fn, wrt=0)(x, a, 1.0) == pytest.approx(expected, rel=1e-6, abs=1e-8)
    assert srcdiff.hessian(fn, wrt=0)(x, a) == pytest.approx(expected, rel=1e-6, abs=1e-8)
    assert fd_directional(first, (x, a), 0, 1.0) == pytest.approx(expected, rel=1e-5, abs=1e-7)


def test_the_integer_store_has_no_gradient_but_the_rest_keeps_its_own():
    # written: b[1] = x * x truncated into an int array; "+ x" still carries 1.0
    assert srcdiff.grad(written, wrt=0)(1.37, INTEGERS) == 1.0
    assert srcdiff.grad(written, wrt=0)(1.37, FLOATS) == pytest.approx(1.0 + 2.0 * 2 * 1.37)
