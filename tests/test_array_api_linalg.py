"""The rules whose runtime helpers compute with the arguments' namespace, on every library:
``xp.prod``, ``xp.tensordot``, ``xp.linalg.eigh``'s eigenvectors, ``xp.linalg.svd``,
``xp.linalg.qr``, ``xp.sort``, item writes, and ``xp.concat``/``xp.stack`` of matrices, in functions written against the Array API
standard.  Each is differentiated on NumPy (checked by finite differences), then on
array-api-strict and PyTorch (CPU) in float64 and float32, JAX (where installed) in float64: the same
gradients (and Hessian-vector products where the helpers have rules), in the arguments'
type.  The losses weigh their terms by distinct constants and square what they read, so
that the upstream gradients are not uniform; they read eigenvectors and singular vectors
and QR factors only in forms their signs cannot change (libraries may pick either sign).
"""
import numpy as np
import pytest

import srcdiff
from test_array_api import BACKENDS, _to_numpy

array_api_compat = pytest.importorskip("array_api_compat")
array_namespace = array_api_compat.array_namespace


def prod(W):
    xp = array_namespace(W)
    return xp.sum(xp.prod(W, axis=0) ** 2) + 0.5 * xp.prod(W[:, 1]) + 0.25 * xp.prod(W)


def tensordot(W):
    xp = array_namespace(W)
    return xp.sum(xp.tensordot(W, W, axes=1) ** 2) + 3.0 * xp.sum(xp.tensordot(W, W * W, axes=((0,), (1,))) * W)


def eigh(W):
    xp = array_namespace(W)
    w, v = xp.linalg.eigh(W @ W.T + W + W.T)
    return xp.sum(v[:, 0] ** 2 * w) + 2.0 * xp.sum(w ** 2) + 0.5 * xp.sum((v[:, 2] * v[1, 2]) * W[0, :])


def eigh_lower(W):
    xp = array_namespace(W)
    w, v = xp.linalg.eigh(W @ W.T + W)  # not symmetric: eigh reads the lower triangle (JAX refuses it)
    return xp.sum(v[:, 1] ** 2 * w) + 2.0 * xp.sum(w ** 3)


def svd(W):
    xp = array_namespace(W)
    u, s, vt = xp.linalg.svd(W)
    return xp.sum(s ** 3) + 2.0 * xp.sum(u[:, 0] * vt[0, :] * W[1, :]) + 0.5 * xp.sum(u[:, 1] ** 2 * s)


def svd_tall(W):
    xp = array_namespace(W)
    u, s, vt = xp.linalg.svd(W[:, :2] * W[0, 0], full_matrices=False)
    return xp.sum(s ** 2 * s[0]) + 2.0 * xp.sum(u[:, 1] * vt[1, 0] * s[1])


def singular_values(W):
    xp = array_namespace(W)
    u, s, vt = xp.linalg.svd(W)
    return xp.sum(s ** 3) + 2.0 * s[0] * s[2]


def qr(W):
    xp = array_namespace(W)
    q, r = xp.linalg.qr(W)
    return xp.sum(r ** 2 * W) + 2.0 * xp.sum(q[:, 0] * r[0, 1]) + 0.5 * xp.sum((q[:, 1] * r[1, 1]) ** 3)


def sort(W):
    xp = array_namespace(W)
    firsts = xp.sort(W, axis=1)[:, 0]
    return xp.sum(firsts ** 3) + 2.0 * xp.sum(xp.sort(W, axis=0)[2, :] * W[0, :]) + 0.5 * xp.sum(xp.sort(W) ** 2 * W)


def argsort(W):
    xp = array_namespace(W)
    return xp.sum(xp.where(xp.argsort(W, axis=1) == 0, W, 0.0) ** 2) + xp.sum(W[0, :])


def itemwrite(W):
    xp = array_namespace(W)
    V = W * 2.0
    V[0, 1] = W[1, 1] ** 2
    V[2, :] = W[0, :] * 3.0
    V[1, :] = V[1, :] * W[2, 0]
    return xp.sum(V ** 2 * W)


def joined(W):
    xp = array_namespace(W)  # slices of the gradient along an axis of a matrix: g[0:n, ...] (array-api-strict)
    C = xp.concat([W, W[:2, :] * 2.0], axis=0)
    S = xp.stack([W, W * W], axis=1)
    return xp.sum(C ** 2 * xp.reshape(xp.arange(15.0, dtype=W.dtype), (5, 3))) + 0.5 * xp.sum(S ** 3 * W[0, 0])


CASES = [prod, tensordot, eigh, eigh_lower, svd, svd_tall, singular_values, qr, sort, argsort, itemwrite, joined]
# the Hessian-vector products: where every helper of the gradient has a rule (svd_u_grad has none)
SECOND = [prod, tensordot, eigh, eigh_lower, singular_values, qr, sort, itemwrite, joined]
LIBRARIES = ["array_api_strict", "torch", "jax"]


def _point(case):
    rng = np.random.default_rng(len(case.__name__))
    W = rng.normal(size=(3, 3)) + 2.0 * np.eye(3)
    if case is prod:
        W[1, 2] = 0.0  # exact at a zero: no division
    return W


def _finite_differences(f, W, eps=1e-6):
    out = np.zeros_like(W)
    for i in np.ndindex(W.shape):
        step = np.zeros_like(W)
        step[i] = eps
        out[i] = (f(W + step) - f(W - step)) / (2 * eps)
    return out


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_numpy_gradients_match_finite_differences(case):
    W = _point(case)
    np.testing.assert_allclose(srcdiff.grad(case)(W), _finite_differences(case, W), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("case", SECOND, ids=lambda c: c.__name__)
@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_numpy_hessian_vector_products_match_finite_differences(case, mode):
    W, V = _point(case), np.cos(np.arange(9.0)).reshape(3, 3)
    gradient = srcdiff.grad(case)
    want = (gradient(W + 1e-6 * V) - gradient(W - 1e-6 * V)) / 2e-6
    np.testing.assert_allclose(srcdiff.hvp(case, mode=mode)(W, V), want, rtol=1e-5, atol=1e-5)


def _check(got, want, given, dtype):
    assert type(got) is type(given)
    assert str(got.dtype) == str(given.dtype)
    tolerance = dict(rtol=1e-9, atol=1e-9) if dtype == "float64" else dict(rtol=2e-3, atol=2e-3)
    np.testing.assert_allclose(_to_numpy(got), want, **tolerance)


# JAX compiles each operation for each dtype on its first call (seconds): float64 there; it
# refuses eigh of a matrix that is not symmetric (test_jax_refuses_eigh_of_a_matrix_not_symmetric)
RUNS = [pytest.param(case, library, dtype, id=f"{case.__name__}-{library}-{dtype}")
        for case in CASES for library in LIBRARIES for dtype in ("float64", "float32")
        if library != "jax" or dtype == "float64" and case is not eigh_lower]


@pytest.mark.parametrize("case,library,dtype", RUNS)
def test_gradients_match_numpys_on_every_library(case, library, dtype):
    convert = BACKENDS[library]()
    W = _point(case)
    given = convert(W.astype(dtype))
    _check(srcdiff.grad(case)(given), srcdiff.grad(case)(W), given, dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("library", ["array_api_strict", "torch"])
@pytest.mark.parametrize("case", SECOND, ids=lambda c: c.__name__)
@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_hessian_vector_products_match_numpys(case, mode, library, dtype):
    convert = BACKENDS[library]()
    W, V = _point(case), np.cos(np.arange(9.0)).reshape(3, 3)
    given = convert(W.astype(dtype))
    got = srcdiff.hvp(case, mode=mode)(given, convert(V.astype(dtype)))
    _check(got, srcdiff.hvp(case, mode=mode)(W, V), given, dtype)


def test_jax_refuses_eigh_of_a_matrix_not_symmetric():
    """JAX reads (a + a.T) / 2 where NumPy reads the lower triangle: refused at the call, naming both."""
    W = BACKENDS["jax"]()(_point(eigh_lower))
    with pytest.raises(srcdiff.SrcdiffError, match=r"jax.numpy.linalg.eigvalsh reads \(a \+ a.T\) / 2") as caught:
        srcdiff.grad(eigh_lower)(W)
    assert caught.value.lineno == eigh_lower.__code__.co_firstlineno + 2


def rows_written(W):
    xp = array_namespace(W)
    V = W * 2.0
    V[xp.asarray([0, 2]), :] = W[1, :] * W[:2, :] * 3.0
    return xp.sum(V ** 2 * W)


def row_written_twice(W):
    xp = array_namespace(W)
    V = W * 2.0
    V[xp.asarray([1, 1])] = W[:2, :] ** 2
    return xp.sum(V ** 2)


@pytest.mark.parametrize("library", ["numpy", "torch", "jax"])
def test_writes_at_integer_arrays_on_libraries_that_write_them(library):
    """array-api-strict cannot write at integer arrays (its own error); the others can."""
    convert = BACKENDS[library]()
    W = _point(rows_written)
    got = srcdiff.grad(rows_written)(convert(W))
    np.testing.assert_allclose(_to_numpy(got), _finite_differences(rows_written, W), rtol=1e-6, atol=1e-6)
    with pytest.raises(srcdiff.SrcdiffError, match="repeats an index") as caught:
        srcdiff.grad(row_written_twice)(convert(W))
    assert caught.value.lineno == row_written_twice.__code__.co_firstlineno + 3


def eigenvectors(W):
    xp = array_namespace(W)
    w, v = xp.linalg.eigh(W)
    return xp.sum(v[:, 0] ** 2 * w)


def wide_singular_vectors(W):
    xp = array_namespace(W)
    u, s, vt = xp.linalg.svd(W[:2, :])
    return xp.sum(vt[0, :] ** 2 * s[0])


@pytest.mark.parametrize("library", ["numpy", "array_api_strict", "torch"])
def test_refusals_of_the_helpers_are_located_on_every_library(library):
    """Repeated eigenvalues, the extra singular vectors of a wide matrix: SrcdiffErrors at the call."""
    convert = BACKENDS[library]()
    with pytest.raises(srcdiff.SrcdiffError, match="two eigenvalues are equal") as caught:
        srcdiff.grad(eigenvectors)(convert(np.eye(3)))
    assert caught.value.lineno == eigenvectors.__code__.co_firstlineno + 2
    with pytest.raises(srcdiff.SrcdiffError, match="extra singular vectors") as caught:
        srcdiff.grad(wide_singular_vectors)(convert(_point(svd)))
    assert caught.value.lineno == wide_singular_vectors.__code__.co_firstlineno + 2


def sorted_descending(W):
    xp = array_namespace(W)
    return xp.sum(xp.sort(W, descending=True)[:, 0])


def test_a_descending_sort_is_refused_at_the_call():
    with pytest.raises(srcdiff.SrcdiffError, match="descending") as caught:
        srcdiff.grad(sorted_descending)(np.ones((2, 2)))
    assert caught.value.lineno == sorted_descending.__code__.co_firstlineno + 2


def test_a_numpy_gradient_for_another_librarys_array_does_not_blame_the_functions_numpy_calls():
    """Functions written with NumPy are refused at their def before running: what reaches
    rt.like's check is a step of the gradient that ran with NumPy, whatever the code."""
    torch = pytest.importorskip("torch")
    with pytest.raises(srcdiff.runtime.ArrayGradientError) as caught:
        srcdiff.runtime.like(np.ones(3), torch.ones(3))
    assert "a step of it ran with NumPy" in str(caught.value)
    assert ": the function calls NumPy" not in str(caught.value)
