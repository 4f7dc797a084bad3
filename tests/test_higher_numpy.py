"""Higher order on NumPy code: Hessian-vector products, Hessians, jvp, the NumPy gradient penalty."""
import numpy as np
import pytest

import srcdiff
from conftest import check_golden, load_sample
from srcdiff import hvp as hvp_mode

RNG = np.random.default_rng(7)


def layer(W, x):
    h = np.tanh(W @ x)
    return np.sum(h * h) + 0.5 * np.sum(W ** 2)


def reductions(A):
    row = np.mean(A, axis=1)
    return np.sum(np.exp(0.3 * row)) + np.sum(A[:, 1:] * A[:, :-1]) + np.max(np.sum(A ** 2, axis=0))


def broadcast(a, b):
    return np.sum(np.sin(a[:, None] * b) / (1.0 + b * b))


CASES = [
    (layer, (RNG.standard_normal((2, 3)), RNG.standard_normal(3))),
    (reductions, (RNG.standard_normal((3, 4)),)),
    (broadcast, (RNG.standard_normal(3), RNG.standard_normal(4))),
    (broadcast, (RNG.standard_normal(3), RNG.standard_normal(4))),
]


def _fd_hvp(fn, args, wrt, v, eps=1e-6):
    g = srcdiff.grad(fn, wrt=wrt)
    plus, minus = list(args), list(args)
    plus[wrt] = args[wrt] + eps * v
    minus[wrt] = args[wrt] - eps * v
    return (g(*plus) - g(*minus)) / (2 * eps)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_array_hvp_matches_differences_of_the_gradient(mode, case):
    fn, args = CASES[case]
    wrt = case % len(args) if fn is broadcast else 0
    v = RNG.standard_normal(np.shape(args[wrt]))
    result = hvp_mode(fn, wrt=wrt, mode=mode)(*args, v)
    assert isinstance(result, np.ndarray) and result.shape == np.shape(args[wrt])
    np.testing.assert_allclose(result, _fd_hvp(fn, args, wrt, v), rtol=1e-6, atol=1e-8)


def test_float32_hvp_stays_float32():
    W = RNG.standard_normal((2, 3)).astype(np.float32)
    x = RNG.standard_normal(3).astype(np.float32)
    for mode in ("forward", "reverse"):
        out = hvp_mode(layer, wrt=0, mode=mode)(W, x, np.ones_like(W))
        assert out.dtype == np.float32 and out.shape == W.shape


def test_rosenbrock_nd_hessian_and_hvp(update_golden):
    rosenbrock_nd = load_sample("rosenbrock_nd").rosenbrock_nd
    x = np.array([-1.2, 1.0, 0.5, 2.0])
    H = srcdiff.hessian(rosenbrock_nd)(x)
    n = len(x)
    expected = np.zeros((n, n))  # the closed form
    for i in range(n - 1):
        expected[i, i] += 2 - 400 * (x[i + 1] - x[i] ** 2) + 800 * x[i] ** 2
        expected[i + 1, i + 1] += 200
        expected[i, i + 1] = expected[i + 1, i] = -400 * x[i]
    np.testing.assert_allclose(H, expected, rtol=1e-12)
    v = RNG.standard_normal(n)
    h = srcdiff.hvp(rosenbrock_nd)
    np.testing.assert_allclose(h(x, v), expected @ v, rtol=1e-12)
    check_golden("rosenbrock_nd.hvp_forward", h.source, update_golden)


def test_hessian_of_a_matrix_parameter_is_symmetric_and_matches_differences():
    W, x = CASES[0][1]
    H = srcdiff.hessian(layer)(W, x)
    assert H.shape == W.shape + W.shape
    flat = H.reshape(W.size, W.size)
    np.testing.assert_allclose(flat, flat.T, rtol=1e-10, atol=1e-12)
    unit = np.zeros_like(W)
    unit[1, 2] = 1.0
    np.testing.assert_allclose(H[..., 1, 2], _fd_hvp(layer, (W, x), 0, unit), rtol=1e-6, atol=1e-8)


def test_jvp_on_arrays_is_the_directional_derivative():
    for fn, args in CASES[:3]:
        tangents = [RNG.standard_normal(np.shape(a)) for a in args]
        expected = sum(np.sum(g * t) for g, t in
                       zip(srcdiff.grad(fn, wrt=tuple(range(len(args))))(*args), tangents))
        assert srcdiff.jvp(fn)(*args, *tangents) == pytest.approx(expected, rel=1e-10)


def test_jvp_of_an_array_valued_function_is_jacobian_times_v():
    def f(W, x):
        return np.tanh(W @ x) * x[:2]

    W, x = RNG.standard_normal((2, 3)), RNG.standard_normal(3)
    dW = RNG.standard_normal(W.shape)
    eps = 1e-6
    expected = (f(W + eps * dW, x) - f(W - eps * dW, x)) / (2 * eps)
    np.testing.assert_allclose(srcdiff.jvp(f, wrt="W")(W, x, dW), expected, rtol=1e-7, atol=1e-9)


def test_numpy_gradient_penalty(update_golden):
    sample = load_sample("gradient_penalty_numpy")
    W, v = RNG.standard_normal((3, 2)), RNG.standard_normal(3)
    X, t = RNG.standard_normal((2, 5)), RNG.standard_normal(5)
    grad_r = srcdiff.grad(sample.penalty, wrt="W")
    check_golden("gradient_penalty_numpy.grad_penalty", grad_r.source, update_golden)
    G = grad_r(W, v, X, t)
    for _ in range(3):
        D = RNG.standard_normal(W.shape)
        eps = 1e-6
        fd = (sample.penalty(W + eps * D, v, X, t) - sample.penalty(W - eps * D, v, X, t)) / (2 * eps)
        assert np.sum(G * D) == pytest.approx(fd, rel=1e-6)
    H = srcdiff.hessian(sample.loss)(W, v, X, t)  # the seeds' identity dR/dW = 2 H dL/dW
    np.testing.assert_allclose(G, 2 * np.tensordot(H, sample.grad_loss(W, v, X, t), axes=2), rtol=1e-10)


def norms(W, x):
    return np.linalg.norm(W @ x) + np.sum(np.linalg.norm(W, axis=0) ** 3)


def test_norms_in_forward_mode_and_forward_over_reverse():
    W, x = RNG.standard_normal((3, 4)), RNG.standard_normal(4)
    dW = RNG.standard_normal(W.shape)
    expected = np.sum(srcdiff.grad(norms, wrt=0)(W, x) * dW)
    assert srcdiff.jvp(norms, wrt=0)(W, x, dW) == pytest.approx(expected, rel=1e-10)
    np.testing.assert_allclose(srcdiff.hvp(norms)(W, x, dW), _fd_hvp(norms, (W, x), 0, dW), rtol=1e-6, atol=1e-8)


def written(x, y):
    z = np.zeros(4)
    z[1:3] = x * y
    z[0] = np.sum(x)
    return np.sum(np.sin(z) * np.arange(4.0)) + np.linalg.norm(x * z[1:3])


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_hvp_through_item_writes_and_norms(mode):
    x, y = RNG.standard_normal(2), RNG.standard_normal(2)
    v = RNG.standard_normal(2)
    np.testing.assert_allclose(hvp_mode(written, wrt=0, mode=mode)(x, y, v), _fd_hvp(written, (x, y), 0, v),
                               rtol=1e-6, atol=1e-8)
    W, z = RNG.standard_normal((3, 4)), RNG.standard_normal(4)
    dW = RNG.standard_normal(W.shape)
    np.testing.assert_allclose(hvp_mode(norms, wrt=0, mode=mode)(W, z, dW), _fd_hvp(norms, (W, z), 0, dW),
                               rtol=1e-6, atol=1e-8)


def test_jvp_of_products_and_extrema():
    def f(A):
        return np.sum(np.prod(A, axis=0)) + np.max(A) - np.min(A.sum(axis=1))

    A = RNG.standard_normal((3, 4))
    dA = RNG.standard_normal(A.shape)
    assert srcdiff.jvp(f)(A, dA) == pytest.approx(np.sum(srcdiff.grad(f)(A) * dA), rel=1e-10)


def test_hessian_vector_product_of_the_gradient_penalty():
    """Third order: hvp of a function that calls a generated gradient, on NumPy arrays."""
    sample = load_sample("gradient_penalty_numpy")
    W, v = RNG.standard_normal((3, 2)), RNG.standard_normal(3)
    X, t = RNG.standard_normal((2, 5)), RNG.standard_normal(5)
    V = RNG.standard_normal(W.shape)
    for mode in ("forward", "reverse"):
        got = hvp_mode(sample.penalty, wrt=0, mode=mode)(W, v, X, t, V)
        np.testing.assert_allclose(got, _fd_hvp(sample.penalty, (W, v, X, t), 0, V), rtol=1e-6, atol=1e-7)
