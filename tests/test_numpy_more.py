"""NumPy calls lowering writes out with other primitives (``lower.numpy_forms``, ``numpy_signals``):
``np.vdot``, the NaN-ignoring reductions and spreads, ``.item()``, ``take_along_axis``, ``interp``, ``polyval``,
``convolve``, ``correlate``, ``trapezoid``, ``select``, ``meshgrid``, ``linalg.lstsq`` and the ufunc
methods ``reduce`` and ``outer``: each against finite differences (gradient, jvp, hvp, hessian),
with non-uniform weights and square shapes, against autograd where it has the function, and in
float32."""
import numpy as np
import pytest

import srcdiff
from trust_helpers import fd_directional, fd_grad

RNG = np.random.default_rng(8)
W = RNG.standard_normal((3, 3))
W4 = RNG.standard_normal((4, 3))
W3 = RNG.standard_normal(3)
IDX = np.array([[0, 0, 2], [1, 2, 1], [2, 2, 2]])
NANS = RNG.standard_normal((3, 3))
NANS[1, 2] = np.nan


def vdot(a, b):
    return np.vdot(a, W @ b) + 0.3 * np.vdot(a, a * a)


def nan_reductions(x):
    """``x`` holds a NaN: every reduction reads it through a linear map, so its gradient there is 0
    (a product such as ``x * x`` would give ``0 * nan`` there, under any rule)."""
    y = W * x
    return (np.sum(W3 * np.nansum(y, axis=0) ** 2) + np.sum(W3 * np.nanmean(y, axis=1) ** 2)
            + np.sum(W3 * np.nanmax(y, axis=0) ** 2) + np.sum(W3 * np.nanmin(y, axis=1, keepdims=True).ravel() ** 3)
            + np.nanprod(1.0 + 0.2 * y) + np.nanmean(y) ** 2 + np.nanmax(y) ** 2 + np.nanmin(-y, 0) @ W3)


def nan_spread(x):
    """``np.nanvar`` and ``np.nanstd`` over each axis choice, ``ddof`` and ``keepdims`` (``x`` holds a NaN,
    read through linear maps alone, as in ``nan_reductions``)."""
    y = W * x
    return (np.sum(W3 * np.nanvar(y, axis=0)) + np.nanstd(y) + np.sum(W3 * np.nanvar(y, axis=1, ddof=1, keepdims=True).ravel())
            + np.sum(W3 * np.nanstd(y, 0) ** 3) + np.nanvar(y + W, ddof=2) + np.sum(W3 * np.nanstd(y, axis=-1)))


def item(x):
    return np.sum(W * x) * (x[1:2, 0:1] ** 2).item() + np.sum(x[:1, 2]).item() ** 3


def take_along(x):
    return (np.sum(W * np.take_along_axis(x, IDX, axis=1) ** 2) + np.sum(W * np.take_along_axis(x * x, IDX, 0))
            + np.sum(W3 * np.take_along_axis(x, np.array([8, 0, 8]), axis=None) ** 2))


XP = np.array([-1.0, 0.0, 0.5, 2.0])
FP = np.array([0.3, -1.0, 2.0, 1.5])
XS = np.array([[-0.7, 0.2, 0.9], [1.7, -1.6, 0.4], [2.4, 0.05, -0.3]])


def interp(x, xp, fp):
    return np.sum(W * np.interp(x, xp, fp) ** 2) + np.sum(W * np.interp(x, xp, fp * fp, left=-2.0, right=0.25))


def polyval(p, x):
    return np.sum(W * np.polyval(p, x) ** 2) + np.sum(W * np.polyval([p[0], 1.5, p[2] * p[1]], x))


def convolve_full(a, v):
    return _weighted(np.convolve(a, v) ** 2) + _weighted(np.convolve(v, a * a))


def convolve_same(a, v):
    return _weighted(np.convolve(a, v, mode="same") ** 2) + _weighted(np.convolve(v, a, "same") * a[0])


def convolve_valid(a, v):
    return _weighted(np.convolve(a, v, "valid") ** 2) + _weighted(np.convolve(v, a, mode="valid") * v[1])


def correlate(a, v):
    return (_weighted(np.correlate(a, v) ** 2) + _weighted(np.correlate(v, a, "same") ** 2)
            + _weighted(np.correlate(a, v, "full") * a[1]) + _weighted(np.correlate(v, a, "same") * v[0]))


def _weighted(c):
    return np.sum(np.cos(1.0 + np.arange(c.size)) * c)


def trapezoid(y, x):
    return (np.sum(W3 * np.trapezoid(y ** 2, x)) + np.sum(W3 * np.trapezoid(y * x, dx=0.5, axis=0))
            + np.trapezoid(np.sin(y[0]), x) ** 2)


def select(x):
    return np.sum(W * np.select([x > 0.5, x < -0.5], [x ** 2, np.sin(x)], x * 3.0) ** 2) + np.sum(
        W * np.select([x > 0.0], [x]))


def meshgrid(x, y):
    X, Y = np.meshgrid(x, y)
    I, J = np.meshgrid(x, x * y[:3], indexing="ij")
    S, T = np.meshgrid(x, y, sparse=True)
    return np.sum(W4 * X ** 2 * Y) + np.sum(W * I * J ** 2) + np.sum(W4 * S * T)


def lstsq(A, b):
    x = np.linalg.lstsq(A, b, rcond=None)[0]
    square = np.linalg.lstsq(A[:3] + 2.0 * np.eye(3), b[:3])[0]
    return np.sum(W3 * x ** 2) + np.sum(W3 * square * x)


def ufunc_methods(a, b):
    return (np.sum(W3 * np.add.reduce(a * b)) + np.maximum.reduce(a, axis=1) @ W3 + np.multiply.reduce(a, axis=None)
            + np.sum(W3 * np.minimum.reduce(a * a, 1, keepdims=True).ravel()) + np.sum(W * np.multiply.outer(a[0], b[1]) ** 2)
            + np.sum(W * np.add.outer(a[1], a[2] * b[0])) + np.sum(W * np.subtract.outer(b[2], a[0]) ** 3)
            + np.sum(W * np.add.accumulate(a * b) ** 2) + np.sum(W * np.multiply.accumulate(a, axis=1))
            + W3 @ np.add.accumulate(b[1], 0))


A3 = RNG.standard_normal((3, 3))
B3 = RNG.standard_normal((3, 3))
CASES = {
    "vdot": (vdot, (A3, B3)),
    "nan_reductions": (nan_reductions, (NANS,)),
    "nan_spread": (nan_spread, (NANS,)),
    "item": (item, (A3,)),
    "take_along": (take_along, (A3,)),
    "interp": (interp, (XS, XP, FP)),
    "polyval": (polyval, (np.array([0.7, -1.2, 0.4, 2.0]), A3)),
    "convolve_full": (convolve_full, (RNG.standard_normal(5), RNG.standard_normal(3))),
    "convolve_same": (convolve_same, (RNG.standard_normal(4), RNG.standard_normal(3))),
    "convolve_same_short": (convolve_same, (RNG.standard_normal(2), RNG.standard_normal(5))),
    "convolve_valid": (convolve_valid, (RNG.standard_normal(5), RNG.standard_normal(3))),
    "correlate": (correlate, (RNG.standard_normal(4), RNG.standard_normal(3))),
    "correlate_short": (correlate, (RNG.standard_normal(2), RNG.standard_normal(5))),
    "trapezoid": (trapezoid, (A3, np.array([0.0, 0.4, 1.3]))),
    "select": (select, (np.array([[0.9, -0.8, 0.1], [-0.2, 1.4, -1.1], [0.6, 0.3, -0.7]]),)),
    "meshgrid": (meshgrid, (W3 + 0.5, RNG.standard_normal(4))),
    "lstsq": (lstsq, (RNG.standard_normal((4, 3)), RNG.standard_normal(4))),
    "ufunc_methods": (ufunc_methods, (A3, B3)),
}
POSITIONS = [(name, index) for name, (_, args) in CASES.items() for index in range(len(args))]


def _direction(x):
    return np.cos(1.0 + np.arange(np.size(x))).reshape(np.shape(x))


@pytest.mark.parametrize("name, index", POSITIONS)
def test_gradient_matches_differences(name, index):
    f, args = CASES[name]
    got = srcdiff.grad(f, wrt=index)(*args)
    assert got.shape == np.shape(args[index])
    assert got == pytest.approx(fd_grad(f, args, index), rel=1e-5, abs=1e-7)


@pytest.mark.parametrize("name, index", POSITIONS)
def test_jvp_matches_differences(name, index):
    f, args = CASES[name]
    v = _direction(args[index])
    assert srcdiff.jvp(f, wrt=index)(*args, v) == pytest.approx(fd_directional(f, args, index, v), rel=1e-5, abs=1e-7)


@pytest.mark.parametrize("name, index", POSITIONS)
def test_hvp_and_hessian_match_differences_of_the_gradient(name, index):
    f, args = CASES[name]
    v = _direction(args[index])
    expected = fd_directional(srcdiff.grad(f, wrt=index), args, index, v)
    assert srcdiff.hvp(f, wrt=index)(*args, v) == pytest.approx(expected, rel=1e-4, abs=1e-6)
    hessian = srcdiff.hessian(f, wrt=index)(*args)
    size = np.size(args[index])
    assert (hessian.reshape(size, size) @ v.ravel()).reshape(np.shape(v)) == pytest.approx(expected, rel=1e-4, abs=1e-6)


@pytest.mark.parametrize("name", ["vdot", "nan_reductions", "nan_spread", "item", "take_along", "polyval", "convolve_same",
                                  "correlate", "trapezoid", "select", "meshgrid", "ufunc_methods", "interp", "lstsq"])
def test_float32_gradients_stay_float32(name):
    f, args = CASES[name]
    small = tuple(a.astype(np.float32) for a in args)
    for index, got in enumerate(srcdiff.grad(f, wrt=tuple(range(len(args))))(*small)):
        assert got.dtype == np.float32
        assert got == pytest.approx(fd_grad(f, args, index), rel=2e-2, abs=2e-2)


# ---- functions of one number: grad(grad(f))

def of_a_number(t):
    return (np.interp(t, XP, FP) ** 2 + np.polyval([0.5, -1.0, 2.0], t) ** 2 + np.trapezoid(W3 * W3, dx=t) * t
            + np.sum(np.convolve(W3 * t, W3 - t, "same") ** 2) + (W[:1, :1] * t ** 3).item())


@pytest.mark.parametrize("t", [0.3, 1.2, -0.6])
def test_second_derivative_of_a_function_of_one_number(t):
    first = srcdiff.grad(of_a_number)
    assert first(t) == pytest.approx(fd_grad(of_a_number, (t,), 0), rel=1e-5)
    assert srcdiff.grad(first)(t) == pytest.approx(fd_grad(first, (t,), 0), rel=1e-5)


# ---- the values are NumPy's

@pytest.mark.parametrize("name", CASES)
def test_values_are_numpys(name):
    f, args = CASES[name]
    value, _ = srcdiff.value_and_grad(f, wrt=0)(*args)
    assert value == pytest.approx(f(*args), rel=1e-12)


@pytest.mark.filterwarnings("ignore:All-NaN slice")
def test_nanmax_of_an_all_nan_slice_has_no_gradient():
    x = A3.copy()
    x[:, 1] = np.nan

    def f(v):
        m = np.nanmax(W * v, axis=0)
        return np.sum(np.where(np.isnan(m), 0.0, m) * W3) + np.nanmean(v)
    value, gradient = srcdiff.value_and_grad(f)(x)
    assert value == pytest.approx(f(x))
    assert np.all(gradient[:, 1] == 0.0)
    assert gradient == pytest.approx(np.nan_to_num(fd_grad(f, (x,), 0)), abs=1e-7)


# ---- refusals

def rank_deficient(A, b):
    return np.sum(np.linalg.lstsq(A, b, rcond=None)[0] ** 2)


def test_lstsq_of_a_rank_deficient_matrix_raises_at_the_users_line():
    A = np.ones((4, 3))
    with pytest.raises(srcdiff.SrcdiffError, match="rank 1") as err:
        srcdiff.grad(rank_deficient)(A, np.arange(4.0))
    assert "test_numpy_more.py" in str(err.value)


def select_of_a_value(conds, choices):
    return np.sum(np.select(conds, choices))


def test_select_of_lists_not_written_out_is_refused():
    with pytest.raises(srcdiff.SrcdiffError, match="np.select") as err:
        srcdiff.grad(select_of_a_value, wrt=1)([A3 > 0], [A3])
    assert "test_numpy_more.py" in str(err.value)


def item_with_index(x):
    return x.item(0)


def test_item_with_an_index_is_refused():
    with pytest.raises(srcdiff.SrcdiffError, match="item"):
        srcdiff.grad(item_with_index)(A3)


# ---- autograd where it has the function (of these, np.select alone), and JAX for the others

def _gradients_with(module_np, grad, f, args):
    """``grad(f, i)(*args)`` for each argument, ``f`` reading ``module_np`` as ``np``."""
    module = f.__globals__
    original = module["np"]
    module["np"] = module_np
    try:
        gradients = [grad(f, i)(*args) for i in range(len(args))]
    finally:
        module["np"] = original
    return [np.asarray(g) for g in gradients]


def _agrees(name, expected):
    f, args = CASES[name]
    got = srcdiff.grad(f, wrt=tuple(range(len(args))))(*args)
    got = got if isinstance(got, tuple) else (got,)
    for mine, theirs in zip(got, expected):
        assert mine == pytest.approx(theirs, rel=1e-6, abs=1e-9)


def test_select_agrees_with_autograd():
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    _agrees("select", _gradients_with(anp, autograd.grad, *CASES["select"]))


# where NumPy's choices are subtle (JAX runs op by op here: a few seconds each, so not every case)
@pytest.mark.parametrize("name", ["interp", "lstsq", "convolve_same_short", "correlate_short", "take_along",
                                  "meshgrid", "trapezoid"])
def test_agrees_with_jax(name):
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)  # float64 as NumPy computes (as tests/test_array_api.py does)
    jnp = pytest.importorskip("jax.numpy")
    _agrees(name, _gradients_with(jnp, lambda f, i: jax.grad(f, argnums=i), *CASES[name]))


def lstsq_items(A, b):
    x, residuals, rank, values = np.linalg.lstsq(A, b, rcond=None)
    return np.sum(W3 * x) + np.sum(residuals) * rank + np.sum(values ** 2)


@pytest.mark.parametrize("shape", [(4, 3), (3, 3)])
def test_lstsq_items_match_numpy_and_differences(shape):
    A, b = RNG.standard_normal(shape), RNG.standard_normal(shape[0])
    value, gradient = srcdiff.value_and_grad(lstsq_items, wrt=0)(A, b)
    assert value == pytest.approx(lstsq_items(A, b), rel=1e-10)
    assert gradient == pytest.approx(fd_grad(lstsq_items, (A, b), 0), rel=1e-5, abs=1e-7)
    assert srcdiff.jvp(lstsq_items, wrt=0)(A, b, np.ones(shape)) == pytest.approx(
        fd_directional(lstsq_items, (A, b), 0, np.ones(shape)), rel=1e-5)


def interp_one_point(x, fp):
    return np.sum(np.interp(x, np.array([0.5]), fp))


def test_interp_of_one_sample_point_raises_rather_than_giving_nan():
    with pytest.raises(IndexError):
        srcdiff.grad(interp_one_point, wrt=1)(XS, np.array([2.0]))


def reduce_with_initial(x):
    return np.add.reduce(x, axis=None, initial=1.0) + np.sum(np.add.accumulate(x))


def test_other_ufunc_methods_are_refused_by_name():
    with pytest.raises(srcdiff.SrcdiffError, match="np.add.reduce' is not supported") as err:
        srcdiff.grad(reduce_with_initial)(A3)
    assert "test_numpy_more.py" in str(err.value)
