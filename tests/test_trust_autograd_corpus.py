"""Regression tests for what running srcdiff on HIPS autograd's own tests found
(``benchmarks/autograd_corpus.py``): each family is right against finite differences, or
refused with a SrcdiffError at the user's line.

- A tuple or list of arrays read like one array (``np.stack(t)``) got a gradient of
  Python lists of floats: its parts are now arrays of the parts' own dtypes.
- ``srcdiff.grad`` called inside a differentiated function was inlined from srcdiff's
  own source (an error pointing into ``srcdiff/api.py``): refused at the user's call.
- ``scipy.signal.convolve`` was refused as "'scipy.signal' does not exist".
- ``operator.add`` and friends, ``np.cross`` with ``axisa``/``axisb``/``axisc``/``axis``
  and forward mode of ``np.var``/``np.std`` were refused; they are now supported.
"""
import operator

import numpy as np
import pytest

import srcdiff
import srcdiff.api
from trust_helpers import assert_user_error, fd_directional, fd_grad

RNG = np.random.default_rng(11)
W2x3 = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])


# ---------------------------------------------------------------- sequences of arrays

def stacked(t):
    return np.sum(np.stack(t) * W2x3)


def as_array(t):
    return np.sum(np.array(t) ** 2 * W2x3)


def averaged(t):
    return np.mean(t) * 3.0


def parts(t):
    return np.sum(t[0] * t[1] * W2x3[0])


def _fd_parts(f, t, eps=1e-6):
    """Central differences of f with respect to each array of the sequence ``t``."""
    out = []
    for k, part in enumerate(t):
        def moved(new, k=k):
            items = list(t)
            items[k] = new
            return f(type(t)(items))
        out.append(fd_grad(moved, (np.asarray(part, dtype=np.float64),), 0, eps))
    return out


@pytest.mark.parametrize("f", [stacked, as_array, averaged, parts])
@pytest.mark.parametrize("kind", [tuple, list])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_sequence_of_arrays_gets_arrays_of_its_parts_dtypes(f, kind, dtype):
    t = kind(RNG.standard_normal(3).astype(dtype) for _ in range(2))
    got = srcdiff.grad(f)(t)
    assert type(got) is kind and len(got) == 2
    for g, part, expected in zip(got, t, _fd_parts(f, kind(p.astype(np.float64) for p in t))):
        assert isinstance(g, np.ndarray) and g.dtype == part.dtype and g.shape == part.shape
        np.testing.assert_allclose(g, expected, rtol=1e-3 if dtype is np.float32 else 1e-6, atol=1e-5)


def test_the_vjp_of_a_stacked_tuple_is_a_tuple_of_arrays_with_a_non_uniform_weight():
    def f(t):
        return np.stack(t, axis=1)
    t = (RNG.standard_normal(3), RNG.standard_normal(3))
    weight = RNG.standard_normal((3, 2)) + 0.5
    got = srcdiff.api.vjp(f)(t, weight)
    assert isinstance(got, tuple) and all(isinstance(g, np.ndarray) for g in got)
    np.testing.assert_allclose(got[0], weight[:, 0])
    np.testing.assert_allclose(got[1], weight[:, 1])


def test_the_hvp_of_a_tuple_of_arrays_matches_differences_of_its_gradient():
    def f(t):
        return np.sum(np.stack(t) ** 3 * W2x3)
    t = (RNG.standard_normal(3), RNG.standard_normal(3))
    v = (RNG.standard_normal(3), RNG.standard_normal(3))
    got = srcdiff.hvp(f)(t, v)
    gradient, eps = srcdiff.grad(f), 1e-6
    plus = gradient(tuple(a + eps * d for a, d in zip(t, v)))
    minus = gradient(tuple(a - eps * d for a, d in zip(t, v)))
    for g, p, m in zip(got, plus, minus):
        np.testing.assert_allclose(g, (p - m) / (2 * eps), rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- srcdiff inside the function; modules

def inner(x):
    return np.sum(np.sin(x) ** 2)


def gradient_inside(x):
    g = srcdiff.grad(inner)(x)
    return np.sum(g * x)


def my_grad(f):
    return srcdiff.grad(f)


def gradient_through_a_helper(x):
    g = my_grad(inner)(x)
    return np.sum(g)


@pytest.mark.parametrize("fn,line", [(gradient_inside, "srcdiff.grad(inner)"), (gradient_through_a_helper, None)])
def test_a_gradient_taken_inside_the_function_is_refused_at_the_users_line(fn, line):
    with pytest.raises(srcdiff.SrcdiffError, match="srcdiff's own 'grad'") as info:
        srcdiff.grad(fn)(np.array([0.3, 0.7]))
    assert "srcdiff/api.py" not in str(info.value)
    if line is not None:
        assert_user_error(info.value, fn, line)


def test_a_module_without_rules_is_named_as_such_not_as_missing():
    scipy_signal = pytest.importorskip("scipy.signal")
    assert scipy_signal is not None

    def smooth(x):
        return np.sum(scipy.signal.convolve(x, np.ones(2)))
    import scipy  # noqa: F401  (read by smooth as a global of this module)
    globals()["scipy"] = scipy
    with pytest.raises(srcdiff.SrcdiffError, match="'scipy.signal' is a module srcdiff has no gradient rules for"):
        srcdiff.grad(smooth)(np.array([0.3, 0.7]))


# ---------------------------------------------------------------- operator functions

OPERATOR_CASES = [
    lambda a, b: operator.add(a, b) * b,
    lambda a, b: operator.sub(a, b) * a,
    lambda a, b: operator.mul(a, b),
    lambda a, b: operator.truediv(a, b),
    lambda a, b: operator.pow(a, b),
    lambda a, b: operator.mod(a, b) * b,
    lambda a, b: operator.neg(a) * b,
    lambda a, b: operator.abs(a - b),
]


@pytest.mark.parametrize("k", range(len(OPERATOR_CASES)))
@pytest.mark.parametrize("shape", [(), (3,)])
def test_operator_functions_are_the_arithmetic_they_stand_for(k, shape):
    op = OPERATOR_CASES[k]

    def f(a, b):
        return np.sum(op(a, b) * np.linspace(0.5, 1.5, 3))
    a = RNG.uniform(0.5, 2.0, shape) if shape else 1.3
    b = RNG.uniform(0.5, 2.0, shape) if shape else 0.7
    ga, gb = srcdiff.grad(f, wrt=(0, 1))(a, b)
    np.testing.assert_allclose(ga, fd_grad(f, (a, b), 0), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(gb, fd_grad(f, (a, b), 1), rtol=1e-5, atol=1e-7)
    da = RNG.standard_normal(shape) if shape else 0.9
    np.testing.assert_allclose(srcdiff.jvp(f, wrt=0)(a, b, da), fd_directional(f, (a, b), 0, da), rtol=1e-5, atol=1e-7)
    h = srcdiff.hvp(f, wrt=0)(a, b, da)
    np.testing.assert_allclose(h, fd_directional(srcdiff.grad(f, wrt=0), (a, b), 0, da), rtol=1e-4, atol=1e-6)


def test_operator_matmul_is_a_matrix_product():
    def f(A, x):
        return np.sum(operator.matmul(A, x) ** 2)
    A, x = RNG.standard_normal((2, 3)), RNG.standard_normal(3)
    np.testing.assert_allclose(srcdiff.grad(f, wrt=0)(A, x), fd_grad(f, (A, x), 0), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(srcdiff.grad(f, wrt=1)(A, x), fd_grad(f, (A, x), 1), rtol=1e-5, atol=1e-7)


# ---------------------------------------------------------------- np.cross along chosen axes

def cross_a0_b1_c0(a, b):
    return np.cross(a, b, axisa=0, axisb=1, axisc=0)


def cross_axis0(a, b):
    return np.cross(a, b, axis=0)


def cross_by_position(a, b):
    return np.cross(a, b, 0, 1, 1)


def cross_squared(a, b):
    return np.sum(np.cross(a, b, axisa=0, axisb=-1, axisc=1) ** 2 * np.arange(1.0, 10.0).reshape(3, 3))


@pytest.mark.parametrize("f", [cross_a0_b1_c0, cross_axis0, cross_by_position])
def test_cross_along_chosen_axes_matches_finite_differences(f):
    a, b = RNG.standard_normal((3, 3)), RNG.standard_normal((3, 3))
    weight = RNG.standard_normal(np.shape(f(a, b))) + 0.5
    for p in (0, 1):
        got = srcdiff.api.vjp(f, wrt=p)(a, b, weight)
        np.testing.assert_allclose(got, fd_grad(lambda *x: np.sum(weight * f(*x)), (a, b), p), rtol=1e-5, atol=1e-7)
        d = RNG.standard_normal((3, 3))
        np.testing.assert_allclose(srcdiff.jvp(f, wrt=p)(a, b, d), fd_directional(f, (a, b), p, d), rtol=1e-5,
                                   atol=1e-7)


def test_cross_with_axes_broadcasts_a_stack_against_one_matrix():
    a, b = RNG.standard_normal((2, 3, 4)), RNG.standard_normal((3, 4))

    def f(a, b):
        return np.sum(np.cross(a, b, axisa=1, axisb=0, axisc=1) * np.arange(1.0, 25.0).reshape(2, 3, 4))
    for p in (0, 1):
        np.testing.assert_allclose(srcdiff.grad(f, wrt=p)(a, b), fd_grad(f, (a, b), p), rtol=1e-5, atol=1e-7)


def test_cross_with_axes_has_a_hessian():
    a, b = RNG.standard_normal((3, 3)), RNG.standard_normal((3, 3))
    H = srcdiff.hessian(cross_squared, wrt=0)(a, b)
    gradient = srcdiff.grad(cross_squared, wrt=0)
    numeric = np.stack([fd_directional(gradient, (a, b), 0, e.reshape(3, 3)) for e in np.eye(9)]).reshape(3, 3, 3, 3)
    np.testing.assert_allclose(H, numeric, rtol=1e-4, atol=1e-6)


# ---------------------------------------------------------------- forward mode of var and std

def var_rows(x):
    return np.var(x, axis=1, ddof=1)


def std_columns_kept(x):
    return np.std(x, axis=0, keepdims=True)


def var_all(x):
    return np.var(x * 2.0) + x.std()


def std_method(x):
    return x.std(1, keepdims=True) * x.var(axis=0, keepdims=True)


@pytest.mark.parametrize("f", [var_rows, std_columns_kept, var_all, std_method])
def test_forward_mode_of_var_and_std_matches_finite_differences(f):
    x, d = RNG.standard_normal((2, 3)), RNG.standard_normal((2, 3))
    np.testing.assert_allclose(srcdiff.jvp(f)(x, d), fd_directional(f, (x,), 0, d), rtol=1e-5, atol=1e-7)


def test_forward_mode_of_var_with_an_axis_from_a_parameter_is_refused_at_the_users_line():
    def spread(x, axis):
        return np.var(x, axis=axis)
    with pytest.raises(srcdiff.SrcdiffError, match="the axis of 'np.var' must be a constant") as info:
        srcdiff.jvp(spread, wrt=0)(np.ones((2, 3)), 0, np.ones((2, 3)))
    assert_user_error(info.value, spread, "np.var")


# ---------------------------------------------------------------- NumPy's other names; np.gradient

ALIASED = {  # NumPy 2's array-API names and np.conj: the same functions as the names srcdiff's rules use
    "acos": lambda a, b: np.sum(np.acos(a / 3.0) * b), "asin": lambda a, b: np.sum(np.asin(a / 3.0) * b),
    "atan": lambda a, b: np.sum(np.atan(a) * b), "atan2": lambda a, b: np.sum(np.atan2(a, b)),
    "acosh": lambda a, b: np.sum(np.acosh(a + 1.5) * b), "asinh": lambda a, b: np.sum(np.asinh(a) * b),
    "atanh": lambda a, b: np.sum(np.atanh(a / 3.0) * b), "pow": lambda a, b: np.sum(np.pow(a, b)),
    "concat": lambda a, b: np.sum(np.concat([a, b * a]) ** 2),
    "permute_dims": lambda a, b: np.sum(np.permute_dims(np.outer(a, b), (1, 0)) * np.outer(b, a ** 2)),
    "conj": lambda a, b: np.sum(np.conj(a) * b ** 2), "conjugate": lambda a, b: np.sum(np.conjugate(a * b) * a),
}


@pytest.mark.parametrize("name", sorted(ALIASED))
def test_numpys_other_names_of_a_function_have_its_derivatives(name):
    f = ALIASED[name]
    a, b = RNG.uniform(0.2, 0.9, 3), RNG.uniform(0.5, 1.5, 3)
    for p in (0, 1):
        np.testing.assert_allclose(srcdiff.grad(f, wrt=p)(a, b), fd_grad(f, (a, b), p), rtol=1e-5, atol=1e-7)
    d = RNG.standard_normal(3)
    np.testing.assert_allclose(srcdiff.jvp(f, wrt=0)(a, b, d), fd_directional(f, (a, b), 0, d), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(srcdiff.hvp(f, wrt=0)(a, b, d), fd_directional(srcdiff.grad(f, wrt=0), (a, b), 0, d),
                               rtol=1e-4, atol=1e-6)


COORDINATES = np.array([0.0, 0.3, 0.5, 1.1])


def slope_rows(x):
    return np.gradient(x, axis=1)


def slope_spaced(x):
    return np.gradient(x, 0.5, axis=0, edge_order=2)


def slope_coordinates(x):
    return np.gradient(x ** 2, COORDINATES, axis=-1)


def slope_of_a_vector(x):
    return np.sum(np.gradient(x[0] ** 3) ** 2)


@pytest.mark.parametrize("f", [slope_rows, slope_spaced, slope_coordinates, slope_of_a_vector])
def test_np_gradient_along_one_axis_matches_finite_differences(f):
    x = RNG.standard_normal((3, 4))
    weight = RNG.standard_normal(np.shape(f(x))) + 0.5
    np.testing.assert_allclose(srcdiff.api.vjp(f)(x, weight), fd_grad(lambda y: np.sum(weight * f(y)), (x,), 0),
                               rtol=1e-5, atol=1e-7)
    d = RNG.standard_normal((3, 4))
    np.testing.assert_allclose(srcdiff.jvp(f)(x, d), fd_directional(f, (x,), 0, d), rtol=1e-5, atol=1e-7)


def test_np_gradient_has_a_hessian():
    x = RNG.standard_normal((1, 4))
    H = srcdiff.hessian(slope_of_a_vector)(x)
    gradient = srcdiff.grad(slope_of_a_vector)
    numeric = np.stack([fd_directional(gradient, (x,), 0, e.reshape(1, 4)) for e in np.eye(4)]).reshape(1, 4, 1, 4)
    np.testing.assert_allclose(H, numeric, rtol=1e-4, atol=1e-6)


def slopes_along_every_axis(x):
    return np.sum(np.gradient(x))


def test_np_gradient_along_every_axis_is_refused_at_the_users_line():
    with pytest.raises(srcdiff.SrcdiffError, match="np.gradient along axis=None of an array that is not a vector") as info:
        srcdiff.grad(slopes_along_every_axis)(np.ones((2, 3)))
    assert_user_error(info.value, slopes_along_every_axis, "np.gradient")


# ---------------------------------------------------------------- settings of scipy.special; second order of var/std

def test_scipy_special_takes_none_as_a_setting():
    special = pytest.importorskip("scipy.special")

    def f(x):
        return special.logsumexp(x, axis=None, keepdims=True) * 2.0
    x, d = RNG.standard_normal((2, 3)), RNG.standard_normal((2, 3))
    np.testing.assert_allclose(srcdiff.api.vjp(f)(x, np.ones((1, 1))), fd_grad(lambda y: np.sum(f(y)), (x,), 0),
                               rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(srcdiff.jvp(f)(x, d), fd_directional(f, (x,), 0, d), rtol=1e-5, atol=1e-7)


def spread_columns(x):
    return np.sum(np.var(x, axis=0) ** 2)


def spread_rows_sample(x):
    return np.sum(np.std(x, axis=1, ddof=1) ** 3)


def spread_everything(x):
    return np.var(x) * np.std(x)


def spread_kept(x):
    return np.sum(np.std(x, axis=0, keepdims=True) * x)


def standardized(x):
    return np.sum((x - np.mean(x, axis=1, keepdims=True)) / np.std(x, axis=1, keepdims=True) * W2x3)


@pytest.mark.parametrize("f", [spread_columns, spread_rows_sample, spread_everything, spread_kept, standardized])
@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_hessian_vector_products_through_var_and_std(f, mode):
    x = RNG.standard_normal((2, 3))
    v = RNG.standard_normal((2, 3))
    got = srcdiff.hvp(f, mode=mode)(x, v)
    np.testing.assert_allclose(got, fd_directional(srcdiff.grad(f), (x,), 0, v, eps=1e-5), rtol=1e-4, atol=1e-6)


# ---------------------------------------------------------------- cumsum forward, rot90, parts of real values

def running_columns(x):
    return np.cumsum(x, axis=0) * W2x3


def running_method(x):
    return x.cumsum(axis=1) ** 2


def running_flat(x):
    return np.cumsum(x ** 2)


def turned(x):
    return np.rot90(x) * W2x3.T


def turned_back_thrice(x):
    return np.rot90(x ** 2, 3, axes=(1, 0))


def real_parts(x):
    return np.real_if_close(x) * 2.0 + np.imag(x) + np.angle(x) + np.conj(x)


@pytest.mark.parametrize("f", [running_columns, running_method, running_flat, turned, turned_back_thrice, real_parts])
def test_linear_reshapings_and_parts_of_real_values_in_both_modes(f):
    x = RNG.standard_normal((2, 3))
    weight = RNG.standard_normal(np.shape(f(x))) + 0.5
    np.testing.assert_allclose(srcdiff.api.vjp(f)(x, weight), fd_grad(lambda y: np.sum(weight * f(y)), (x,), 0),
                               rtol=1e-5, atol=1e-7)
    d = RNG.standard_normal((2, 3))
    np.testing.assert_allclose(srcdiff.jvp(f)(x, d), fd_directional(f, (x,), 0, d), rtol=1e-5, atol=1e-7)


def running_turned(x):
    return np.sum(np.cumsum(np.rot90(x) ** 2, axis=1) ** 2)


def running_flat_squared(x):
    return np.sum(np.cumsum(x ** 2) ** 2 * np.arange(1.0, 7.0))


@pytest.mark.parametrize("f", [running_turned, running_flat_squared])
@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_second_derivatives_through_cumsum_and_rot90(f, mode):
    x, v = RNG.standard_normal((2, 3)), RNG.standard_normal((2, 3))
    np.testing.assert_allclose(srcdiff.hvp(f, mode=mode)(x, v), fd_directional(srcdiff.grad(f), (x,), 0, v, eps=1e-5),
                               rtol=1e-4, atol=1e-6)


# ---------------------------------------------------------------- vstack, hstack, column_stack of a sequence value

def stacked_rows(t):
    return np.vstack(t)


def stacked_side(t):
    return np.hstack(t)


def stacked_columns(t):
    return np.column_stack(t)


@pytest.mark.parametrize("f", [stacked_rows, stacked_side, stacked_columns])
@pytest.mark.parametrize("shape", [(3,), (2, 3)])
@pytest.mark.parametrize("kind", [tuple, list])
def test_joining_a_sequence_passed_whole(f, shape, kind):
    t = kind(RNG.standard_normal(shape) for _ in range(2))
    weight = RNG.standard_normal(np.shape(f(t))) + 0.5
    got = srcdiff.api.vjp(f)(t, weight)
    expected = _fd_parts(lambda s: np.sum(weight * f(s)), t)
    assert type(got) is kind
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-7)
    d = kind(RNG.standard_normal(shape) for _ in range(2))
    eps = 1e-6
    along = (f(kind(a + eps * b for a, b in zip(t, d))) - f(kind(a - eps * b for a, b in zip(t, d)))) / (2 * eps)
    np.testing.assert_allclose(srcdiff.jvp(f)(t, d), along, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_second_derivatives_through_a_joined_sequence(mode):
    def f(t):
        return np.sum(np.vstack(t) ** 3 * W2x3)
    t, v = (RNG.standard_normal(3), RNG.standard_normal(3)), (RNG.standard_normal(3), RNG.standard_normal(3))
    got = srcdiff.hvp(f, mode=mode)(t, v)
    gradient, eps = srcdiff.grad(f), 1e-6
    plus = gradient(tuple(a + eps * d for a, d in zip(t, v)))
    minus = gradient(tuple(a - eps * d for a, d in zip(t, v)))
    for g, p, m in zip(got, plus, minus):
        np.testing.assert_allclose(g, (p - m) / (2 * eps), rtol=1e-5, atol=1e-6)
