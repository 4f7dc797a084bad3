"""Specialized array code (issue 13, "arrays" and "float32"): each simplification the kinds
allow, against the generic code and central differences on the shapes that would expose
an unsound one (a bias of one entry, a product of one column, square matrices, axes of
length 1, float32); ``del`` after the last use (``emit.freeing``) on branches, loops and
value_and_grad; the runtime's fast paths against their general code."""
import ast
import os

import numpy as np
import pytest
from conftest import load_sample
from gradcheck import numeric_grad

import srcdiff
from srcdiff.emit.freeing import freed
from srcdiff.emit.printer import GeneratedText
from srcdiff.runtime import arrays as rt_arrays

pytestmark = pytest.mark.skipif(os.environ.get("SRCDIFF_GENERIC") == "1",
                                reason="pytest --generic: gradients run their generic code, nothing is specialized")

NET = load_sample("two_layer_net")  # kept for the module: gradients hold their functions weakly


def specialized_and_generic(fn, args, wrt=None):
    """The specialized gradient at ``args`` (checked to be specialized code) and the generic one."""
    g = srcdiff.grad(fn, wrt=wrt)
    got = g(*args)
    assert g.source_for(*args) != g.source, "the specialized code was not built"
    return got, g.__srcdiff_generic__(*args), g.source_for(*args)


def assert_same(got, want, dtypes, rtol=1e-6):
    for a, b, dtype in zip(got, want, dtypes):
        assert np.shape(a) == np.shape(b) and np.asarray(a).dtype == dtype
        np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=rtol)


# ---------------------------------------------------------------- the net, shapes that broadcast

# (W1, b1, W2, b2, X): a bias of one entry, a hidden layer of one column broadcast by its bias,
# one class, square matrices, one row
NET_SHAPES = [
    ((5, 6), (6,), (6, 3), (3,), (8, 5)),
    ((5, 6), (1,), (6, 3), (1,), (8, 5)),
    ((5, 1), (6,), (6, 3), (3,), (8, 5)),
    ((4, 4), (4,), (4, 4), (4,), (4, 4)),
    ((3, 2), (2,), (2, 1), (1,), (1, 3)),
]


@pytest.mark.parametrize("shapes", NET_SHAPES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_net_on_shapes_that_broadcast(shapes, dtype):
    rng = np.random.default_rng(len(str(shapes)))
    floats = [(rng.normal(size=s) * 0.7).astype(dtype) for s in shapes]
    args = floats + [rng.integers(0, shapes[2][1], shapes[4][0]), 0.3]
    got, generic, text = specialized_and_generic(NET.two_layer_net, args, wrt=(0, 1, 2, 3))
    assert_same(got, generic, [dtype] * 4, rtol=2e-4 if dtype == np.float32 else 1e-9)
    assert "del " in text and all(a.flags.writeable for a in got)
    if dtype == np.float64:
        for position, grad in enumerate(got):
            np.testing.assert_allclose(grad, numeric_grad(NET.two_layer_net, args, position), rtol=1e-5, atol=1e-7)


def test_value_and_grad_of_the_net_keeps_the_value():
    args = [np.ones((3, 4)) * 0.2, np.zeros(4), np.ones((4, 2)) * 0.1, np.zeros(2), np.eye(5, 3), np.arange(5) % 2, 0.1]
    value, grads = srcdiff.value_and_grad(NET.two_layer_net, wrt=(0, 1, 2, 3))(*args)
    assert value == pytest.approx(NET.two_layer_net(*args)) and len(grads) == 4


# ---------------------------------------------------------------- np.maximum(c, x) read from its result

def relu_weighted(x, w):
    return np.sum(np.maximum(0.0, x) * w) + np.sum(np.minimum(1.0, x) * w * w)


def relu_other_order(x, w):
    return np.sum(np.maximum(x, 0.0) * w)


def scalar_max(a, W):
    return max(0.0, a) * np.sum(W * W)


@pytest.mark.parametrize("fn", [relu_weighted, relu_other_order])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_maximum_of_a_constant_at_ties_zeros_and_nan(fn, dtype):
    x = np.array([[-1.0, 0.0, -0.0, 1.0], [2.0, np.nan, 1.0, 0.5], [0.0, 1.0, -2.0, 3.0], [1.0, 1.0, 0.0, -0.0]], dtype)
    w = np.linspace(-1.0, 2.0, 16).reshape(4, 4).astype(dtype)
    got, generic, _ = specialized_and_generic(fn, [x, w], wrt=0)
    np.testing.assert_array_equal(got, generic)
    assert got.dtype == dtype


@pytest.mark.parametrize("a", [-1.0, 0.0, -0.0, 2.0])
def test_builtin_max_of_a_constant(a):
    W = np.array([[1.0, -2.0], [0.5, 3.0]])
    got, generic, _ = specialized_and_generic(scalar_max, [a, W])
    assert got[0] == generic[0] and np.array_equal(got[1], generic[1])


# ---------------------------------------------------------------- np.mean passing a number on

def mean_log(x, w):
    return np.mean(np.log(x)) + np.sum(np.log(x) * w)  # the log read twice: a number and an array meet


def mean_of_ufuncs(x, w):
    return np.mean(np.exp(x)) + x.mean() * 0.0 + np.mean(np.tanh(x * w)) + np.mean(x * w)


def mean_and_sums_along_both_axes(z, w):
    x = np.log(z)  # its adjoint starts as a number; the sums along each axis add arrays of other shapes
    rows, columns = np.sum(x, axis=1, keepdims=True), np.sum(x, axis=0, keepdims=True)
    return np.mean(x) + np.sum(rows * rows) + np.sum(columns * w[:1])


@pytest.mark.parametrize("fn", [mean_log, mean_of_ufuncs, mean_and_sums_along_both_axes])
@pytest.mark.parametrize("shape", [(4,), (3, 4), (1, 4), (4, 1)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_mean_of_a_ufunc_or_product(fn, shape, dtype):
    if fn is mean_and_sums_along_both_axes and len(shape) == 1:
        pytest.skip("sums along axis 1: matrices only")
    rng = np.random.default_rng(3)
    x = rng.uniform(0.5, 2.0, shape).astype(dtype)
    w = rng.normal(size=shape).astype(dtype)
    got, generic, _ = specialized_and_generic(fn, [x, w])
    assert_same(got, generic, [dtype, dtype], rtol=1e-5 if dtype == np.float32 else 1e-12)
    if dtype == np.float64:
        for position in (0, 1):
            np.testing.assert_allclose(got[position], numeric_grad(fn, [x, w], position), rtol=1e-6, atol=1e-8)


# ---------------------------------------------------------------- sums along an axis, factored

def softmax_rows(x, w):
    shifted = x - np.max(x, axis=1, keepdims=True)
    e = np.exp(shifted)
    return np.sum(e / np.sum(e, axis=1, keepdims=True) * w)


def softmax_columns(x, w):
    shifted = x - np.max(x, axis=0, keepdims=True)
    e = np.exp(shifted)
    return np.sum(e / e.sum(axis=0, keepdims=True) * w)


def softmax_last(x, w):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return np.sum(e / np.sum(e, axis=-1, keepdims=True) * w)


@pytest.mark.parametrize("fn", [softmax_rows, softmax_columns, softmax_last])
@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (3, 1), (1, 4)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softmax_along_each_axis(fn, shape, dtype):
    rng = np.random.default_rng(5)
    x, w = rng.normal(size=shape).astype(dtype), rng.normal(size=shape).astype(dtype)
    got, generic, text = specialized_and_generic(fn, [x, w])
    assert_same(got, generic, [dtype, dtype], rtol=1e-5 if dtype == np.float32 else 1e-12)
    assert "= -np.sum(grad_" in text  # factored: the divisor and the negation taken out of the sums
    if dtype == np.float64:
        for position in (0, 1):
            np.testing.assert_allclose(got[position], numeric_grad(fn, [x, w], position), rtol=1e-6, atol=1e-8)


# ---------------------------------------------------------------- del after the last use

def branchy(W, x, flag):
    h = W @ W.T
    if flag:
        h = h * 2.0
        extra = np.sum(h)
    else:
        extra = 0.0
    z = np.tanh(h) * x
    for _ in range(2):
        z = z * 0.5 + np.sin(z)
    return np.sum(z * z) + extra


@pytest.mark.parametrize("flag", [True, False])
def test_freeing_around_branches_and_loops(flag):
    W = np.arange(6, dtype=float).reshape(3, 2) / 7
    x = np.linspace(0.1, 0.9, 3)
    got, generic, _ = specialized_and_generic(branchy, [W, x, flag], wrt=(0, 1))
    assert_same(got, generic, [np.float64, np.float64], rtol=1e-12)


def _freed(text, names):
    return str(freed(GeneratedText(text, [None] * text.count("\n"), None), names))


def test_freed_deletes_after_the_last_mention_only_what_is_bound():
    text = ("def f(a, flag):\n    b = a * 2\n    if flag:\n        c = b + 1\n    d = b * a\n"
            "    e = d + 1\n    return e\n")
    out = _freed(text, {"a", "b", "c", "d", "e"})
    assert out == ("def f(a, flag):\n    b = a * 2\n    if flag:\n        c = b + 1\n    d = b * a\n    del b\n"
                   "    e = d + 1\n    del d\n    return e\n")  # not a parameter, nor c (bound in a branch), nor e
    ast.parse(out)


def test_freed_leaves_closures_alone():
    text = "def f(a):\n    b = a * 2\n    k = lambda: b\n    c = a + 1\n    return k() + c\n"
    assert _freed(text, {"b", "c"}) == text


# ---------------------------------------------------------------- the runtime's fast paths

@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4), (3, 1), (1, 4), (4, 3, 1)])
@pytest.mark.parametrize("find", ["argmax", "argmin"])
@pytest.mark.parametrize("keepdims", [True, False])
def test_route_along_one_axis_is_the_general_route(shape, find, keepdims):
    rng = np.random.default_rng(7)
    x = rng.integers(0, 3, shape).astype(np.float32)  # ties: the first position takes it all
    for axis in range(-len(shape), len(shape)):
        g = rng.normal(size=np.max(x, axis=axis, keepdims=keepdims).shape).astype(np.float32)
        flat, restore = rt_arrays._reduced_last(x, axis)
        want = np.zeros(flat.shape, np.float32)
        np.put_along_axis(want, getattr(np, find)(flat, axis=-1)[..., None], np.reshape(g, flat.shape[:-1])[..., None], -1)
        got = rt_arrays._route(g, x, axis, find)
        assert got.dtype == np.float32 and np.array_equal(got, restore(want))


@pytest.mark.parametrize("g_shape, x_shape", [((3, 4), (4,)), ((3, 4), (1, 4)), ((3, 4), (3, 1)), ((2, 3, 4), (3, 1)),
                                              ((3, 4), (3, 4)), ((3, 4), ())])
def test_unbroadcast_of_ndarrays(g_shape, x_shape):
    g = np.arange(np.prod(g_shape), dtype=np.float32).reshape(g_shape)
    got = rt_arrays.unbroadcast(g, np.zeros(x_shape, np.float32))
    assert np.shape(got) == x_shape and np.asarray(got).dtype == np.float32
    np.testing.assert_allclose(np.sum(got), np.sum(g))


def test_like_returns_an_ndarray_of_its_parameter_as_it_is_and_copies_the_others():
    x = np.zeros((2, 3), np.float32)
    g = np.ones((2, 3), np.float32)
    assert rt_arrays.like(g, x) is g
    view = np.broadcast_to(np.float32(1.0), (2, 3))
    assert rt_arrays.like(view, x).flags.writeable
    assert rt_arrays.like(np.ones((2, 3)), x).dtype == np.float32
