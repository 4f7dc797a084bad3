"""Settings passed as strings: ``if mode == "mean"``, ``loss(x, reduction="sum")``.

Ordinary code picks a behaviour by a string (a parameter's default, a helper's argument,
a list of them walked by a loop) and tests it with ``==`` or ``!=``.  srcdiff refused every
string literal before; it now takes one where it is tested for (in)equality and where it is
an inlined helper's argument or default, and refuses it at its line wherever an operation
would compute with it (``v * how``, ``a + "y"``, ``mode < "b"``).  Checked against central
differences with non-uniform weights and square shapes, generic and specialized code, jvp,
hvp, hessian, grad of grad, explain and the command line.
"""
import numpy as np
import pytest

import srcdiff
from conftest import import_text, printed_gradient
from gradcheck import numeric_grad

SOURCE = '''
import math
import numpy as np

W = np.array([[0.3, -1.2, 0.7], [2.0, 0.5, -0.4], [1.1, -0.6, 0.9]])  # non-uniform weights


def reduce(v, reduction="mean"):
    if reduction == "mean":
        return np.mean(v)
    if reduction != "sum":
        raise ValueError("unknown reduction")
    return np.sum(v)


def by_mode(x, mode="mean"):
    if mode == "mean":
        return np.mean(W * x * x)
    return np.sum(W * np.sin(x))


def through_helper(x, y):
    return reduce(W * (x - y) ** 2, "sum") + reduce(W * x * y)


def by_keyword(x, y, how="sum"):
    return reduce(W * (x @ y), reduction=how) if how == "sum" else reduce(W * x)


def modes_walked(x, modes):
    s = 0.0
    for m in modes:
        if m == "square":
            s = s + x * x
        elif "cube" == m:
            s = s + x * x * x
        else:
            s = s + math.sin(x)
    return s


def scalar_mode(x, y, mode="product"):
    if mode != "product":
        return x + y * y
    return x * y * math.exp(x)


def scale(v, how):
    return v * how


def computes_with_a_string(x):
    return np.sum(scale(x, "ab"))


def orders_strings(x, mode="a"):
    if mode < "b":
        return x * x
    return x


def joins_strings(x, a="x"):
    b = a + "y"
    return x * 2.0 if b == "xy" else x


def string_assigned(x):
    name = "loss"
    return x * x if name == "loss" else x


def pick(v, how):
    d = {"sum": np.sum(v), "mean": np.mean(v)}
    return d[how]


def picked(x):
    return pick(W * x * x, "mean") + pick(W * x, how="sum")


def passed_on(v, how="sum"):
    return tested(v, how)


def tested(v, mode):
    return np.sum(W * v) if mode == "sum" else np.max(W * v)


def passes_it_on(x):
    return passed_on(x) + passed_on(x, "max")


def summed_along(v, how):
    return np.sum(v, axis=how)


def string_as_an_axis(x):
    return np.sum(summed_along(x, "0"))


def same(v, how):
    return how


def returns_a_string(x):
    return same(x, "a")


def either(v, how, flag):
    if flag:
        r = how
    else:
        r = v
    return r


def merges_strings(x):
    return either(x, "a", x > 0) == "a"
'''

X = np.array([[0.5, -1.0, 0.8], [1.3, 0.2, -0.7], [0.9, 1.4, -0.3]])
Y = np.array([[1.1, 0.4, -0.2], [-0.6, 0.9, 0.3], [0.7, -1.5, 0.6]])


@pytest.fixture(scope="module")
def m(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("settings"), SOURCE, "string_settings")


CASES = [
    ("by_mode", (X,), {}), ("by_mode", (X, "mean"), {}), ("by_mode", (X, "sin"), {}), ("by_mode", (X,), {"mode": "sin"}),
    ("through_helper", (X, Y), {}), ("by_keyword", (X, Y), {}), ("by_keyword", (X, Y, "mean"), {}),
    ("picked", (X,), {}), ("passes_it_on", (X,), {}),
]


@pytest.mark.parametrize("name, args, kwargs", CASES)
def test_gradient_against_differences_specialized_and_generic(m, name, args, kwargs):
    f = getattr(m, name)
    g = srcdiff.grad(f, wrt=0)
    want = numeric_grad(lambda *a: f(*a, **kwargs), args, 0)
    np.testing.assert_allclose(g(*args, **kwargs), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(getattr(g, "__srcdiff_generic__", g)(*args, **kwargs), want, rtol=1e-6, atol=1e-8)


def test_the_generated_code_tests_the_setting_as_written(m):
    text = srcdiff.grad(m.by_mode).source
    assert "def grad_by_mode(x, mode='mean'):" in text and "mode == 'mean'" in text


@pytest.mark.parametrize("modes", [["square", "cube", "other"], ["other"], [], ("cube", "cube")])
def test_a_list_of_settings_walked_by_a_loop(m, modes):
    want = numeric_grad(m.modes_walked, (0.7, modes), 0)
    assert srcdiff.grad(m.modes_walked, wrt=0)(0.7, modes) == pytest.approx(want, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("mode", ["product", "sum"])
def test_second_order_and_forward_mode(m, mode):
    f, x, y, eps = m.scalar_mode, 0.6, -1.3, 1e-6
    grad_x = srcdiff.grad(f, wrt=0)
    second = (grad_x(x + eps, y, mode) - grad_x(x - eps, y, mode)) / (2 * eps)
    assert srcdiff.grad(grad_x, wrt=0)(x, y, mode) == pytest.approx(second, rel=1e-5, abs=1e-7)
    assert srcdiff.hvp(f, wrt=0)(x, y, mode, 1.5) == pytest.approx(1.5 * second, rel=1e-5, abs=1e-7)
    assert srcdiff.hessian(f, wrt=0)(x, y, mode) == pytest.approx(second, rel=1e-5, abs=1e-7)
    tangent = (f(x + 0.4 * eps, y - 0.9 * eps, mode) - f(x - 0.4 * eps, y + 0.9 * eps, mode)) / (2 * eps)
    assert srcdiff.jvp(f, wrt=(0, 1))(x, y, mode, 0.4, -0.9) == pytest.approx(tangent, rel=1e-6, abs=1e-8)


def test_array_hvp_and_jvp_along_a_setting(m):
    v, eps = np.linspace(-1.0, 1.0, 9).reshape(3, 3), 1e-6
    grad_x = srcdiff.grad(m.by_mode, wrt=0)
    want = (grad_x(X + eps * v, "sin") - grad_x(X - eps * v, "sin")) / (2 * eps)
    np.testing.assert_allclose(srcdiff.hvp(m.by_mode, wrt=0)(X, "sin", v), want, rtol=1e-5, atol=1e-7)
    tangent = (m.by_mode(X + eps * v, "sin") - m.by_mode(X - eps * v, "sin")) / (2 * eps)
    assert srcdiff.jvp(m.by_mode, wrt=0)(X, "sin", v) == pytest.approx(tangent, rel=1e-6, abs=1e-8)


def test_explain_shows_the_setting_and_its_test(m):
    table = str(srcdiff.explain(m.scalar_mode, 0.6, -1.3, "sum"))
    assert "'sum'" in table and "mode != 'product'" in table


def test_an_unknown_setting_raises_as_the_function_does(m):
    with pytest.raises(ValueError, match="unknown reduction"):
        srcdiff.grad(m.reduce)(X, "median")


def test_a_string_assigned_to_a_name_is_a_setting(m):
    """``name = "loss"`` then ``name == "loss"``: a setting like a parameter's (once refused as not
    a number; a string met by arithmetic still is, below)."""
    assert srcdiff.grad(m.string_assigned)(1.5) == 3.0


@pytest.mark.parametrize("name, line, pattern", [
    ("computes_with_a_string", "return v * how", r"the constant 'ab' is not a number: '\*' takes it"),
    ("orders_strings", 'if mode < "b":', r"the constant 'b' is not a number"),
    ("joins_strings", 'b = a + "y"', r"the constant 'y' is not a number"),
    ("string_as_an_axis", "return np.sum(v, axis=how)", r"the constant '0' is not a number: 'np.sum' takes it as axis="),
    ("returns_a_string", "def returns_a_string(x):", r"the function returns the string 'a', not a number"),
    ("merges_strings", "if flag:", r"the string 'a' is a value of a variable this branch sets"),
])
def test_a_string_computed_with_is_refused_at_its_line(m, name, line, pattern):
    with pytest.raises(srcdiff.SrcdiffError, match=pattern) as caught:
        srcdiff.grad(getattr(m, name), wrt=0)(X)
    lineno = next(i for i, text in enumerate(SOURCE.splitlines(), 1) if line in text)
    assert caught.value.filename.endswith("string_settings.py") and caught.value.lineno == lineno


def test_the_command_line_prints_the_test_of_the_setting(tmp_path):
    printed = printed_gradient(tmp_path, SOURCE, "by_mode")
    assert "mode == 'mean'" in printed and "def grad_by_mode(x, mode='mean'):" in printed
