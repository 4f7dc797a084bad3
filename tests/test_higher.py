"""Higher derivatives: gradients of generated gradients, Hessian-vector products, Hessians.

Checked against sympy's derivatives of the same expressions and against central
differences of srcdiff's own lower-order derivatives.
"""
import math

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import srcdiff
from srcdiff import hvp as hvp_mode


def poly_trig(x, y):
    return x * x * y + math.sin(x) * y ** 3


def rational(x, y):
    q = x / (1.0 + y * y)
    return math.exp(q) * x - math.log(y * y + 2.0)


def sigmoid_neuron(w, x):
    return 1.0 / (1.0 + math.exp(-(w * x + 0.5)))


def tangled(x, y):
    a = x * y
    a += math.tanh(a) * x
    b = math.sqrt(a * a + 1.0) / (y + 3.0)
    return b * math.atan(x) - abs(y) ** 1.5


def _sym(name):
    x, y = sympy.symbols("x y")
    return {
        "poly_trig": (x * x * y + sympy.sin(x) * y ** 3, (x, y)),
        "rational": (sympy.exp(x / (1 + y * y)) * x - sympy.log(y * y + 2), (x, y)),
        "sigmoid_neuron": (1 / (1 + sympy.exp(-(x * y + sympy.Rational(1, 2)))), (x, y)),
    }[name]


FUNCTIONS = {"poly_trig": poly_trig, "rational": rational, "sigmoid_neuron": sigmoid_neuron}
POINTS = [(0.7, 1.3), (-1.1, 0.4), (2.0, -0.6)]


def _sympy_derivative(name, *orders):
    expr, symbols = _sym(name)
    for i in orders:
        expr = sympy.diff(expr, symbols[i])
    return sympy.lambdify(symbols, expr, "math")


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize("orders", [(0, 0), (1, 1), (0, 1), (1, 0), (0, 0, 0), (0, 1, 1), (1, 0, 1)])
def test_nested_gradients_match_sympy(name, orders):
    fn = FUNCTIONS[name]
    for wrt in orders:
        fn = srcdiff.grad(fn, wrt=wrt)
    expected = _sympy_derivative(name, *orders)
    for point in POINTS:
        assert fn(*point) == pytest.approx(expected(*point), rel=1e-10, abs=1e-12)


def test_nested_gradient_names_read_well():
    g1 = srcdiff.grad(poly_trig, wrt=0)
    g2 = srcdiff.grad(g1, wrt=0)
    g3 = srcdiff.grad(g2, wrt=1)
    assert g1.__name__ == "grad_poly_trig" and "def grad_poly_trig(x, y):" in g1.source
    assert g2.__name__ == "grad2_poly_trig" and "def grad2_poly_trig(x, y):" in g2.source
    assert g3.__name__ == "grad3_poly_trig" and "def grad3_poly_trig(x, y):" in g3.source
    assert "return grad2_x" in g2.source and "return grad3_y" in g3.source
    assert "grad_grad" not in g2.source.split("\n")[0] + g3.source.split("\n")[0]


def test_mixed_partials_agree():
    for fn in (poly_trig, rational, tangled):
        dxy = srcdiff.grad(srcdiff.grad(fn, wrt=0), wrt=1)
        dyx = srcdiff.grad(srcdiff.grad(fn, wrt=1), wrt=0)
        for point in POINTS:
            assert dxy(*point) == pytest.approx(dyx(*point), rel=1e-10)


def test_second_derivative_tuple_is_a_hessian_row():
    row = srcdiff.grad(srcdiff.grad(poly_trig, wrt=0))  # every parameter of grad_poly_trig
    dxx, dxy = row(0.7, 1.3)
    assert dxx == pytest.approx(_sympy_derivative("poly_trig", 0, 0)(0.7, 1.3))
    assert dxy == pytest.approx(_sympy_derivative("poly_trig", 0, 1)(0.7, 1.3))


def _fd_hvp(fn, wrt, point, v, eps=1e-6):
    """(grad(x + eps v) - grad(x - eps v)) / (2 eps): the Hessian-vector product by differences."""
    g = srcdiff.grad(fn, wrt=wrt)
    plus, minus = list(point), list(point)
    plus[wrt] += eps * v
    minus[wrt] -= eps * v
    return (g(*plus) - g(*minus)) / (2 * eps)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("fn", [poly_trig, rational, sigmoid_neuron, tangled])
@pytest.mark.parametrize("wrt", [0, 1])
def test_hvp_matches_differences_of_the_gradient(mode, fn, wrt):
    h = hvp_mode(fn, wrt=wrt, mode=mode)
    for point in POINTS:
        for v in (1.0, -0.3):
            assert h(*point, v) == pytest.approx(_fd_hvp(fn, wrt, point, v), rel=1e-6, abs=1e-7)


def test_hvp_default_takes_names_and_matches_both_modes():
    h = srcdiff.hvp(rational, wrt="y")
    assert h(0.7, 1.3, 2.0) == pytest.approx(hvp_mode(rational, wrt=1, mode="reverse")(0.7, 1.3, 2.0), rel=1e-12)
    assert h.__name__ == "hvp_rational"


def test_hvp_does_not_form_the_hessian_and_reads_well():
    fwd = hvp_mode(poly_trig, wrt=0, mode="forward").source
    rev = hvp_mode(poly_trig, wrt=0, mode="reverse").source
    assert fwd.startswith("def hvp_poly_trig(x, y, v):") and "return dot_" in fwd
    assert rev.startswith("def hvp_poly_trig(x, y, v):") and "return grad2_x" in rev
    assert "# forward" in rev and "# backward" in rev


def test_hvp_renames_v_when_the_user_has_one():
    def f(x, v):
        return x ** 3 * v

    h = srcdiff.hvp(f, wrt=0)
    assert h.source.startswith("def hvp_f(x, v, v_1):")
    assert h(2.0, 3.0, 0.5) == pytest.approx(6 * 2.0 * 3.0 * 0.5)


def test_hvp_of_a_constant_gradient_is_zero():
    def f(x, y):
        return 3.0 * x + y

    for mode in ("forward", "reverse"):
        assert hvp_mode(f, wrt=0, mode=mode)(1.0, 2.0, 1.0) == 0.0


def test_hvp_refuses_several_parameters():
    for wrt in ((0, 1), [0, 1], None):
        with pytest.raises(srcdiff.SrcdiffError, match="hvp takes one parameter"):
            srcdiff.hvp(poly_trig, wrt=wrt)


def test_hvp_with_respect_to_a_keyword_only_parameter():
    def f(x, *, y=2.0):
        return x * y ** 3

    h = srcdiff.hvp(f, wrt="y")
    assert h.source.startswith("def hvp_f(x, v, *, y=2.0):")
    assert h(1.5, 0.5, y=2.0) == pytest.approx(6 * 1.5 * 2.0 * 0.5)
    assert h(1.5, 0.5) == pytest.approx(6 * 1.5 * 2.0 * 0.5)


def test_hvp_of_a_gradient_is_a_third_derivative_times_v():
    g = srcdiff.grad(rational, wrt=0)
    h = srcdiff.hvp(g, wrt=0)
    expected = _sympy_derivative("rational", 0, 0, 0)
    assert h(0.7, 1.3, 2.0) == pytest.approx(2.0 * expected(0.7, 1.3), rel=1e-10)


def test_hessian_of_scalar_parameter_is_second_derivative():
    H = srcdiff.hessian(rational, wrt=1)
    expected = _sympy_derivative("rational", 1, 1)
    for point in POINTS:
        assert H(*point) == pytest.approx(expected(*point), rel=1e-10)
    assert H.__name__ == "hessian_rational" and "def hvp_rational" in H.source


def test_hessian_passes_keyword_and_default_arguments():
    def f(x, scale=2.0, *, power=3.0):
        return scale * x ** power

    H = srcdiff.hessian(f)
    assert H(1.5) == pytest.approx(2.0 * 3.0 * 2.0 * 1.5)
    assert H(1.5, power=4.0) == pytest.approx(2.0 * 4.0 * 3.0 * 1.5 ** 2)
    assert H(x=1.5, scale=1.0) == pytest.approx(3.0 * 2.0 * 1.5)


@settings(max_examples=25, deadline=None)
@given(st.floats(-2.0, 2.0), st.floats(0.2, 2.0), st.floats(-1.0, 1.0))
def test_forward_and_reverse_hvp_agree(x, y, v):
    fwd = hvp_mode(tangled, wrt=0, mode="forward")(x, y, v)
    rev = hvp_mode(tangled, wrt=0, mode="reverse")(x, y, v)
    assert fwd == pytest.approx(rev, rel=1e-9, abs=1e-12)


def test_higher_derivatives_when_the_user_names_a_value_rt_or_math():
    def f(x, rt):
        math_ = abs(x) * rt
        return math.sin(x) * math_

    for mode in ("forward", "reverse"):
        h = hvp_mode(f, wrt=0, mode=mode)
        assert h(0.8, 2.0, 1.0) == pytest.approx(_fd_hvp(f, 0, [0.8, 2.0], 1.0), rel=1e-6)
    g2 = srcdiff.grad(srcdiff.grad(f, wrt=0), wrt=0)
    assert g2(0.8, 2.0) == pytest.approx(_fd_hvp(f, 0, [0.8, 2.0], 1.0), rel=1e-6)


@pytest.mark.parametrize("name,expr", [("lgamma", sympy.loggamma), ("gamma", sympy.gamma)])
def test_gamma_functions_differentiate_three_times(name, expr):
    fn = {"lgamma": lambda_free_lgamma, "gamma": lambda_free_gamma}[name]
    x = sympy.Symbol("x")
    for order in (1, 2, 3):
        fn = srcdiff.grad(fn)
        exact = sympy.lambdify(x, sympy.diff(expr(x), x, order), "mpmath")
        for point in (0.7, 2.5, -1.3):
            assert fn(point) == pytest.approx(float(exact(point)), rel=1e-10)
    assert "rt.polygamma(2, x)" in fn.source or "rt.polygamma(" in fn.source


def lambda_free_lgamma(x):
    return math.lgamma(x)


def lambda_free_gamma(x):
    return math.gamma(x)


def loop_power(x, y, n):
    s = x
    k = 0
    while k < n:
        s = math.sin(s) * x + y * s
        k += 1
    return s


def test_second_and_third_derivatives_and_mixed_partials_through_loops():
    g = srcdiff.grad(loop_power, wrt=0)
    g2 = srcdiff.grad(g, wrt=0)
    g3 = srcdiff.grad(g2, wrt=0)
    assert (g2.__name__, g3.__name__) == ("grad2_loop_power", "grad3_loop_power")
    assert "return grad2_x" in g2.source and "return grad3_x" in g3.source
    eps = 1e-5
    for point in [(0.7, 0.3, 3), (-0.4, 1.1, 2), (0.2, -0.5, 0)]:
        plus, minus = (point[0] + eps,) + point[1:], (point[0] - eps,) + point[1:]
        assert g2(*point) == pytest.approx((g(*plus) - g(*minus)) / (2 * eps), rel=1e-6, abs=1e-8)
        assert g3(*point) == pytest.approx((g2(*plus) - g2(*minus)) / (2 * eps), rel=1e-5, abs=1e-7)
        dxy = srcdiff.grad(g, wrt="y")(*point)
        dyx = srcdiff.grad(srcdiff.grad(loop_power, wrt="y"), wrt=0)(*point)
        assert dxy == pytest.approx(dyx, rel=1e-12, abs=1e-12)
        assert srcdiff.hvp(loop_power)(*point, 1.0) == pytest.approx(g2(*point), rel=1e-12, abs=1e-12)
