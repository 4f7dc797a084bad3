"""Derivatives of a bound method's gradient (``grad(grad(model.f, wrt=0))``): the gradient
stays bound to its object, so every order takes the same arguments as ``model.f``; and a
gradient returning an object (``wrt="self"``) is refused as a result, never differentiated
into zeros.  Against hand derivatives of ``a x**3 + b x y`` and central differences."""
import numpy as np
import pytest

import srcdiff
from srcdiff.errors import SrcdiffError


class Cubic:
    def __init__(self, a, b):
        self.a = a
        self.b = b

    def f(self, x, y):
        return self.a * x * x * x + self.b * x * y

    def g(self, v):
        return np.sum(self.a * v ** 3 * np.array([1.0, 2.0, 3.0]))


def central(f, x, eps=1e-6):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


MODEL = Cubic(2.0, 0.5)
X, Y = 1.3, -0.7


def test_second_and_third_derivatives_of_a_bound_method():
    first = srcdiff.grad(MODEL.f, wrt=0)
    assert first(X, Y) == pytest.approx(3 * 2.0 * X * X + 0.5 * Y)
    second = srcdiff.grad(first, wrt=0)
    assert second(X, Y) == pytest.approx(6 * 2.0 * X)
    assert second(X, Y) == pytest.approx(central(lambda x: first(x, Y), X), rel=1e-6)
    assert srcdiff.grad(second, wrt=0)(X, Y) == pytest.approx(12.0)
    mixed = srcdiff.grad(first, wrt=1)  # d2f / dx dy
    assert mixed(X, Y) == pytest.approx(0.5)


def test_second_derivative_with_respect_to_the_object():
    first = srcdiff.grad(MODEL.f, wrt=0)
    by_self = srcdiff.grad(first)(X, Y)  # wrt="self" by default for a bound method
    assert type(by_self) is Cubic
    assert by_self.a == pytest.approx(3 * X * X) and by_self.b == pytest.approx(Y)


def test_value_and_grad_jvp_hvp_hessian_of_a_bound_gradient():
    first = srcdiff.grad(MODEL.f, wrt=0)
    value, slope = srcdiff.value_and_grad(first, wrt=0)(X, Y)
    assert value == pytest.approx(first(X, Y)) and slope == pytest.approx(12.0 * X)
    assert srcdiff.jvp(first, wrt=0)(X, Y, 0.25) == pytest.approx(0.25 * 12.0 * X)
    assert srcdiff.hvp(MODEL.f, wrt=0)(X, Y, 0.5) == pytest.approx(0.5 * 12.0 * X)
    assert srcdiff.hessian(MODEL.f, wrt=0)(X, Y) == pytest.approx(12.0 * X)


def test_hessian_of_an_array_method_through_its_bound_gradient():
    v = np.array([0.5, -1.0, 2.0])
    weights = np.array([1.0, 2.0, 3.0])
    first = srcdiff.grad(MODEL.g)  # one parameter besides self: wrt="self" by default
    assert first(v).a == pytest.approx(np.sum(v ** 3 * weights))
    by_v = srcdiff.grad(MODEL.g, wrt=0)
    assert by_v(v) == pytest.approx(3 * 2.0 * v ** 2 * weights)
    assert srcdiff.hessian(MODEL.g, wrt=0)(v) == pytest.approx(np.diag(6 * 2.0 * v * weights))


def test_a_gradient_returning_the_object_is_refused_as_a_result():
    bound = srcdiff.grad(srcdiff.grad(MODEL.f), wrt=0)
    with pytest.raises(SrcdiffError, match="returned a Cubic, not one number"):
        bound(X, Y)
    unbound = srcdiff.grad(srcdiff.grad(Cubic.f, wrt="self"), wrt=1)
    with pytest.raises(SrcdiffError, match="returned a Cubic, not one number"):
        unbound(MODEL, X, Y)
