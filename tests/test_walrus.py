"""The walrus operator ``(y := value)``: bound once, as an assignment of its own before the
statement would be, in an ``if`` test, an assignment, a call's argument, a ``for``'s
sequence, inside loops (a carried value then).  Refused at its line where Python binds it
otherwise: in a comprehension, a lambda, a conditional expression, an ``and``/``or`` (one
side only) and a ``while`` test (anew for each test).  Checked against central differences
(specialized and generic code), jvp, hvp, grad of grad and explain.
"""
import numpy as np
import pytest

import srcdiff
from conftest import import_text
from gradcheck import numeric_grad

SOURCE = '''
import math
import numpy as np


def in_an_if_test(x):
    if (y := x * x) > 1.0:
        return y * x
    return y


def in_an_assignment(x):
    z = (y := math.sin(x) * 2.0) + y * y
    return z * x


def in_a_call(x, w):
    return np.sum(w * (d := x - 1.0) * d) + np.sum(d)


def in_a_loop(x, n):
    s = 0.0
    for i in range(n):
        s = s + (t := math.tanh(s + x)) * t
    return s + t


def in_a_for_sequence(xs):
    s = 0.0
    for v in (ys := xs * 2.0):
        s = s + v * v
    return s + np.sum(ys)


def in_a_while_test(x):
    k = 0
    while (k := k + 1) < 3:
        x = x * 2.0
    return x


def in_a_comprehension(xs):
    return sum([(y := v * 2.0) for v in xs])


def in_a_lambda(x):
    f = lambda v: (w := v * 2.0) + w
    return f(x)


def in_a_conditional(x):
    return (y := x * 2.0) if x > 0 else x


def in_an_or(x):
    return x > 0 or (y := x) > 1


def in_an_assert(x):
    assert (y := x) is not None
    return x * x
'''

W = np.array([[0.3, -1.2, 0.7], [2.0, 0.5, -0.4], [1.1, -0.6, 0.9]])  # non-uniform weights
X = np.array([[0.5, -1.0, 0.8], [1.3, 0.2, -0.7], [0.9, 1.4, -0.3]])


@pytest.fixture(scope="module")
def m(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("walrus"), SOURCE, "walrus_code")


CASES = [("in_an_if_test", (1.5,)), ("in_an_if_test", (0.5,)), ("in_an_assignment", (0.7,)),
         ("in_a_call", (X, W)), ("in_a_loop", (0.4, 3)), ("in_a_for_sequence", (np.array([0.3, -0.8, 1.2]),))]


@pytest.mark.parametrize("name, args", CASES)
def test_gradient_against_differences_specialized_and_generic(m, name, args):
    f = getattr(m, name)
    g = srcdiff.grad(f, wrt=0)
    want = numeric_grad(f, args, 0)
    np.testing.assert_allclose(g(*args), want, rtol=1e-6, atol=1e-8)
    generic = getattr(g, "__srcdiff_generic__", g)
    np.testing.assert_allclose(generic(*args), want, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name, x", [("in_an_if_test", 1.5), ("in_an_if_test", 0.5), ("in_an_assignment", 0.7)])
def test_second_order_forward_mode_and_explain(m, name, x):
    f, eps = getattr(m, name), 1e-5
    g = srcdiff.grad(f)
    second = (g(x + eps) - g(x - eps)) / (2 * eps)
    assert srcdiff.grad(g)(x) == pytest.approx(second, rel=1e-5, abs=1e-7)
    assert srcdiff.hvp(f)(x, 1.5) == pytest.approx(1.5 * second, rel=1e-5, abs=1e-7)
    assert srcdiff.jvp(f)(x, 0.5) == pytest.approx(0.5 * g(x), rel=1e-10)
    explained = srcdiff.explain(f, x)
    assert explained.gradients[0] == pytest.approx(g(x), rel=1e-10)


def test_array_jvp_and_hvp(m):
    v, eps = np.linspace(-1.0, 1.0, 9).reshape(3, 3), 1e-6
    g = srcdiff.grad(m.in_a_call, wrt=0)
    want = (g(X + eps * v, W) - g(X - eps * v, W)) / (2 * eps)
    np.testing.assert_allclose(srcdiff.hvp(m.in_a_call, wrt=0)(X, W, v), want, rtol=1e-5, atol=1e-7)
    tangent = (m.in_a_call(X + eps * v, W) - m.in_a_call(X - eps * v, W)) / (2 * eps)
    assert srcdiff.jvp(m.in_a_call, wrt=0)(X, W, v) == pytest.approx(tangent, rel=1e-6, abs=1e-8)


def test_the_generated_code_names_the_bound_value(m):
    assert "    y = x * x\n" in srcdiff.grad(m.in_an_if_test).source


@pytest.mark.parametrize("name, inside", [
    ("in_a_while_test", "the test of a while loop"), ("in_a_comprehension", "a comprehension"),
    ("in_a_lambda", "a lambda"), ("in_a_conditional", "a conditional expression"), ("in_an_or", "an 'and'/'or'"),
])
def test_where_python_binds_it_otherwise_it_is_refused_at_its_line(m, name, inside):
    with pytest.raises(srcdiff.SrcdiffError, match=f"the walrus operator ':=' inside {inside}") as caught:
        srcdiff.grad(getattr(m, name))(0.5)
    line = SOURCE.splitlines()[caught.value.lineno - 1]
    assert line[caught.value.col:].split(":=")[0].strip().isidentifier()  # at the name it binds


def test_in_a_statement_kept_as_written_it_is_refused(m):
    with pytest.raises(srcdiff.SrcdiffError, match="inside a statement kept as written"):
        srcdiff.grad(m.in_an_assert)(0.5)
