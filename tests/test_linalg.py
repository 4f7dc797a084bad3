"""np.linalg (issue 12): every function's gradient against central differences and HIPS
autograd, its tangent (jvp), Hessian-vector products (forward and reverse over reverse),
Hessians and Jacobians, on non-symmetric well-conditioned matrices (``3 I + noise``) with
non-uniform weights, single and stacked."""
import types

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import srcdiff
from trust_helpers import fd_directional, fd_grad

RNG = np.random.default_rng(12)
W3, W3b, W2x3, W3x2, W2x3x3 = (RNG.standard_normal(s) for s in [(3, 3), (3, 3), (2, 3), (3, 2), (2, 3, 3)])
V3, V2 = RNG.standard_normal(3), RNG.standard_normal(2)


def inv(A):
    return np.sum(W3 * np.linalg.inv(A))


def solve_vector(A, b):
    return np.sum(V3 * np.linalg.solve(A, b))


def solve_matrix(A, B):
    return np.sum(W3 * np.linalg.solve(A, B) ** 2)


def det(A):
    return np.linalg.det(A) * 2.0 + np.linalg.det(A) ** 2


def slogdet_indexed(A):
    return np.linalg.slogdet(A)[1] * 3.0 + np.sum(W3 * A)


def slogdet_unpacked(A):
    sign, logdet = np.linalg.slogdet(A)
    return sign * logdet + logdet ** 2


def cholesky(A):
    return np.sum(W3 * np.linalg.cholesky(A))


def eigh_values(A):
    w, V = np.linalg.eigh(A)
    return np.sum(V3 * w ** 2)


def eigh_vectors(A):
    w, V = np.linalg.eigh(A)
    return np.sum(W3 * V * V) + np.sum(w * V3)


def eigvalsh(A):
    return np.sum(np.linalg.eigvalsh(A) ** 3)


def svd_values(A):
    return np.sum(V2 * np.linalg.svd(A, compute_uv=False) ** 2)


def svd_vectors_tall(A):
    U, S, Vh = np.linalg.svd(A, full_matrices=False)
    return np.sum(W3x2 * U * U) + np.sum(S * V2) + np.sum(W3[:2, :2] * Vh * Vh)


def svd_vectors_wide(A):
    U, S, Vh = np.linalg.svd(A, full_matrices=False)
    return np.sum(W3[:2, :2] * U * U) + np.sum(W2x3 * Vh * Vh * Vh)


def pinv(A):
    return np.sum(W3x2 * np.linalg.pinv(A))


def qr(A):
    Q, R = np.linalg.qr(A)
    return np.sum(W3 * Q * R)


def qr_tall(A):
    Q, R = np.linalg.qr(A)
    return np.sum(W3x2 * Q) + np.sum(W3[:2, :2] * R ** 2)


def matrix_power(A):
    return np.sum(W3 * np.linalg.matrix_power(A, 3)) + np.sum(W3b * np.linalg.matrix_power(A, -2))


def stacked(T, b):
    w = np.linalg.eigvalsh(T + np.einsum('...ij->...ji', T))
    return (np.sum(W2x3x3 * np.linalg.inv(T)) + np.sum(W2x3 * np.linalg.solve(T, b)) + np.sum(np.linalg.det(T) * V2)
            + np.sum(W2x3 * w) + np.sum(np.linalg.slogdet(T)[1]) + np.sum(W2x3x3 * np.linalg.cholesky(T @ np.einsum('...ij->...ji', T))))


def stacked_factors(T):
    Q, R = np.linalg.qr(T)
    w, V = np.linalg.eigh(T[:, :2, :] @ np.einsum('...ij->...ji', T[:, :2, :]) + T[:, :2, :2])
    return (np.sum(W2x3x3[:, :, :2] * Q ** 2) + np.sum(W2x3x3[:, :2, :2] * R) + np.sum(W2x3[:, :2] * w ** 2)
            + np.sum(W2x3x3[:, :2, :2] * V ** 2) + np.sum(W2x3x3[:, :2, :] * np.linalg.pinv(T))
            + np.sum(W2x3[:, :2] * np.linalg.svd(T, compute_uv=False)))


def stacked_singular_vectors(T):
    U, S, Vh = np.linalg.svd(T, full_matrices=False)
    return np.sum(W2x3x3[:, :, :2] * U ** 2) + np.sum(W2x3x3[:, :2, :2] * Vh ** 2)


def gaussian(x, mu, S):
    d = x - mu
    sign, logdet = np.linalg.slogdet(S)
    return -0.5 * (logdet + d @ np.linalg.solve(S, d))


def well(*shape):
    """``3 I + noise``: non-symmetric and well conditioned."""
    return 3.0 * np.eye(shape[-1]) + 0.4 * RNG.standard_normal(shape)


def spd(n):
    M = RNG.standard_normal((n, n))
    return M @ M.T + n * np.eye(n) + 0.3 * np.triu(RNG.standard_normal((n, n)), 1)  # the upper part is never read


CASES = {
    "inv": (inv, (well(3, 3),)), "solve_vector": (solve_vector, (well(3, 3), RNG.standard_normal(3))),
    "solve_matrix": (solve_matrix, (well(3, 3), RNG.standard_normal((3, 3)))), "det": (det, (well(3, 3),)),
    "slogdet_indexed": (slogdet_indexed, (well(3, 3),)), "slogdet_unpacked": (slogdet_unpacked, (well(3, 3),)),
    "cholesky": (cholesky, (spd(3),)), "eigh_values": (eigh_values, (well(3, 3),)),
    "eigh_vectors": (eigh_vectors, (well(3, 3),)), "eigvalsh": (eigvalsh, (well(3, 3),)),
    "svd_values": (svd_values, (RNG.standard_normal((2, 3)),)), "svd_vectors_tall": (svd_vectors_tall, (RNG.standard_normal((3, 2)),)),
    "svd_vectors_wide": (svd_vectors_wide, (RNG.standard_normal((2, 3)),)),
    "pinv": (pinv, (RNG.standard_normal((2, 3)),)), "qr": (qr, (RNG.standard_normal((3, 3)),)),
    "qr_tall": (qr_tall, (RNG.standard_normal((3, 2)),)), "matrix_power": (matrix_power, (well(3, 3),)),
    "stacked": (stacked, (well(2, 3, 3), RNG.standard_normal(3))),
    "stacked_factors": (stacked_factors, (RNG.standard_normal((2, 3, 2)),)),
    "stacked_singular_vectors": (stacked_singular_vectors, (RNG.standard_normal((2, 3, 2)),)),
    "gaussian": (gaussian, (RNG.standard_normal(3), RNG.standard_normal(3), spd(3))),
}
# what autograd differentiates too (it has no rule for eigvalsh, qr or matrix_power); its
# cholesky and eigh gradients are symmetrized, srcdiff's exact for the lower triangle NumPy reads
AUTOGRAD = ["inv", "solve_vector", "solve_matrix", "det", "slogdet_indexed", "slogdet_unpacked", "cholesky",
            "eigh_values", "eigh_vectors", "svd_values", "svd_vectors_tall", "svd_vectors_wide", "pinv", "gaussian"]
SECOND_ORDER_REFUSED = {"svd_vectors_tall", "svd_vectors_wide", "stacked_singular_vectors"}  # through the singular vectors: refused by name


def _positions(args):
    return range(len(args))


def assert_close(got, expected, message):
    """Equal to finite differences up to their error, relative to the largest entry."""
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6 * max(1.0, np.max(np.abs(expected))), err_msg=message)


@pytest.mark.parametrize("name", sorted(CASES))
def test_grad_matches_finite_differences(name):
    fn, args = CASES[name]
    for i in _positions(args):
        got = srcdiff.grad(fn, wrt=i)(*args)
        assert np.shape(got) == np.shape(args[i])
        assert_close(got, fd_grad(fn, args, i), f"{name}[{i}]")


def _symmetrized(G):
    return (G + np.swapaxes(G, -1, -2)) / 2 if np.ndim(G) >= 2 and np.shape(G)[-1] == np.shape(G)[-2] else G


@pytest.mark.parametrize("name", AUTOGRAD)
def test_grad_matches_autograd(name):
    fn, args = CASES[name]
    twin = types.FunctionType(fn.__code__, {**fn.__globals__, "np": anp})
    for i in _positions(args):
        got, expected = srcdiff.grad(fn, wrt=i)(*args), autograd.grad(twin, i)(*args)
        if name in ("cholesky", "eigh_values", "eigh_vectors"):
            got, expected = _symmetrized(got), _symmetrized(expected)
        np.testing.assert_allclose(got, expected, rtol=1e-7, atol=1e-9, err_msg=f"{name}[{i}]")


@pytest.mark.parametrize("name", sorted(CASES))
def test_jvp_matches_finite_differences(name):
    fn, args = CASES[name]
    for i in _positions(args):
        v = RNG.standard_normal(np.shape(args[i]))
        assert_close(srcdiff.jvp(fn, wrt=i)(*args, v), fd_directional(fn, args, i, v), f"{name}[{i}]")


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("name", sorted(set(CASES) - SECOND_ORDER_REFUSED))
def test_hvp_matches_finite_differences_of_the_gradient(name, mode):
    fn, args = CASES[name]
    for i in _positions(args):
        v = RNG.standard_normal(np.shape(args[i]))
        expected = fd_directional(srcdiff.grad(fn, wrt=i), args, i, v, eps=1e-5)
        assert_close(srcdiff.hvp(fn, wrt=i, mode=mode)(*args, v), expected, f"{name}[{i}]")


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_second_derivatives_through_singular_vectors_are_refused_by_name(mode):
    fn, args = CASES["svd_vectors_tall"]
    with pytest.raises(srcdiff.SrcdiffError, match="svd_(u|vh)_grad"):
        srcdiff.hvp(fn, wrt=0, mode=mode)(*args, args[0])


@pytest.mark.parametrize("name", ["gaussian", "slogdet_unpacked", "eigh_vectors", "qr"])
def test_hessian_is_symmetric_and_matches_the_gradient(name):
    fn, args = CASES[name]
    i = len(args) - 1
    hessian = srcdiff.hessian(fn, wrt=i)(*args)
    n = np.size(args[i])
    flat = np.reshape(hessian, (n, n))
    np.testing.assert_allclose(flat, flat.T, rtol=1e-6, atol=1e-8)
    v = RNG.standard_normal(np.shape(args[i]))
    expected = fd_directional(srcdiff.grad(fn, wrt=i), args, i, v, eps=1e-5)
    assert_close(np.reshape(flat @ np.ravel(v), np.shape(v)), expected, name)


def matrix_valued(A, b):
    L = np.linalg.cholesky(A @ A.T)
    return np.linalg.inv(A) @ L + np.linalg.solve(A, np.outer(b, b)) + np.diag(np.linalg.eigvalsh(A + A.T))


@pytest.mark.parametrize("wrt", [0, 1])
def test_jacobian_of_a_matrix_valued_function(wrt):
    args = (well(3, 3), RNG.standard_normal(3))
    jacobian = srcdiff.jacobian(matrix_valued, wrt=wrt)(*args)
    assert jacobian.shape == (3, 3) + np.shape(args[wrt])
    for position in np.ndindex(np.shape(args[wrt])):
        e = np.zeros(np.shape(args[wrt]))
        e[position] = 1.0
        assert_close(jacobian[(...,) + position], fd_directional(matrix_valued, args, wrt, e), str(position))


def logdet_shifted(A, t):
    sign, logdet = np.linalg.slogdet(A + t * np.eye(3))
    return logdet


def test_grad_of_grad_of_a_log_determinant():
    # d2/dt2 log det(A + t I) = -trace(inv(A + t I) @ inv(A + t I))
    A, t = well(3, 3), 0.3
    second = srcdiff.grad(srcdiff.grad(logdet_shifted, wrt=1), wrt=1)(A, t)
    shifted = np.linalg.inv(A + t * np.eye(3))
    assert second == pytest.approx(-np.trace(shifted @ shifted), rel=1e-9)
