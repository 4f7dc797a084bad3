"""The linear-algebra samples of issue 12 (an einsum attention score, a Gaussian
log-likelihood with slogdet and solve) against finite differences and HIPS autograd, and
what srcdiff refuses in np.linalg, each refusal naming the user's line."""
import types

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import srcdiff
from conftest import load_sample
from trust_helpers import assert_user_error, fd_directional, fd_grad

RNG = np.random.default_rng(5)


def assert_close(got, expected, message=""):
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6 * max(1.0, np.max(np.abs(expected))), err_msg=message)


def _twin(fn):
    """``fn`` with autograd's numpy (and the helpers of its module made so too)."""
    namespace = dict(fn.__globals__, np=anp)
    for name, value in list(namespace.items()):
        if isinstance(value, types.FunctionType) and value.__module__ == fn.__module__:
            namespace[name] = types.FunctionType(value.__code__, namespace)
    return types.FunctionType(fn.__code__, namespace)


def _attention():
    Q, K, V = RNG.standard_normal((4, 3)), RNG.standard_normal((5, 3)), RNG.standard_normal((5, 2))
    return load_sample("einsum_attention").attention_loss, (Q, K, V, RNG.standard_normal((4, 2)))


def _gaussian():
    M = RNG.standard_normal((3, 3))
    Sigma = M @ M.T + 3.0 * np.eye(3) + 0.2 * RNG.standard_normal((3, 3))  # non-symmetric: both triangles are read
    return load_sample("gaussian_loglik").gaussian_loglik, (RNG.standard_normal((6, 3)), RNG.standard_normal(3), Sigma)


@pytest.mark.parametrize("sample", [_attention, _gaussian], ids=["attention", "gaussian"])
def test_sample_gradients_match_finite_differences_and_autograd(sample):
    fn, args = sample()
    got = srcdiff.grad(fn)(*args)
    twin = _twin(fn)
    for i, arg in enumerate(args):
        assert_close(got[i], fd_grad(fn, args, i), f"argument {i}")
        np.testing.assert_allclose(got[i], autograd.grad(twin, i)(*args), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("sample", [_attention, _gaussian], ids=["attention", "gaussian"])
def test_sample_jvp_and_hvp(sample):
    fn, args = sample()
    for i, arg in enumerate(args):
        v = RNG.standard_normal(np.shape(arg))
        assert_close(srcdiff.jvp(fn, wrt=i)(*args, v), fd_directional(fn, args, i, v), f"jvp {i}")
        expected = fd_directional(srcdiff.grad(fn, wrt=i), args, i, v, eps=1e-5)
        for mode in ("forward", "reverse"):
            assert_close(srcdiff.hvp(fn, wrt=i, mode=mode)(*args, v), expected, f"hvp {mode} {i}")


def test_gaussian_hessian_in_the_mean_is_the_precision():
    fn, (X, mu, Sigma) = _gaussian()
    hessian = srcdiff.hessian(fn, wrt=1)(X, mu, Sigma)
    precision = np.linalg.inv(Sigma)
    np.testing.assert_allclose(hessian, -0.5 * len(X) * (precision + precision.T), rtol=1e-9)


def degenerate_eigenvectors(A):
    w, V = np.linalg.eigh(A)
    return np.sum(V ** 3)


def full_svd_of_a_wide_matrix(A):
    U, S, Vh = np.linalg.svd(A)
    return np.sum(Vh ** 3)


def qr_of_a_wide_matrix(A):
    Q, R = np.linalg.qr(A)
    return np.sum(R ** 3)


def upper_triangle(A):
    w, V = np.linalg.eigh(A, UPLO='U')
    return np.sum(w)


def complete_qr(A):
    Q, R = np.linalg.qr(A, mode='complete')
    return np.sum(Q * R)


def run_time_power(A, n):
    return np.sum(np.linalg.matrix_power(A, n))


@pytest.mark.parametrize("fn, args, message, line", [
    (degenerate_eigenvectors, (np.eye(3),), "eigenvectors of np.linalg.eigh are not unique", "np.linalg.eigh(A)"),
    (full_svd_of_a_wide_matrix, (np.ones((2, 3)) + np.eye(2, 3),), "full_matrices=False", "np.linalg.svd(A)"),
    (qr_of_a_wide_matrix, (RNG.standard_normal((2, 3)),), "at least as many rows as columns", "np.linalg.qr(A)"),
    (upper_triangle, (np.eye(3),), "reading the lower triangle", "UPLO='U'"),
    (complete_qr, (np.eye(3),), "in the modes 'reduced' (the default) and 'r'", "mode='complete'"),
    (run_time_power, (np.eye(3), 2), "the power of 'np.linalg.matrix_power' must be a constant", "matrix_power(A, n)"),
])
def test_what_srcdiff_cannot_differentiate_is_refused_at_the_users_line(fn, args, message, line):
    with pytest.raises(srcdiff.SrcdiffError) as info:
        srcdiff.grad(fn, wrt=0)(*args)
    assert message in str(info.value)
    assert_user_error(info.value, fn, line)
