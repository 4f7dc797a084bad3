"""Issue 11, forward mode and the second derivatives built on it.

Item 1: forward mode drops broadcasting against an operand without a tangent (``X + b``
with only ``b`` carrying one gives a tangent of ``b``'s shape, not the result's), and every
second derivative built reverse over forward inherits it (hvp, hessian and
``grad(grad(f))`` of a function with a loop).  Item 9: ``rt.xlogy``'s reverse rule is not
summed down under broadcasting, so reverse-over-reverse and reverse-over-forward Hessian-
vector products of ``scalar ** array`` are wrong.  Also: second derivatives of array code
whose gradient no longer calls ``np.*`` are refused in generated code (found while triaging).

Each test compares with central differences (or a hand-derived value); tests of bugs
srcdiff still has are marked xfail(strict), so they turn red when a fix lands.
"""
import numpy as np
import pytest

import srcdiff
from trust_helpers import fd_directional, fd_grad

B = np.array([0.3, 1.1, -0.4])
X = np.arange(1.0, 13.0).reshape(4, 3) * 0.7 - 2.95  # no entry equal to one of B's: no ties
XPOS = np.arange(1.0, 13.0).reshape(4, 3) + 4.0       # entries larger than B's (for %)
V = np.array([1.0, -2.0, 0.5])                         # a non-uniform tangent
W3 = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75], [-2.0, 1.0, 0.5]])


# ---------------------------------------------------------------- item 1: jvp, b has the tangent, X none

def add(b, X):
    return np.sum(X + b)


def radd(b, X):
    return np.sum(b + X)


def sub(b, X):
    return np.sum(X - b)


def rsub(b, X):
    return np.sum(b - X)


def np_add(b, X):
    return np.sum(np.add(X, b))


def np_subtract(b, X):
    return np.sum(np.subtract(X, b))


def mod(b, X):
    return np.sum(b % X)


def mul(b, X):
    return np.sum(X * b)


def div(b, X):
    return np.sum(X / b)


def rdiv(b, X):
    return np.sum(b / X)


def maximum(b, X):
    return np.sum(np.maximum(b, X))


def maximum_second(b, X):
    return np.sum(np.maximum(X, b))


def minimum(b, X):
    return np.sum(np.minimum(b, X))


def where_then(b, X):
    return np.sum(np.where(X > 0.5, b, X))


def where_else(b, X):
    return np.sum(np.where(X > 0.5, X, b))


def weighted_add(b, X):
    return np.sum(np.sum(X[:3] + b, axis=0) * W3[0])  # square, summed along one axis, non-uniform weights


def bias(b, X):
    return np.sum(X[:3] @ W3 + b)  # the everyday form: a bias added to a product


BROKEN = [add, radd, sub, rsub, np_add, np_subtract, weighted_add, bias]
FINE = [mul, div, rdiv, maximum, maximum_second, minimum, where_then, where_else]


@pytest.mark.parametrize("f", BROKEN, ids=lambda f: f.__name__)
def test_jvp_broadcasts_a_tangent_against_a_larger_operand(f):
    got = srcdiff.jvp(f, wrt=0)(B, X, V)
    assert got == pytest.approx(fd_directional(f, (B, X), 0, V), rel=1e-6)


def test_jvp_of_mod_broadcasts():
    got = srcdiff.jvp(mod, wrt=0)(B + 1.0, XPOS, V)
    assert got == pytest.approx(fd_directional(mod, (B + 1.0, XPOS), 0, V), rel=1e-6)


@pytest.mark.parametrize("f", FINE, ids=lambda f: f.__name__)
def test_jvp_where_the_template_reads_the_larger_operand(f):
    got = srcdiff.jvp(f, wrt=0)(B, X, V)
    assert got == pytest.approx(fd_directional(f, (B, X), 0, V), rel=1e-6)


def scalar_plus(s, X):
    return np.sum(X + s)


def test_jvp_of_a_number_added_to_an_array():
    assert srcdiff.jvp(scalar_plus, wrt=0)(1.5, X, 1.0) == pytest.approx(12.0)


def test_reverse_mode_of_the_same_functions_is_right():
    for f in BROKEN + FINE:
        assert srcdiff.grad(f, wrt=0)(B, X) == pytest.approx(fd_grad(f, (B, X), 0), rel=1e-6), f.__name__


# ---------------------------------------------------------------- item 1: second derivatives through it

def shrink(w, X, n):
    for i in range(n):
        w = w * 0.9
    return np.sum(X + w ** 2)


def no_loop(w, X):
    return np.sum(X + w ** 2)


SHRINK_H = 12 * 2 * 0.81 ** 2  # n = 2: sum over 12 entries of (0.81 w)^2, twice differentiated


def test_hvp_of_a_loop_scalar_parameter():
    assert srcdiff.hvp(shrink, wrt=0)(1.3, X, 2, 1.0) == pytest.approx(SHRINK_H)


def test_hessian_of_a_loop_scalar_parameter():
    assert srcdiff.hessian(shrink, wrt=0)(1.3, X, 2) == pytest.approx(SHRINK_H)


def test_grad_of_grad_of_a_loop():
    assert srcdiff.grad(srcdiff.grad(shrink, wrt=0), wrt=0)(1.3, X, 2) == pytest.approx(SHRINK_H)


def test_hvp_and_hessian_of_a_loop_vector_parameter():
    w = np.array([0.5, -1.0, 2.0])
    expected = 4 * 2 * 0.81 ** 2 * np.eye(3)  # each w_j meets 4 rows of X
    assert srcdiff.hvp(shrink, wrt=0)(w, X, 2, V) == pytest.approx(expected @ V)
    assert srcdiff.hessian(shrink, wrt=0)(w, X, 2) == pytest.approx(expected)


def test_forward_over_reverse_is_right():
    assert srcdiff.hvp(shrink, wrt=0, mode="forward")(1.3, X, 2, 1.0) == pytest.approx(SHRINK_H)
    assert srcdiff.hvp(no_loop, wrt=0)(1.3, X, 1.0) == pytest.approx(24.0)
    assert srcdiff.hessian(no_loop, wrt=0)(1.3, X) == pytest.approx(24.0)


# ---------------------------------------------------------------- item 9: rt.xlogy under broadcasting

def power_of_mean(x):
    return np.sum((1.5 + np.mean(x)) ** x)


def power_of_mean_loop(x, n):
    for i in range(n):
        x = x * 1.0
    return np.sum((1.5 + np.mean(x)) ** x)


POINT = np.array([0.3, -0.7, 1.2])
DIRECTION = np.array([1.0, 0.5, -2.0])


def _hvp_by_differences(f, *rest):
    gradient = srcdiff.grad(f, wrt=0)  # first order is right (checked below)
    return fd_directional(lambda x: gradient(x, *rest), (POINT,), 0, DIRECTION, eps=1e-5)


def test_first_order_and_forward_over_reverse_are_right():
    assert srcdiff.grad(power_of_mean)(POINT) == pytest.approx(fd_grad(power_of_mean, (POINT,), 0), rel=1e-6)
    expected = _hvp_by_differences(power_of_mean)
    assert srcdiff.hvp(power_of_mean, wrt=0, mode="forward")(POINT, DIRECTION) == pytest.approx(expected, rel=1e-5)
    assert srcdiff.hvp(power_of_mean)(POINT, DIRECTION) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("mode", ["reverse", "reverse-over-forward"])
def test_hvp_of_a_scalar_base_to_an_array_power(mode):
    expected = _hvp_by_differences(power_of_mean)
    assert srcdiff.hvp(power_of_mean, wrt=0, mode=mode)(POINT, DIRECTION) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("mode", [None, "reverse", "reverse-over-forward"])
def test_hvp_through_a_loop_of_a_scalar_base_to_an_array_power(mode):
    expected = _hvp_by_differences(power_of_mean_loop, 2)
    got = srcdiff.hvp(power_of_mean_loop, wrt=0, mode=mode)(POINT, 2, DIRECTION)
    assert got == pytest.approx(expected, rel=1e-5)


# ---------------------------------------------------------------- found while triaging: false refusals

def power_sum(a, x):
    return np.sum(a ** x)


def test_grad_of_grad_of_array_code_with_a_number_parameter():
    # grad_no_loop calls rt.sum_grad, rt.unbroadcast and rt.like but no np.*: it is read back
    # as scalar code, where rt.like has no rule (the error points into <srcdiff grad_no_loop>)
    assert srcdiff.grad(srcdiff.grad(no_loop, wrt=0), wrt=0)(1.3, X) == pytest.approx(24.0)


def test_reverse_over_reverse_with_a_number_parameter_of_array_code():
    x = np.array([0.3, -0.7, 1.2])
    expected = float(np.sum(x * (x - 1) * 1.7 ** (x - 2)))
    assert srcdiff.hvp(power_sum, wrt=0, mode="reverse")(1.7, x, 1.0) == pytest.approx(expected)
