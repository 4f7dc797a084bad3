"""A reshape that reads its operand in Fortran order (``order='F'``).

Found by probing ordinary NumPy code: ``x.flatten('F')``, ``np.ravel(x, 'F')`` and
``np.reshape(x, shape, 'F')``, the order given by position, had their gradient put back in C
order (a transposed gradient, silently), and with ``order=`` by keyword they were refused.
The gradient of a reshape is now put back in the order it was read ('C' or 'F'); 'A' and 'K',
whose order is the operand's memory layout, are refused at their line.
"""
import numpy as np
import pytest

import srcdiff
from trust_helpers import assert_explain_matches_grad, assert_jvp_and_hvp_match_differences, assert_user_error, fd_directional, fd_grad

RNG = np.random.default_rng(31)
X = RNG.standard_normal((3, 3))
V = RNG.standard_normal((3, 3))
WEIGHTS = np.arange(1.0, 10.0)


def flatten_by_position(x):
    return np.sum(np.sin(x.flatten('F')) * WEIGHTS)


def ravel_by_position(x):
    return np.sum(np.sin(np.ravel(x, 'F')) * WEIGHTS)


def reshape_by_position(x):
    return np.sum(np.sin(np.reshape(x, (9,), 'F')) * WEIGHTS)


def reshape_method_by_keyword(x):
    return np.sum(np.sin(x.reshape(-1, order='F')) * WEIGHTS)


def ravel_method_by_keyword(x):
    return np.sum(np.sin(x.ravel(order='F')) * WEIGHTS)


def reshape_into_a_matrix(x):
    return np.sum(np.sin(np.reshape(x[:2], (3, 2), order='F')) * WEIGHTS[:6].reshape(3, 2))


def flatten_in_c_order(x):
    return np.sum(np.sin(x.flatten('C')) * WEIGHTS)


FORTRAN = [flatten_by_position, ravel_by_position, reshape_by_position, reshape_method_by_keyword,
           ravel_method_by_keyword, reshape_into_a_matrix, flatten_in_c_order]


@pytest.fixture(params=FORTRAN, ids=lambda f: f.__name__)
def f(request):
    return request.param


def test_grad_matches_differences(f):
    np.testing.assert_allclose(srcdiff.grad(f)(X), fd_grad(f, (X,), 0), rtol=1e-6, atol=1e-8)


def test_value_and_grad(f):
    value, gradient = srcdiff.value_and_grad(f)(X)
    assert value == pytest.approx(f(X))
    np.testing.assert_allclose(gradient, fd_grad(f, (X,), 0), rtol=1e-6, atol=1e-8)


def test_float32_keeps_its_dtype(f):
    gradient = srcdiff.grad(f)(X.astype(np.float32))
    assert gradient.dtype == np.float32
    np.testing.assert_allclose(gradient, fd_grad(f, (X,), 0), rtol=1e-4, atol=1e-5)


def test_jvp_and_hvp(f):
    assert_jvp_and_hvp_match_differences(f, (X,), V)


def test_hessian_and_grad_of_grad(f):
    hessian = srcdiff.hessian(f)(X)
    np.testing.assert_allclose(np.tensordot(hessian, V, axes=2), srcdiff.hvp(f)(X, V), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(srcdiff.jacobian(srcdiff.grad(f))(X), hessian, rtol=1e-10, atol=1e-12)


def test_explain(f):
    assert_explain_matches_grad(f, (X,))


def ravel_in_memory_order(x):
    return np.sum(np.sin(np.ravel(x, 'K')) * WEIGHTS)


def reshape_in_any_order(x):
    return np.sum(np.sin(x.reshape(9, order='A')) * WEIGHTS)


@pytest.mark.parametrize("g, line", [(ravel_in_memory_order, "np.ravel(x, 'K')"),
                                     (reshape_in_any_order, "order='A'")], ids=["K", "A"])
@pytest.mark.parametrize("path", ["grad", "hvp"])
def test_memory_orders_are_refused_at_their_line(g, line, path):
    with pytest.raises(srcdiff.SrcdiffError) as caught:
        if path == "grad":
            srcdiff.grad(g)(X)
        else:
            srcdiff.hvp(g)(X, V)
    assert_user_error(caught.value, g, line)


def test_forward_mode_of_a_memory_order_follows_numpy():
    """A tangent goes through the reshape itself, so it needs no rule of its own."""
    np.testing.assert_allclose(srcdiff.jvp(ravel_in_memory_order)(X, V),
                               fd_directional(ravel_in_memory_order, (X,), 0, V), rtol=1e-6)
