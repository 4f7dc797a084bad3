"""``x[()]``, the empty tuple as an index: the whole array (a 0-d array's number).

Found by probing ordinary NumPy code: ``np.sin(x[()])`` of a matrix crashed with a raw
``IndexError`` in the gradient, and of a 0-d array in forward mode (the index had no part, where
every reader of an index expects one).  It is read as ``x[...]``, the same values.
"""
import numpy as np
import pytest

import srcdiff
from trust_helpers import assert_explain_matches_grad, assert_jvp_and_hvp_match_differences, fd_grad

RNG = np.random.default_rng(51)
M = RNG.standard_normal((2, 2))
V = RNG.standard_normal((2, 2))
WEIGHTS = np.arange(1.0, 5.0).reshape(2, 2)


def whole_matrix(x):
    return np.sum(np.sin(x[()]) * WEIGHTS)


def number_of_a_0d_array(x):
    return np.sin(x[()]) * 2.0 + x[()] ** 2


def written_whole(x):
    z = x * 1.0
    z[()] = x[0, 0] * 2.0
    return np.sum(np.sin(z) * WEIGHTS)


CASES = [(whole_matrix, M, V), (number_of_a_0d_array, np.array(0.4), np.array(0.7)), (written_whole, M, V)]


@pytest.mark.parametrize("f, x, v", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_grad_value_jvp_hvp_hessian_explain(f, x, v):
    value, gradient = srcdiff.value_and_grad(f)(x)
    assert value == pytest.approx(f(x))
    np.testing.assert_allclose(gradient, fd_grad(f, (x,), 0), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(srcdiff.grad(f)(x), gradient, rtol=1e-12)
    _, hvp = assert_jvp_and_hvp_match_differences(f, (x,), v)
    hessian = srcdiff.hessian(f)(x)
    np.testing.assert_allclose(np.tensordot(hessian, v, axes=np.ndim(x)), hvp, rtol=1e-10, atol=1e-12)
    assert_explain_matches_grad(f, (x,))
