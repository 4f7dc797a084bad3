"""A call whose ``dtype`` argument makes its result integers or booleans.

Found by probing ordinary NumPy code: ``np.sum(x, dtype=int)``, ``np.mean(x, axis=1, dtype=int)``
and ``np.prod(x, axis=0, dtype=int)`` passed the gradient through as if the result were the
float sum, and ``np.asarray(x, np.int32)`` (the dtype by position) as if it were ``x``; in
forward mode ``np.array(x, dtype=int)``, ``np.cumsum(x, dtype=int)``, ``np.trace(x, dtype=int)``
and ``np.linspace(..., dtype=int)`` cast the tangent to integers (a wrong number), and
``np.prod(x, dtype=...)`` crashed.  A result of integers or booleans is piecewise constant in
what it was made from: no gradient and no tangent, whatever the call (``rules.casts``); a
dtype computed at run time is refused at its line.
"""
import numpy as np
import pytest

import srcdiff
from trust_helpers import assert_explain_matches_grad, assert_jvp_and_hvp_match_differences, assert_user_error, fd_grad

RNG = np.random.default_rng(41)
X = RNG.standard_normal((3, 3)) * 2.0
V = RNG.standard_normal((3, 3))
WEIGHTS = np.arange(1.0, 10.0).reshape(3, 3)


def sum_to_integers(x):
    return np.sum(x * 3.0, dtype=int) * np.sum(np.sin(x) * WEIGHTS)


def sum_along_an_axis_to_integers(x):
    return np.sum(np.sum(x * 3.0, axis=0, dtype=np.int64) * np.sin(x) * WEIGHTS)


def mean_to_integers(x):
    return np.sum(np.mean(x * 3.0, axis=1, dtype=int) * np.sin(x) * WEIGHTS)


def prod_to_integers(x):
    return np.sum(np.prod(x * 3.0, axis=0, dtype=int) * np.sin(x) * WEIGHTS)


def cumsum_to_integers(x):
    return np.sum(np.cumsum(x * 3.0, axis=0, dtype=int) * np.sin(x) * WEIGHTS)


def array_of_integers(x):
    return np.sum(np.array(x * 3.0, dtype=int) * np.sin(x) * WEIGHTS)


def array_of_integers_by_position(x):
    return np.sum(np.asarray(x * 3.0, np.int32) * np.sin(x) * WEIGHTS)


def array_of_booleans(x):
    return np.sum(np.array(x, dtype=bool) * np.sin(x) * WEIGHTS)


def trace_to_integers(x):
    return np.trace(x * 3.0, dtype=int) * np.sum(np.sin(x) * WEIGHTS)


def method_sum_to_integers(x):
    return (x * 3.0).sum(axis=1, dtype=np.int32) @ np.sin(x) @ WEIGHTS[0]


def linspace_of_integers(x):
    return np.sum(np.linspace(x[0, 0], x[0, 0] * 5.0 + 10.0, 3, dtype=int) * np.sin(x[0]))


def sum_to_float32(x):
    """A float dtype keeps the gradient (the reverse of a float cast)."""
    return np.sum(np.sin(x) * WEIGHTS, dtype=np.float32) * np.sum(x, dtype=np.float64)


CASES = [sum_to_integers, sum_along_an_axis_to_integers, mean_to_integers, prod_to_integers, cumsum_to_integers,
         array_of_integers, array_of_integers_by_position, array_of_booleans, trace_to_integers,
         method_sum_to_integers, linspace_of_integers]


def expected_gradient(f, x):
    """Differences, with the integers held as they are at ``x`` (no integer flips within the step)."""
    return fd_grad(f, (x,), 0, eps=1e-7)


@pytest.fixture(params=CASES, ids=lambda f: f.__name__)
def f(request):
    return request.param


def test_grad_matches_differences(f):
    np.testing.assert_allclose(srcdiff.grad(f)(X), expected_gradient(f, X), rtol=1e-6, atol=1e-6)


def test_value_and_grad(f):
    value, gradient = srcdiff.value_and_grad(f)(X)
    assert value == pytest.approx(f(X))
    np.testing.assert_allclose(gradient, expected_gradient(f, X), rtol=1e-6, atol=1e-6)


def test_jvp_and_hvp(f):
    assert_jvp_and_hvp_match_differences(f, (X,), V)


def test_hessian_and_the_jacobian_of_the_gradient(f):
    hessian = srcdiff.hessian(f)(X)
    np.testing.assert_allclose(np.tensordot(hessian, V, axes=2), srcdiff.hvp(f)(X, V), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(srcdiff.jacobian(srcdiff.grad(f))(X), hessian, rtol=1e-10, atol=1e-10)


def test_explain(f):
    assert_explain_matches_grad(f, (X,))


def test_a_float_dtype_keeps_the_gradient():
    by_hand = np.cos(X) * WEIGHTS * np.sum(X) + np.sum(np.sin(X) * WEIGHTS)  # float32 is too coarse for differences
    np.testing.assert_allclose(srcdiff.grad(sum_to_float32)(X), by_hand, rtol=1e-5)
    np.testing.assert_allclose(srcdiff.jvp(sum_to_float32)(X, V), np.sum(by_hand * V), rtol=1e-5)


def sum_to_a_computed_dtype(x, like):
    return np.sum(x * 3.0, dtype=like.dtype) * np.sum(np.sin(x))


@pytest.mark.parametrize("path", ["grad", "jvp", "hvp"])
def test_a_dtype_computed_at_run_time_is_refused_at_its_line(path):
    like = np.arange(3)
    with pytest.raises(srcdiff.SrcdiffError) as caught:
        if path == "grad":
            srcdiff.grad(sum_to_a_computed_dtype, wrt=0)(X, like)
        elif path == "jvp":
            srcdiff.jvp(sum_to_a_computed_dtype, wrt=0)(X, like, V)
        else:
            srcdiff.hvp(sum_to_a_computed_dtype, wrt=0)(X, like, V)
    assert_user_error(caught.value, sum_to_a_computed_dtype, "like.dtype")


def rows_in_lexical_order(x):
    """``np.lexsort`` gives indices: no tangent (forward mode refused it as needing one)."""
    return np.sum(np.sin(x[np.lexsort((x[:, 0], x[:, 1]))]) * WEIGHTS)


def test_lexsort_indices_have_no_tangent():
    assert_jvp_and_hvp_match_differences(rows_in_lexical_order, (X,), V)
    np.testing.assert_allclose(srcdiff.grad(rows_in_lexical_order)(X), fd_grad(rows_in_lexical_order, (X,), 0),
                               rtol=1e-6, atol=1e-8)
