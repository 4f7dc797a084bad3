"""A boolean mask multiplied in (``np.sum(x * (x > 0))``) and counted (``np.count_nonzero(m)``).

Found by probing ordinary NumPy code:
- the code specialized to an array argument folded the upstream ``1.0`` of ``np.sum(x * (x > 0))``
  away and made the integer-valued rest a float with ``float(s0)``: of an array of bools, a raw
  ``TypeError`` at run time.  Array code now writes ``np.float64(...)``, a float64 array for an
  array (number code keeps ``float``);
- shape inference took every ``np.<f>`` it did not list as element-wise, so
  ``np.count_nonzero(m)`` had the shape of ``m``; a scalar result then made ``m`` a number, and
  the gradient of ``np.where(m, ...)`` was summed to one number: silently wrong.  A NumPy
  function is element-wise now where it is a ufunc (or in a short table of functions that are);
  not a generalized ufunc (``np.matmul`` of two vectors is one number, from arrays).
Checked through grad, jvp, hvp, hessian, explain, specialized and generic (``pytest --generic``).
"""
import numpy as np
import pytest

import srcdiff
from trust_helpers import assert_explain_matches_grad, assert_jvp_and_hvp_match_differences, fd_grad

RNG = np.random.default_rng(12)
X = RNG.standard_normal((3, 3))
V = RNG.standard_normal((3, 3))
W = RNG.standard_normal((3, 3))


def positive_part(x):
    return np.sum(x * (x > 0))


def positive_part_squared(x):
    return np.sum(x * x * (x > 0))


def positive_part_and_mask_count(x):
    return np.sum(x * (x > 0)) + np.count_nonzero(x > 0) * x[0, 0]


def masked_where_and_count(x):
    m = x > 0.1
    return np.sum(np.where(m, x * x, 0.0) * W) + np.count_nonzero(m) * 0.5


def weighted_mask_and_count(x):
    return np.sum(np.where(x > 0, 1.0, 0.0) * x * W) + np.count_nonzero(x > 0) * x[0, 0]


def count_along_rows(x):
    m = x > 0
    return np.sum(np.count_nonzero(m, axis=1) * np.sum(x * m * W, axis=1))


def mask_of_a_comparison_of_two(x):
    return np.sum(W * x * (x > x.T)) + np.sum((x < 0.5) * x * x)


FUNCTIONS = [positive_part, positive_part_squared, positive_part_and_mask_count, masked_where_and_count,
             weighted_mask_and_count, count_along_rows, mask_of_a_comparison_of_two]


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
def test_gradient_matches_differences(f):
    np.testing.assert_allclose(srcdiff.grad(f)(X.copy()), fd_grad(f, (X.copy(),), 0), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
def test_tangent_and_second_derivatives_match_differences(f):
    _, hvp = assert_jvp_and_hvp_match_differences(f, (X.copy(),), V)
    hessian = srcdiff.hessian(f)(X.copy())
    np.testing.assert_allclose(np.tensordot(hessian, V, axes=2), hvp, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
def test_explain_matches_grad(f):
    assert_explain_matches_grad(f, (X.copy(),))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_gradient_keeps_its_parameters_dtype(dtype):
    x = X.astype(dtype)
    g = srcdiff.grad(positive_part)(x)
    assert g.dtype == dtype and g.shape == x.shape
    np.testing.assert_array_equal(g, (x > 0).astype(dtype))


def test_number_code_still_makes_a_comparison_a_float():
    def step(t):
        return t * (t > 0)  # a bool times a number: its gradient is the float 1.0 or 0.0

    g = srcdiff.grad(step)
    assert g(1.5) == 1.0 and type(g(1.5)) is float
    assert g(-1.5) == 0.0


C1 = np.array([0.505, -0.129, -0.598, 0.569])
C2 = np.array([0.687, 0.143, -0.436, -0.470])


def products_of_vectors(c, x):
    # np.matmul and np.inner of vectors give numbers: their operands stay arrays (a generalized ufunc)
    u = c * C1 + x
    g = np.tanh(np.matmul(C2, u))
    h = g + u
    return 0.488 * np.tanh(np.matmul(h, u)) - 1.29 * np.tanh(np.inner(h, h))


@pytest.mark.parametrize("wrt", [0, 1])
def test_products_of_vectors_to_a_number(wrt):
    c, x = 0.7, np.array([0.3, -0.2, 0.1, 0.5])
    args = (c, x)
    expected = fd_grad(products_of_vectors, args, wrt)
    np.testing.assert_allclose(srcdiff.grad(products_of_vectors, wrt=wrt)(*args), expected, rtol=1e-6, atol=1e-8)
    v = 0.6 if wrt == 0 else np.array([1.0, -0.5, 0.25, 2.0])
    np.testing.assert_allclose(srcdiff.jvp(products_of_vectors, wrt=wrt)(*args, v), np.sum(expected * v), rtol=1e-6)
