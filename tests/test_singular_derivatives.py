"""Derivatives that a formula makes singular although the value is not (issue 11, item 10,
extra B and 0 ** 0).

- ``hypot`` at the origin: gradient 0 (the convention of ``abs`` and ``np.linalg.norm``),
  through ``rt.div_or_zero``, also in second derivatives;
- ``x ** y`` with a varying exponent at ``x = y = 0``: the base's gradient is 0
  (``rt.scaled_pow``); a constant exponent keeps its plain, simplified text;
- a value with an infinite derivative (``sqrt`` at 0) on a path that does not reach the
  result: its backward statements run inside the branch that uses it, never as
  ``0.0 * inf`` after the branch.
Everything is checked against central differences away from the singular points, on
grad, jvp, hvp (both modes), hessian and grad(grad), with square shapes and a
non-uniform weight.
"""
import math

import numpy as np
import pytest

import srcdiff
from trust_helpers import fd_directional, fd_grad

W = np.array([[1.0, 2.0], [3.0, 4.0]])
X = np.array([[0.5, -1.0], [2.0, 0.25]])
V = np.array([[0.3, -0.7], [1.1, 0.2]])


def check_all(f, args, wrt, v, rtol=1e-5, modes=("forward", "reverse")):
    """grad, jvp, hvp (in ``modes``) and hessian of ``f`` against central differences."""
    gradient = srcdiff.grad(f, wrt=wrt)
    np.testing.assert_allclose(gradient(*args), fd_grad(f, args, wrt), rtol=rtol, atol=1e-6)
    np.testing.assert_allclose(srcdiff.jvp(f, wrt=wrt)(*args, v), fd_directional(f, args, wrt, v), rtol=rtol, atol=1e-6)
    second = fd_directional(gradient, args, wrt, v)
    for mode in modes:
        np.testing.assert_allclose(srcdiff.hvp(f, wrt=wrt, mode=mode)(*args, v), second, rtol=1e-4, atol=1e-5)
    hessian = srcdiff.hessian(f, wrt=wrt)(*args)
    along = np.tensordot(hessian, v, axes=np.ndim(v)) if np.ndim(v) else hessian * v
    np.testing.assert_allclose(along, second, rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------- hypot

def math_hypot(x, y):
    return math.hypot(x, y) * 3.0


def numpy_hypot(x, y):
    return np.sum(W * np.hypot(x, y))


def numpy_hypot_number(x, y):
    return np.sum(W * np.hypot(x, y))


def test_hypot_is_zero_at_the_origin_to_every_order():
    assert srcdiff.grad(math_hypot)(0.0, 0.0) == (0.0, 0.0)
    assert srcdiff.jvp(math_hypot, wrt=0)(0.0, 0.0, 1.0) == 0.0
    for mode in ("forward", "reverse"):
        assert srcdiff.hvp(math_hypot, wrt=0, mode=mode)(0.0, 0.0, 1.0) == 0.0
    assert srcdiff.hessian(math_hypot, wrt=1)(0.0, 0.0) == 0.0
    assert srcdiff.grad(srcdiff.grad(math_hypot, wrt=0), wrt=1)(0.0, 0.0) == 0.0
    with np.errstate(all="raise"):  # no 0/0 on the way
        gx, gy = srcdiff.grad(numpy_hypot)(np.zeros((2, 2)), np.array([[0.0, 3.0], [0.0, -4.0]]))
        hv = srcdiff.hvp(numpy_hypot, wrt=0)(np.zeros((2, 2)), np.zeros((2, 2)), V)
    assert gx == pytest.approx(np.zeros((2, 2))) and gy == pytest.approx(np.array([[0.0, 2.0], [0.0, -4.0]]))
    assert hv == pytest.approx(np.zeros((2, 2)))


@pytest.mark.parametrize("wrt", [0, 1])
def test_hypot_away_from_the_origin(wrt):
    check_all(math_hypot, (0.6, -0.8), wrt, 1.3)
    check_all(numpy_hypot, (X, X.T), wrt, V)


def test_hypot_of_an_array_and_a_number():
    check_all(numpy_hypot_number, (X, 0.7), 0, V)
    check_all(numpy_hypot_number, (X, 0.7), 1, 1.3)


# ---------------------------------------------------------------- powers with a varying exponent

def power(x, y):
    return x ** y * 2.0


def numpy_power(x, y):
    return np.sum(W * np.power(x, y))


def pow_builtin(x, y):
    return pow(x, y) + math.pow(x, y)


def test_the_base_gradient_at_zero_to_the_zero():
    assert srcdiff.grad(power, wrt=0)(0.0, 0.0) == 0.0
    assert srcdiff.grad(pow_builtin, wrt=0)(0.0, 0.0) == 0.0
    assert srcdiff.jvp(power, wrt=0)(0.0, 0.0, 1.0) == 0.0
    for mode in ("forward", "reverse"):
        assert srcdiff.hvp(power, wrt=0, mode=mode)(0.0, 0.0, 1.0) == 0.0
        assert srcdiff.hvp(power, wrt=0, mode=mode)(0.0, 2.0, 1.0) == 4.0  # d2/dx2 of 2 x**2
    with np.errstate(all="raise"):
        g = srcdiff.grad(numpy_power, wrt=0)(np.zeros((2, 2)), np.array([[0.0, 2.0], [0.0, 1.0]]))
    assert g == pytest.approx(np.array([[0.0, 0.0], [0.0, 4.0]]))


def test_the_exponent_gradient_is_zero_where_the_power_is():
    """d2/dy2 of 0 ** y (y > 0) is 0: rt.xlogy's own rule multiplies no 0 by log(0)."""
    assert srcdiff.hessian(power, wrt=1)(0.0, 2.0) == 0.0
    with np.errstate(all="raise"):
        assert srcdiff.hvp(numpy_power, wrt=1)(np.zeros((2, 2)), 2.0 + X ** 2, V) == pytest.approx(np.zeros((2, 2)))


@pytest.mark.parametrize("wrt", [0, 1])
def test_powers_away_from_zero(wrt):
    check_all(power, (1.3, 0.7), wrt, 0.9)
    check_all(numpy_power, (1.0 + X ** 2, X.T), wrt, V)
    check_all(numpy_power, (1.0 + X ** 2, 0.7), wrt, V if wrt == 0 else 0.9)


def cube(x):
    return x ** 3


def test_a_constant_exponent_keeps_its_plain_text():
    assert "grad_x = 3.0 * (x * x)" in srcdiff.grad(cube).source  # x ** 2 written x * x, as in forward code
    assert "scaled_pow" in srcdiff.grad(power, wrt=0).source


# ---------------------------------------------------------------- values on a path that does not reach the result

def sqrt_off_path(x, c):
    h = math.sqrt(x)
    if c > 0:
        return x
    return h


HAS_CBRT = hasattr(math, "cbrt")  # Python 3.11 on: on 3.10 chain_off_path itself cannot run


def chain_off_path(x, c):
    h = math.sqrt(x)
    t = h * 2.0 + math.cbrt(x)
    if c > 0:
        u = x * 3.0
    else:
        u = t * x
    return u + 1.0


def used_outside_too(x, c):
    h = math.sqrt(x)
    t = h + x
    if c > 0:
        return t
    return h * t


def numpy_off_path(x, c):
    h = np.sqrt(x)
    t = W * x
    if c <= 0:
        t = W * h
    return np.sum(t)


def off_path_in_a_loop(x, c, n):
    s = 0.0
    for i in range(n):
        h = math.sqrt(x)
        if c > 0:
            s = s + x
        else:
            s = s + h * s
    return s


def nested_off_path(x, c, d):
    h = math.sqrt(x)
    if c > 0:
        if d > 0:
            return h
        return x * 2.0
    return x


def test_an_infinite_derivative_off_the_path_does_not_raise():
    assert srcdiff.grad(sqrt_off_path)(0.0, 1.0) == (1.0, 0.0)
    if HAS_CBRT:
        assert srcdiff.grad(chain_off_path, wrt=0)(0.0, 1.0) == 3.0
    assert srcdiff.grad(nested_off_path, wrt=0)(0.0, 1.0, -1.0) == 2.0
    assert srcdiff.grad(nested_off_path, wrt=0)(0.0, -1.0, 1.0) == 1.0
    assert srcdiff.grad(off_path_in_a_loop, wrt=0)(0.0, 1.0, 3) == 3.0
    with np.errstate(all="raise"):
        assert srcdiff.grad(numpy_off_path, wrt=0)(np.zeros((2, 2)), 1.0) == pytest.approx(W)


def test_the_backward_statements_move_into_the_branch_that_uses_the_value():
    text = srcdiff.grad(sqrt_off_path, wrt=0).source
    backward = text[text.index("# backward"):]
    assert "0.0" not in backward  # no zero adjoint for h on the path that does not use it
    assert backward.index("2 * h") > backward.index("else:")


@pytest.mark.parametrize("c", [1.0, -1.0])
def test_sunk_statements_give_the_right_numbers(c):
    for f in (sqrt_off_path, used_outside_too) + ((chain_off_path,) if HAS_CBRT else ()):
        check_all(f, (0.7, c), 0, 1.3)
    check_all(numpy_off_path, (1.0 + X ** 2, c), 0, V)
    check_all(off_path_in_a_loop, (0.7, c, 3), 0, 1.3, modes=(None,))  # through a loop: reverse over forward
    for d in (1.0, -1.0):
        check_all(nested_off_path, (0.7, c, d), 0, 1.3)
