"""Specialized code's reads by an ``np.arange`` row index (``x[np.arange(n), y]``): written
back without ``np.add.at`` where no position can be read twice (``distinct=``), and added up
where another index part broadcasts the rows so that one may (a 2-D ``y``), against central
differences with non-uniform weights in float64 and float32; the runtime's NumPy fast paths
of ``index_grad``, ``unbroadcast`` and ``max_grad`` against their general code; masks of
``np.maximum(c, x)`` applied in place to an adjoint of its own, and nowhere else."""
import os

import numpy as np
import pytest
from gradcheck import numeric_grad

import srcdiff
from srcdiff.emit.freeing import freed
from srcdiff.emit.printer import GeneratedText
from srcdiff.runtime import arrays as rt_arrays
from srcdiff.runtime import indexing as rt_indexing
from srcdiff.runtime.arguments import ArrayGradientError

SPECIALIZED = os.environ.get("SRCDIFF_GENERIC") != "1"  # pytest --generic: nothing is specialized


def picked(x, y, w):
    """Weighted log-probabilities of the labels ``y``, one row each (the net's data loss)."""
    n = x.shape[0]
    p = np.exp(x) / np.sum(np.exp(x), axis=1, keepdims=True)
    return np.sum(w * np.log(p[np.arange(n), y]))


def picked_by_column(x, y, w):
    """The same with the rows as the second index part: ``x.T[y, np.arange(n)]``."""
    n = x.shape[0]
    return np.sum(w * np.tanh(x.T[y, np.arange(n)]))


def picked_from_minus_two(x, y, w):
    """``np.arange(-2, n - 2)`` reads row 0 and row n-2 both through -2 ... not distinct."""
    n = x.shape[0]
    return np.sum(w * x[np.arange(-2, n - 2), y] ** 2)


def _args(dtype, labels_shape, seed=3):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(5, 4)).astype(dtype)
    y = rng.integers(0, 4, labels_shape)
    if len(labels_shape) == 2:
        y[1, ::2] = y[0, ::2]  # the same label twice in a column: that position is read twice
    w = rng.normal(size=labels_shape[-1:] if len(labels_shape) == 1 else labels_shape).astype(dtype)
    return x, y, w


def _check(fn, args, dtype):
    g = srcdiff.grad(fn, wrt=(0,))
    (got,) = g(*args)
    assert got.dtype == dtype and got.shape == args[0].shape
    tol = 2e-3 if dtype == np.float32 else 1e-6
    as64 = [np.asarray(a, np.float64) if a.dtype.kind == "f" else a for a in args]
    np.testing.assert_allclose(got, numeric_grad(fn, as64, 0), rtol=tol, atol=tol)
    generic = getattr(g, "__srcdiff_generic__", g)  # pytest --generic: g is the generic code
    np.testing.assert_allclose(got, generic(*args)[0], rtol=tol, atol=tol)
    return g.source_for(*args)


@pytest.mark.parametrize("fn", [picked, picked_by_column])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("labels_shape", [(5,), (2, 5)])
def test_rows_read_by_arange(fn, dtype, labels_shape):
    text = _check(fn, _args(dtype, labels_shape), dtype)
    if SPECIALIZED:
        assert f"distinct={0 if fn is picked else 1})" in text


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_an_arange_that_may_read_a_row_twice_is_not_distinct(dtype):
    x, y, w = _args(dtype, (5,))
    text = _check(picked_from_minus_two, (x, y, w), dtype)
    assert "rt.index_grad(" in text and "distinct" not in text  # (the generic text too)


def test_index_grad_writes_once_only_where_the_read_has_the_rows_shape():
    x = np.zeros((3, 4))
    rows = np.arange(3)
    once = rt_indexing.index_grad(np.array([1.0, 2.0, 3.0]), x, np.s_[rows, np.array([1, 1, 2])], distinct=0)
    np.testing.assert_array_equal(once, [[0, 1, 0, 0], [0, 2, 0, 0], [0, 0, 3, 0]])
    labels = np.array([[1, 1, 2], [1, 3, 2]])  # row 0, column 1 and row 2, column 2 read twice
    twice = rt_indexing.index_grad(np.ones((2, 3)), x, np.s_[rows, labels], distinct=0)
    np.testing.assert_array_equal(twice, [[0, 2, 0, 0], [0, 1, 0, 1], [0, 0, 2, 0]])
    assert twice.dtype == np.float64


@pytest.mark.parametrize("x_dtype, g", [(np.float32, np.float32(2.0)), (np.float32, 2.0), (np.float64, np.ones(2)),
                                        (np.float32, np.ones(2))])
def test_index_grad_fast_path_keeps_the_dtype_of_x(x_dtype, g):
    x = np.zeros((2, 3), x_dtype)
    got = rt_indexing.index_grad(g, x, np.s_[np.array([0, 0]), np.array([1, 1])])
    assert got.dtype == x_dtype and got[0, 1] == 2 * np.max(g) and got.sum() == 2 * np.max(g)


def test_unbroadcast_of_ndarrays_that_do_not_fit_is_refused():
    for g_shape, x_shape in (((3, 4), (3,)), ((4,), (3, 4)), ((3, 4), (2, 4))):
        with pytest.raises(ArrayGradientError, match="does not fit"):
            rt_arrays.unbroadcast(np.ones(g_shape), np.ones(x_shape))


@pytest.mark.parametrize("g", [np.ones((3, 1)), np.ones((3, 1), np.float32), 2.0])
def test_max_grad_fast_path_takes_the_upstream_dtype_into_account(g):
    x = np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0], [0.0, 0.0, 0.0]], np.float32)
    got = rt_arrays.max_grad(g, x, axis=1, keepdims=True)
    assert got.dtype == np.result_type(np.float32, np.asarray(g).dtype)
    np.testing.assert_array_equal(got, np.array([[0, 1, 0], [1, 0, 0], [1, 0, 0]]) * np.max(g))


# ---------------------------------------------------------------- masks applied in place (emit.freeing)

def relu_of_product(W, V, x, w):
    """The mask's adjoint is a new array (``grad_s @ V.T``): multiplied in place."""
    hidden = np.maximum(0.0, x @ W)
    return np.sum(w * (hidden @ V))


def relu_shared(x, y, w):
    """The mask's adjoint is ``y``'s adjoint too (one array, two names): never changed in place."""
    return np.sum(w * (np.minimum(0.5, x) + y))


def relu_then_added(x, y, w):
    """``grad_h`` is ``grad_s`` itself (``rt.unbroadcast`` of equal shapes), and so is ``y``'s adjoint."""
    h = np.maximum(0.0, x)
    s = h + y
    return np.sum(w * s)


def relu_twice(x, w):
    """One value masked twice: each mask reads ``x``'s adjoint, which must stay as it is."""
    h = np.maximum(0.0, x)
    return np.sum(w * np.maximum(-0.3, h) * h)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("fn, in_place", [(relu_of_product, True), (relu_shared, False),
                                         (relu_then_added, False), (relu_twice, False)])
def test_masks_in_place_only_on_an_array_of_its_own(fn, in_place, dtype):
    rng = np.random.default_rng(11)
    shapes = {relu_of_product: ((4, 4), (4, 3), (5, 4), (5, 3)), relu_shared: ((3, 4), (3, 4), (3, 4)),
              relu_then_added: ((3, 4), (3, 4), (3, 4)),
              relu_twice: ((3, 4), (3, 4))}[fn]
    args = [rng.normal(size=s).astype(dtype) for s in shapes]
    wrt = tuple(range(len(args) - 1))
    g = srcdiff.grad(fn, wrt=wrt)
    got = g(*args)
    tol = 2e-3 if dtype == np.float32 else 1e-6
    as64 = [a.astype(np.float64) for a in args]
    for position, grad in zip(wrt, got):
        assert grad.dtype == dtype
        np.testing.assert_allclose(grad, numeric_grad(fn, as64, position), rtol=tol, atol=tol)
    if SPECIALIZED:
        assert (" *= 0.0 < " in g.source_for(*args)) is in_place


def _freed_with_adjoints(body):
    text = "def f(x, w):\n" + "".join(f"    {line}\n" for line in body) + "    return a\n"
    names = {"h", "a", "b", "c", "grad_h", "grad_x"}
    return freed(GeneratedText(text, [None] * text.count("\n"), None), names, {"grad_h": "h", "grad_c": "c"})


def test_freed_masks_in_place_what_is_read_by_arithmetic_only():
    made = ["h = x * 2.0", "grad_h = w @ h", "grad_h += w * 3.0", "b = grad_h + 1.0"]
    text = _freed_with_adjoints(made + ["grad_x = (h > 0.0) * grad_h", "a = grad_x + b"])
    assert "    grad_h *= h > 0.0\n    grad_x = grad_h\n    del h, grad_h\n" in text
    for shared in (["grad_h = rt.unbroadcast(w, h)"], ["grad_h = w @ h", "c = grad_h"], ["grad_h = w @ h", "c = [grad_h]"],
                   ["grad_h = w @ h", "c = rt.unbroadcast(grad_h, x)"], ["grad_h = w @ h", "grad_h = x * 1.0"],
                   ["grad_h = w @ h", "if w:", "    c = grad_h"], ["grad_h = w"]):
        body = ["h = x * 2.0"] + shared + ["grad_x = grad_h * (0.0 < h)", "a = grad_x + 1.0"]
        assert "*=" not in _freed_with_adjoints(body), shared
    later = _freed_with_adjoints(["h = x * 2.0", "grad_h = w @ h", "grad_x = grad_h * (0.0 < h)", "a = grad_x + grad_h"])
    assert "*=" not in later
    other_value = _freed_with_adjoints(["h = x * 2.0", "grad_h = w @ h", "grad_x = grad_h * (0.0 < x)", "a = grad_x"])
    assert "*=" not in other_value
