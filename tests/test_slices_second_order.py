"""Issue 13: slices of one array and second order.

The reads of one array by basic indexes share one array of zeros (``rt.index_grads``),
reads of equal length share a shape, a full sum's adjoint stays a number through sums,
repeated pure operations are computed once, and Hessian-vector products are built from
the gradient specialized to their arguments' kinds, with their arrays released after
their last read.  Each against central differences (``gradcheck``), with non-uniform
weights and directions, square shapes and float32.
"""
import os

import numpy as np
import pytest

import srcdiff
from gradcheck import check_grad
from srcdiff import runtime as rt

RNG = np.random.default_rng(13)
specialized_only = pytest.mark.skipif(os.environ.get("SRCDIFF_GENERIC") == "1",
                                      reason="pytest --generic: nothing is specialized, the text is the generic one")


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def weighted_neighbours(x, w):
    return np.sum(w * x[1:] * x[:-1]) + np.sum(np.sin(x[2:]) * x[:-2])


def square_slices(A, w):
    inner = A[1:, :-1] * A[:-1, 1:] + A[:, 1:].T @ A[:, :-1]
    return np.sum(w * inner[:, :1]) + np.sum(A[0] * A[-1]) + np.sum(A[::2, 1:-1] ** 3)


def strided(x):
    return np.sum(x[::2] * x[1::2]) + np.sum(x[-3:] ** 2) + np.sum(x[:1] * x[1:])


def empty_read(x):
    return np.sum(x[1:0] * x[:-1]) + np.sum(x[0:] * x[:])


def through_sums(x, y):
    return np.sum(2.0 * x ** 2 - np.sin(x) * x + -(x * x) + 3.0 * (x - 1.5) ** 2) * y


def spread_stops(x, c):
    return np.sum(x * x + x) + np.sum(c * x ** 2)


def repeated(x, w):
    a = np.tanh(x[1:]) * w + np.tanh(x[1:]) ** 2
    return np.sum(a * np.exp(x[:-1]) + np.exp(x[:-1]))


def named_twice(x):
    left = x[:-1]
    right = x[:-1]
    return np.sum(left * right * x[1:])


# ---------------------------------------------------------------- rt.index_grads

def test_index_grads_adds_each_read_where_it_read():
    x = RNG.standard_normal((4, 3))
    a, b, c = RNG.standard_normal((3, 3)), RNG.standard_normal((3, 3)), RNG.standard_normal(3)
    got = rt.index_grads(x, a, np.s_[1:], b, np.s_[:-1], c, np.s_[2])
    want = rt.index_grad(a, x, np.s_[1:]) + rt.index_grad(b, x, np.s_[:-1]) + rt.index_grad(c, x, np.s_[2])
    np.testing.assert_array_equal(got, want)
    assert got.dtype == np.float64 and got.shape == x.shape


def test_index_grads_keeps_float32_and_takes_numbers_and_ints():
    x = RNG.standard_normal(5).astype(np.float32)
    got = rt.index_grads(x, 2.0, np.s_[1:], np.ones(4), np.s_[:-1])
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, [1, 3, 3, 3, 2])
    ints = rt.index_grads(np.arange(4), 1.5, np.s_[1:], np.ones(3), np.s_[:-1])  # the general way: float64
    assert ints.dtype == np.float64
    np.testing.assert_array_equal(ints, [1, 2.5, 2.5, 1.5])


# ---------------------------------------------------------------- gradients against differences

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_slice_gradients_match_differences(dtype):
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float64 else {"rtol": 2e-2, "atol": 2e-2}
    x, w = RNG.standard_normal(8).astype(dtype), RNG.standard_normal(7).astype(dtype)
    A, W = RNG.standard_normal((4, 4)).astype(dtype), RNG.standard_normal((3, 1)).astype(dtype)
    check_grad(rosenbrock, x, **tol)
    check_grad(weighted_neighbours, x, w, **tol)
    check_grad(square_slices, A, W, **tol)
    check_grad(strided, x, **tol)
    check_grad(repeated, x, w, **tol)
    check_grad(named_twice, x, **tol)
    check_grad(empty_read, x[:2], **tol)  # x[1:0] keeps nothing: not the shape of x[:-1]


@pytest.mark.parametrize("generic", [False, True])
def test_the_generic_and_specialized_code_agree(generic):
    x, w = RNG.standard_normal(8), RNG.standard_normal(7)
    for fn, args in ((rosenbrock, (x,)), (weighted_neighbours, (x, w)), (strided, (x,)), (repeated, (x, w))):
        g = srcdiff.grad(fn, wrt=0)
        run = getattr(g, "__srcdiff_generic__", g) if generic else g
        np.testing.assert_allclose(run(*args), check_grad(fn, *args, wrt=(0,))[0], rtol=1e-12)


@specialized_only
def test_sums_pass_the_number_on_and_stop_where_a_shape_differs():
    x, y = RNG.standard_normal((3, 3)), 0.7
    check_grad(through_sums, x, y)
    check_grad(spread_stops, x, 1.7)
    check_grad(spread_stops, x, RNG.standard_normal(3))  # c broadcast along the rows
    text = srcdiff.grad(through_sums).source_for(x, y)
    assert "rt.sum_grad" not in text and "rt.unbroadcast" not in text


# ---------------------------------------------------------------- what the code says

@specialized_only
def test_rosenbrock_gradient_reads_like_hand_written_numpy():
    x = RNG.standard_normal(6)
    text = srcdiff.grad(rosenbrock).source_for(x)
    assert text.count(" = x[:-1]") == 1  # read once, shared
    assert "grad_x = np.zeros(x.shape, x.dtype)" in text and "grad_x[:-1] += " in text and "grad_x[1:] += " in text
    for helper in ("rt.unbroadcast", "rt.sum_grad", "rt.like", "rt.index_grad"):
        assert helper not in text
    assert "rt.index_grads(x, " in srcdiff.grad(rosenbrock).source  # the generic code: one call
    x32 = x.astype(np.float32)
    assert srcdiff.grad(rosenbrock)(x32).dtype == np.float32


@specialized_only
def test_a_value_the_user_named_keeps_its_line():
    text = srcdiff.grad(named_twice).source_for(RNG.standard_normal(5))
    assert "left = x[:-1]" in text and "right = x[:-1]" in text


# ---------------------------------------------------------------- second order

@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_specialized_hvp_matches_differences_of_the_gradient(mode, dtype):
    tol = {"rtol": 1e-6, "atol": 1e-6} if dtype == np.float64 else {"rtol": 1e-3, "atol": 1e-2}
    x, w = RNG.standard_normal(8), RNG.standard_normal(7)
    for fn, args in ((rosenbrock, (x,)), (weighted_neighbours, (x, w)), (strided, (x,)), (repeated, (x, w))):
        v = RNG.standard_normal(8)
        h = srcdiff.hvp(fn, mode=mode)
        cast = [a.astype(dtype) for a in args]
        got = h(*cast, v.astype(dtype))
        assert got.dtype == dtype and got.shape == x.shape
        g = srcdiff.grad(fn, wrt=0)
        eps = 1e-6
        want = (g(x + eps * v, *args[1:]) - g(x - eps * v, *args[1:])) / (2 * eps)
        np.testing.assert_allclose(got, want, **tol)


def test_hvp_of_square_slices_and_the_hessian():
    A, W = RNG.standard_normal((4, 4)), RNG.standard_normal((3, 1))
    V = RNG.standard_normal((4, 4))
    h = srcdiff.hvp(square_slices)
    g = srcdiff.grad(square_slices, wrt=0)
    eps = 1e-6
    np.testing.assert_allclose(h(A, W, V), (g(A + eps * V, W) - g(A - eps * V, W)) / (2 * eps), rtol=1e-6, atol=1e-6)
    x = np.array([-1.2, 1.0, 0.5, 2.0])
    H = srcdiff.hessian(rosenbrock)(x)
    np.testing.assert_allclose(H, H.T)
    np.testing.assert_allclose(H @ np.arange(4.0), srcdiff.hvp(rosenbrock)(x, np.arange(4.0)), rtol=1e-12)


@specialized_only
def test_specialized_hvp_releases_its_arrays_and_builds_on_the_specialized_gradient():
    x = RNG.standard_normal(6)
    text = srcdiff.hvp(rosenbrock).source_for(x, x)
    assert "del " in text and "rt.index_grads(x, " in text  # built on the call, which it differentiates
    for helper in ("rt.unbroadcast", "rt.sum_grad", "rt.like"):
        assert helper not in text


def test_gradient_of_a_function_calling_the_generated_gradient():
    """``rt.index_grads`` differentiated again (its rule: each g gets G where its index read)."""
    x, w = RNG.standard_normal(6), RNG.standard_normal(6)
    check_grad(calls_the_gradient, x, w)


grad_rosenbrock = srcdiff.grad(rosenbrock)


def calls_the_gradient(x, w):
    return np.sum(w * grad_rosenbrock(x))


def scaled(x, lam):
    return np.sum(lam * lam * x[1:] * x[:-1]) + lam ** 3


def test_specialized_hvp_with_respect_to_a_number_is_a_float():
    x = RNG.standard_normal(5)
    got = srcdiff.hvp(scaled, wrt=1)(x, 0.7, 1.3)
    assert type(got) is float
    assert got == pytest.approx(1.3 * (2.0 * np.sum(x[1:] * x[:-1]) + 6.0 * 0.7), rel=1e-12)
    H = srcdiff.hvp(scaled, wrt=0)(x, 0.7, RNG.standard_normal(5))
    assert H.shape == x.shape and H.dtype == np.float64
