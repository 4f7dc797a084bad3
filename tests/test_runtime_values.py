"""The runtime helpers on every kind of number and at the shapes NumPy allows (issue 11).

- every scalar helper of ``rt`` on float, int, np.float64, np.float32, 0-d and 1-d arrays:
  no crash, NumPy's value, the input's type kept (float32 stays float32);
- gradients of functions of NumPy scalars equal those of floats (``abs`` of np.float64 was
  a TypeError in ``rt.sign``);
- reductions of a number along an axis, ``cumsum`` of one, an item write of a value with
  leading 1-axes, an array parameter that reaches the result on one path only, the
  Jacobian of an empty result: on grad, jvp and hvp where srcdiff has the rules;
- arguments that are not real numbers or arrays for a differentiated parameter: refused
  with a SrcdiffError naming the parameter; real ones of every kind accepted.
"""
import math

import numpy as np
import pytest

import srcdiff
from srcdiff import runtime as rt
from trust_helpers import fd_directional, fd_grad

W = np.array([[1.0, 2.0], [3.0, 4.0]])

# ---------------------------------------------------------------- the scalar helpers on every kind of number

KINDS = {
    "float": float, "np.float64": np.float64, "np.float32": np.float32,
    "0-d": lambda v: np.array(v), "1-d": lambda v: np.array([v, v + 0.5]),
}
HELPERS = [  # (name, call with converted arguments, reference in float64 on plain values)
    ("sign", lambda c: rt.sign(c(-1.5)), lambda: np.sign(-1.5)),
    ("log", lambda c: rt.log(c(1.5)), lambda: np.log(1.5)),
    ("xlogy", lambda c: rt.xlogy(c(2.0), c(1.5)), lambda: 2.0 * np.log(1.5)),
    ("div_or_zero", lambda c: rt.div_or_zero(c(3.0), c(1.5)), lambda: 2.0),
    ("scaled_pow", lambda c: rt.scaled_pow(c(2.0), c(1.5), c(0.5)), lambda: 2.0 * 1.5 ** 0.5),
    ("vdot", lambda c: rt.vdot(c(2.0), c(1.5)), lambda: 3.0),
    ("digamma", lambda c: rt.digamma(c(1.5)), lambda: 0.03648997397857652),
    ("polygamma", lambda c: rt.polygamma(1, c(1.5)), lambda: 0.9348022005446793),
    ("zeros_like", lambda c: rt.zeros_like(c(1.5)), lambda: 0.0),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name, call, reference", HELPERS, ids=[h[0] for h in HELPERS])
def test_scalar_helpers_on_every_kind_of_number(kind, name, call, reference):
    convert = KINDS[kind]
    value = call(convert)
    if kind == "1-d" and name == "vdot":
        assert value == pytest.approx(2.0 * 1.5 + 2.5 * 2.0)  # the sum of the products
        return
    if kind == "1-d":
        assert isinstance(value, np.ndarray) and value.shape == (2,)
        value = value[0]
    assert np.asarray(value).shape == ()
    assert float(value) == pytest.approx(reference(), abs=1e-6 if kind == "np.float32" else 1e-11)
    if kind == "float":
        assert type(value) is float
    if kind == "np.float32":
        assert value.dtype == np.float32


def test_the_zero_conventions():
    assert rt.div_or_zero(1.0, 0.0) == 0.0 and rt.div_or_zero(np.float32(1.0), np.float32(0.0)) == 0.0
    assert rt.scaled_pow(0.0, 0.0, -1.0) == 0.0
    with np.errstate(all="raise"):
        assert rt.div_or_zero(np.ones(2), np.zeros(2)).tolist() == [0.0, 0.0]
        assert rt.scaled_pow(np.zeros(2), np.zeros(2), -1.0).tolist() == [0.0, 0.0]
    with pytest.raises(ZeroDivisionError):  # a genuinely infinite derivative still says so
        rt.scaled_pow(1.0, 0.0, -1.0)


def scalar_mix(x, y):
    return abs(x) * math.fabs(y) + max(x, y) + math.copysign(x, y) + math.hypot(x, y) + math.sqrt(y) + y ** x


@pytest.mark.parametrize("kind", ["np.float64", "np.float32", "0-d"])
def test_gradients_of_numpy_scalars_equal_those_of_floats(kind):
    convert = KINDS[kind]
    expected = srcdiff.grad(scalar_mix)(-1.5, 2.0)
    got = srcdiff.grad(scalar_mix)(convert(-1.5), convert(2.0))
    assert [float(g) for g in got] == pytest.approx(list(expected), rel=1e-6 if kind == "np.float32" else 1e-12)


# ---------------------------------------------------------------- shapes the helpers did not check

def sum_of_a_number(x):
    return np.sum(x * x, axis=0) * 3.0


def max_of_a_number(x):
    return np.max(x * x, axis=-1) * 3.0


def min_of_a_number(x):
    return np.min(x * x, axis=0, keepdims=True) * 3.0


def prod_of_a_number(x):
    return np.prod(x * x, axis=0) * 3.0


def cumsum_of_a_number(x):
    return np.sum(np.cumsum(x * x, axis=0) * 2.0)


def cumsum_of_a_column_sum(x):
    return np.sum(np.cumsum(np.sum(x * x, axis=0), axis=0) * W)


def write_row(a):
    b = a * 1.0
    b[0] = a * a
    return np.sum(b * W)


def one_branch(x, w, c):
    t = x
    if c > 0:
        t = x * w * w
    return np.sum(W * t)


def check(f, args, wrt, v, second=("forward", "reverse"), jvp=True):
    gradient = srcdiff.grad(f, wrt=wrt)
    g = gradient(*args)
    assert np.shape(g) == np.shape(args[wrt])
    np.testing.assert_allclose(g, fd_grad(f, args, wrt), rtol=1e-6, atol=1e-8)
    if jvp:
        np.testing.assert_allclose(srcdiff.jvp(f, wrt=wrt)(*args, v), fd_directional(f, args, wrt, v), rtol=1e-6)
    for mode in second:
        np.testing.assert_allclose(srcdiff.hvp(f, wrt=wrt, mode=mode)(*args, v), fd_directional(gradient, args, wrt, v),
                                   rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("f", [sum_of_a_number, max_of_a_number, min_of_a_number], ids=lambda f: f.__name__)
def test_reductions_of_a_number_along_an_axis(f):
    check(f, (1.5,), 0, 0.7)
    check(f, (-0.5,), 0, 0.7)


def test_products_and_cumulative_sums_of_a_number():
    check(prod_of_a_number, (1.5,), 0, 0.7, second=(), jvp=True)  # rt.prod_grad has no rule of its own
    check(cumsum_of_a_number, (1.5,), 0, 0.7, second=(), jvp=False)  # nor np.cumsum a tangent rule
    check(cumsum_of_a_column_sum, (np.array([[1.0, 2.0], [-0.5, 0.25]]),), 0, None, second=(), jvp=False)


def test_item_write_of_a_value_with_leading_one_axes():
    check(write_row, (np.array([[0.5, -1.0]]),), 0, np.array([[0.3, 0.9]]))


@pytest.mark.parametrize("c", [1.0, -1.0])
def test_array_parameter_reaching_the_result_on_one_path(c):
    args = (np.array([[0.5, -1.0], [2.0, 0.25]]), np.array([[1.5, 2.0], [-1.0, 0.5]]), c)
    check(one_branch, args, 1, np.array([[0.3, 0.9], [-0.4, 0.1]]), second=("forward",))
    if c < 0:
        assert srcdiff.grad(one_branch, wrt=1)(*args).tolist() == [[0.0, 0.0], [0.0, 0.0]]


def empty(x):
    return x[0:0] * 2.0


def empty_of_a_number(x):
    return np.zeros((0, 2)) * x


def test_jacobian_of_an_empty_result():
    assert srcdiff.jacobian(empty)(np.ones(3)).shape == (0, 3)
    assert srcdiff.jacobian(empty)(np.ones((2, 2))).shape == (0, 2, 2, 2)
    assert srcdiff.jacobian(empty_of_a_number)(1.5).shape == (0, 2)
    assert srcdiff.jacobian(empty)(np.ones(3, dtype=np.float32)).dtype == np.float32


# ---------------------------------------------------------------- arguments that are not real

def identity(x):
    return x


def doubled(x):
    return x * 2.0


def ignores_second(x, s):
    return np.sum(x * 2.0)


def repeated(x):
    return x * 2


def sum_of_items(p):
    return p[0] * 2.0 + p[1]


@pytest.mark.parametrize("value, what", [("foo", "a str"), (None, "None"), (1 + 2j, "a complex number"),
                                         (np.complex128(1.0), "a NumPy scalar of dtype complex128")])
def test_a_value_that_is_not_real_is_refused_naming_its_parameter(value, what):
    with pytest.raises(srcdiff.SrcdiffError, match=f"argument for parameter 'x' is {what}"):
        srcdiff.grad(identity)(value)


def test_refusals_in_array_code_and_through_arithmetic():
    with pytest.raises(srcdiff.SrcdiffError, match="parameter 's' is a str"):
        srcdiff.grad(ignores_second)(np.ones(2), "label")
    with pytest.raises(srcdiff.SrcdiffError, match="parameter 'x' is a str"):
        srcdiff.grad(repeated)("ab")  # "abab": the result is not a number, the argument is the cause
    with pytest.raises(srcdiff.SrcdiffError, match="parameter 'x' is an array of dtype complex128"):
        srcdiff.grad(ignores_second)(np.ones(2, dtype=complex), np.ones(2))
    with pytest.raises(srcdiff.SrcdiffError, match="parameter 's' is a list holding a str"):
        srcdiff.grad(ignores_second)(np.ones(2), [1.0, "b"])
    assert srcdiff.grad(ignores_second, wrt=0)(np.ones(2), "label").tolist() == [2.0, 2.0]  # not differentiated


@pytest.mark.parametrize("value", [2, True, np.int64(2), np.float32(2.0), np.float64(2.0), np.array(2.0)])
def test_real_numbers_of_every_kind_are_accepted(value):
    assert float(srcdiff.grad(identity)(value)) == 1.0
    assert float(srcdiff.grad(doubled)(value)) == 2.0


def test_real_arrays_and_sequences_are_accepted():
    assert srcdiff.grad(ignores_second)(np.arange(2), np.array([True, False]))[0].tolist() == [2.0, 2.0]
    assert srcdiff.grad(sum_of_items)([1.0, 2]) == [2.0, 1.0]
    assert srcdiff.grad(sum_of_items)((1.0, 2.0)) == (2.0, 1.0)


def test_explain_shows_no_gradient_for_an_input_that_is_not_real():
    text = str(srcdiff.explain(ignores_second, np.ones(2), "label"))
    assert "label" in text and "—" in text  # the str flag's gradient: a dash, not a refusal


def tuple_parameter(p):
    return np.sum(p[0]) + p[1] * 2.0


def test_a_tuple_of_differently_shaped_values_gets_a_tuple_gradient():  # was refused (issue 12: containers)
    gradient = srcdiff.grad(tuple_parameter)((np.ones(3), 1.5))
    assert type(gradient) is tuple and np.array_equal(gradient[0], np.ones(3)) and gradient[1] == 2.0
    assert type(gradient[1]) is float
