"""A library function a user rebound (``np.sin = my_sin``, a test's monkeypatch) is never
given the rule of the function it replaced.

srcdiff knows ``np.sin`` and ``math.sin`` by name.  Before, a build after ``np.sin = my_sin``
still used the sine's rule (and a gradient cached before was returned again), while the
forward pass ran ``my_sin``: a silently wrong gradient.  Now a rebound attribute is what
the object there is (a user's function is inlined), a rebinding builds anew, and a text
whose rule calls a rebound library function (``math.cos`` in the sine's rule) is refused.
"""
import math

import numpy as np
import pytest

import srcdiff
from srcdiff.errors import NoGradientRuleError
from srcdiff.frontend import library_object


def square(v):
    return v * v


def cube(v):
    return v ** 3


def array_loss(x):
    return np.sum(np.sin(x) * np.arange(1.0, 1.0 + x.size))


def scalar_f(x):
    return math.sin(x) * 2.0 + x


def central(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


def test_a_rebound_numpy_function_is_differentiated_as_what_it_is_now(monkeypatch):
    x = np.array([0.3, -0.7, 1.1])
    weights = np.arange(1.0, 4.0)
    before = srcdiff.grad(array_loss)
    np.testing.assert_allclose(before(x), np.cos(x) * weights)
    monkeypatch.setattr(np, "sin", square)
    after = srcdiff.grad(array_loss)
    assert after is not before  # the cached gradient read np.sin: the rebinding builds anew
    np.testing.assert_allclose(after(x), 2 * x * weights)
    monkeypatch.undo()
    np.testing.assert_allclose(srcdiff.grad(array_loss)(x), np.cos(x) * weights)


@pytest.mark.parametrize("x", [0.5, -1.3])
def test_a_rebound_math_function_on_every_path(monkeypatch, x):
    monkeypatch.setattr(math, "sin", cube)
    want = 6 * x * x + 1.0  # d/dx (2 x**3 + x)
    assert srcdiff.grad(scalar_f)(x) == pytest.approx(want)
    value, grad = srcdiff.value_and_grad(scalar_f)(x)
    assert (value, grad) == pytest.approx((2 * x ** 3 + x, want))
    assert srcdiff.jvp(scalar_f)(x, 0.5) == pytest.approx(0.5 * want)
    assert srcdiff.hvp(scalar_f)(x, 0.5) == pytest.approx(0.5 * 12 * x)
    assert srcdiff.hessian(scalar_f)(x) == pytest.approx(12 * x)
    assert srcdiff.grad(srcdiff.grad(scalar_f))(x) == pytest.approx(central(srcdiff.grad(scalar_f), x), rel=1e-6)
    monkeypatch.undo()
    assert srcdiff.grad(scalar_f)(x) == pytest.approx(2 * math.cos(x) + 1.0)


def test_a_rule_calling_a_rebound_function_is_refused_at_the_users_line(monkeypatch):
    srcdiff.grad(scalar_f)(0.5)  # built with the library's functions
    monkeypatch.setattr(math, "cos", cube)  # the sine's rule calls math.cos
    with pytest.raises(NoGradientRuleError) as raised:
        srcdiff.grad(scalar_f)
    message = str(raised.value)
    assert "math.cos" in message and "no longer the library's own" in message
    assert raised.value.filename == __file__
    assert raised.value.line_text.strip() == "return math.sin(x) * 2.0 + x"


def test_one_library_function_put_in_place_of_another_is_refused_or_right(monkeypatch):
    """``np.sin = np.cos``: the call is the cosine's, whose rule calls ``np.sin``, itself rebound."""
    x = np.array([0.3, -0.7, 1.1])
    srcdiff.grad(array_loss)(x)
    monkeypatch.setattr(np, "sin", np.cos)
    with pytest.raises(NoGradientRuleError, match="np.sin"):
        srcdiff.grad(array_loss)(x)


def test_library_object_tells_the_library_from_a_rebinding():
    assert library_object("math", "sin", math.sin)
    assert not library_object("math", "sin", math.cos)  # another function of the library
    assert not library_object("np", "sin", square)
    assert library_object("np", "sin", np.sin)
    # first seen rebound (before srcdiff ever looked): not taken as the library's, and not remembered
    assert not library_object("math", "erfc", cube)
    assert library_object("math", "erfc", math.erfc)
    assert library_object("np", "abs", np.abs) and library_object("np", "absolute", np.absolute)  # one ufunc, two names
    assert library_object("math", "pi", math.pi)
    assert not library_object("math", "pi", 3.0)
