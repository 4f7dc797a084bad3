"""np.linalg.norm for every ord (issue 12): vectors (None, 1, 2, inf, -inf, p, 0) and
matrices ('fro', 'nuc', 1, -1, 2, -2, inf, -inf), along an axis, over axis pairs of stacks,
with keepdims; ord and axis from module constants and closures.  Checked against central
differences (grad, jvp, hvp in both modes) and HIPS autograd where it has the rule."""
import types

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import srcdiff
from trust_helpers import assert_user_error, fd_directional, fd_grad

RNG = np.random.default_rng(33)
W4, W3, W2x3 = RNG.standard_normal(4), RNG.standard_normal(3), RNG.standard_normal((2, 3))
ORDER, AXIS = 3, 1


def vector_orders(x):
    return (np.linalg.norm(x) + 2.0 * np.linalg.norm(x, 1) + 3.0 * np.linalg.norm(x, 2) + np.linalg.norm(x, np.inf)
            + 0.5 * np.linalg.norm(x, -np.inf) + np.linalg.norm(x, 3) + np.linalg.norm(x, 0.5) + np.linalg.norm(x, -1)
            + np.linalg.norm(x, -2) + np.linalg.norm(x, 0) + np.linalg.norm(x, ord=1.5) ** 2)


def along_axes(A):
    return (np.sum(W3 * np.linalg.norm(A, 1, axis=0)) + np.sum(W4 * np.linalg.norm(A, np.inf, axis=1) ** 2)
            + np.sum(W3 * np.linalg.norm(A, 3, axis=-2)) + np.sum(W4[:, None] * np.linalg.norm(A, axis=1, keepdims=True))
            + np.sum(np.linalg.norm(A, -np.inf, axis=(0,)) * W3) + np.sum(W4 * np.linalg.norm(A, 2, 1)))


def matrix_orders(A):
    return (np.linalg.norm(A, 'fro') + 2.0 * np.linalg.norm(A, 'nuc') + np.linalg.norm(A, 1) + np.linalg.norm(A, -1) ** 2
            + 3.0 * np.linalg.norm(A, 2) + np.linalg.norm(A, -2) + np.linalg.norm(A, np.inf) + np.linalg.norm(A, -np.inf))


def stacked_matrices(T):
    return (np.sum(W2x3[:, 0] * np.linalg.norm(T, 'nuc', axis=(-2, -1))) + np.sum(np.linalg.norm(T, 2, axis=(-1, -2)) ** 2)
            + np.sum(W2x3[:, 1] * np.linalg.norm(T, 1, axis=(1, 2))) + np.sum(W2x3[:, :1] * np.linalg.norm(T, np.inf, axis=(2, 1)))
            + np.sum(np.linalg.norm(T, -2, axis=(-2, -1), keepdims=True) * W2x3[:, 2, None, None])
            + np.sum(np.linalg.norm(T, 'fro', axis=(0, 2)) * W4))


def module_settings(A):
    return np.sum(W4 * np.linalg.norm(A, ORDER, AXIS))


def make_norm(order, axis):
    def closure_settings(A):
        return np.sum(np.linalg.norm(A, ord=order, axis=axis) ** 2 * np.sin(np.linalg.norm(A, axis=axis)))
    return closure_settings


CASES = {
    "vector_orders": (vector_orders, RNG.standard_normal(4)),
    "along_axes": (along_axes, RNG.standard_normal((4, 3))),
    "matrix_orders": (matrix_orders, RNG.standard_normal((3, 4))),
    "stacked_matrices": (stacked_matrices, RNG.standard_normal((2, 4, 3))),
    "module_settings": (module_settings, RNG.standard_normal((4, 3))),
    "closure_inf": (make_norm(-np.inf, 0), RNG.standard_normal((4, 3))),
    "closure_p": (make_norm(2.5, 1), RNG.standard_normal((4, 3))),
}


def assert_close(got, expected, message=""):
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6 * max(1.0, np.max(np.abs(expected))), err_msg=message)


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_tangent_and_hvp(name):
    fn, x = CASES[name]
    assert_close(srcdiff.grad(fn)(x), fd_grad(fn, (x,), 0), "grad")
    v = RNG.standard_normal(x.shape)
    assert_close(srcdiff.jvp(fn)(x, v), fd_directional(fn, (x,), 0, v), "jvp")
    expected = fd_directional(srcdiff.grad(fn), (x,), 0, v, eps=1e-5)
    for mode in ("forward", "reverse"):
        assert_close(srcdiff.hvp(fn, mode=mode)(x, v), expected, f"hvp {mode}")


def smooth_orders(x, A):
    return (np.linalg.norm(x) + np.linalg.norm(x, 3) + np.linalg.norm(x, 2) + np.linalg.norm(A, 'fro')
            + np.linalg.norm(A, 'nuc') + np.sum(np.linalg.norm(A, 2.5, axis=0) * W4))


def test_gradient_matches_autograd():
    args = (RNG.standard_normal(4), RNG.standard_normal((3, 4)))
    twin = types.FunctionType(smooth_orders.__code__, {**smooth_orders.__globals__, "np": anp})
    for i in (0, 1):
        np.testing.assert_allclose(srcdiff.grad(smooth_orders, wrt=i)(*args), autograd.grad(twin, i)(*args), rtol=1e-9)


def count(x):
    return np.linalg.norm(x, 0) * 2.0


def test_the_zero_norm_counts_so_its_gradient_is_zero():
    x = RNG.standard_normal(4)
    np.testing.assert_array_equal(srcdiff.grad(count)(x), np.zeros(4))
    assert srcdiff.jvp(count)(x, x) == 0.0


def test_settings_are_written_into_the_gradient_code():
    assert "ord=-math.inf, axis=0" in srcdiff.grad(CASES["closure_inf"][0]).source
    assert "np.linalg.norm(A, 3, 1)" in srcdiff.grad(module_settings).source


def nuclear_front_axes(T):
    return np.sum(np.linalg.norm(T, 'nuc', axis=(0, 1)))


def mixed_axes(T):
    return np.sum(np.linalg.norm(T, 1, axis=(0, -1)))


def run_time_order(x, p):
    return np.linalg.norm(x, p)


@pytest.mark.parametrize("fn, message, line", [
    (nuclear_front_axes, "np.linalg.norm(x, ord='nuc') over the last two axes only", "'nuc'"),
    (mixed_axes, "both axes of np.linalg.norm(x, ord=1) counted the same way", "axis=(0, -1)"),
    (run_time_order, "the ord of 'np.linalg.norm' must be a constant", "np.linalg.norm(x, p)"),
])
def test_norms_srcdiff_cannot_differentiate_are_refused_by_name(fn, message, line):
    args = (np.ones((2, 3, 3)),) if fn is not run_time_order else (np.ones(3), 2.0)
    with pytest.raises(srcdiff.SrcdiffError) as info:
        srcdiff.grad(fn, wrt=0)(*args)
    assert message in str(info.value)
    assert_user_error(info.value, fn, line)
