"""``map(f, xs, ...)`` as the sequence of ``sum``, ``min``, ``max``, ``math.fsum``,
``math.prod``, ``list`` and ``tuple``: the generator expression ``(f(a, b) for a, b in
zip(xs, ys))`` it stands for, with ``f`` a name (a math or NumPy function, the user's own),
an attribute or a lambda.  Anywhere else ``map`` is refused at its line (an iterator is
spent by its first use), as a generator expression is.  Checked against central
differences (specialized and generic code), jvp, hvp and grad of grad.
"""
import numpy as np
import pytest

import srcdiff
from conftest import import_text
from gradcheck import numeric_grad

SOURCE = '''
import math
import numpy as np


def helper(v):
    return v * v + 1.0


def sum_map(xs):
    return sum(map(math.sin, xs))


def map_lambda(xs, w):
    item0 = 2.0  # a name the generator's own must not hide from the lambda
    return sum(map(lambda v: v * w * item0, xs))


def map_two(xs, ys):
    return math.fsum(map(lambda a, b: a * b, xs, ys))


def map_helper(x):
    return max(map(helper, x)) + min(map(np.tanh, x)) + math.prod(map(math.cos, x))


def map_list(x):
    return np.sum(np.array(list(map(helper, x))) * np.arange(1.0, 4.0))


def map_tuple(x):
    a, b, c = tuple(map(math.exp, x))
    return a * b - c


def map_in_a_loop(xs):
    s = 0.0
    for v in map(math.sin, xs):
        s = s + v
    return s


def map_bound(xs):
    ys = map(math.sin, xs)
    return sum(ys)


def map_of_a_call(xs):
    return sum(map(make(2.0), xs))


def make(c):
    return lambda v: v * c
'''

X = np.array([0.3, -0.7, 1.1])


@pytest.fixture(scope="module")
def m(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("maps"), SOURCE, "map_calls")


CASES = [("sum_map", (X,)), ("map_lambda", (X, 0.7)), ("map_two", (X, np.array([1.5, -0.2, 0.8]))),
         ("map_two", (X, np.array([1.5, -0.2]))), ("map_helper", (X,)), ("map_list", (X,)), ("map_tuple", (X,))]


@pytest.mark.parametrize("name, args", CASES)
def test_gradient_against_differences_specialized_and_generic(m, name, args):
    f = getattr(m, name)
    for position in range(len(args)):
        g = srcdiff.grad(f, wrt=position)
        want = numeric_grad(f, args, position)
        np.testing.assert_allclose(g(*args), want, rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(getattr(g, "__srcdiff_generic__", g)(*args), want, rtol=1e-6, atol=1e-8)


def test_a_list_of_numbers(m):
    xs = [0.3, -0.7, 1.1]
    assert srcdiff.grad(m.sum_map)(xs) == pytest.approx([np.cos(x) for x in xs])


@pytest.mark.parametrize("name, args", CASES[:2] + CASES[4:5])
def test_jvp_hvp_and_grad_of_grad(m, name, args):
    f, eps = getattr(m, name), 1e-6
    v = np.array([0.4, -1.3, 0.9])
    tangent = (f(args[0] + eps * v, *args[1:]) - f(args[0] - eps * v, *args[1:])) / (2 * eps)
    assert srcdiff.jvp(f, wrt=0)(*args, v) == pytest.approx(tangent, rel=1e-6, abs=1e-8)
    g = srcdiff.grad(f, wrt=0)
    want = (g(args[0] + eps * v, *args[1:]) - g(args[0] - eps * v, *args[1:])) / (2 * eps)
    np.testing.assert_allclose(srcdiff.hvp(f, wrt=0)(*args, v), want, rtol=1e-5, atol=1e-7)


def test_hessian_and_grad_of_grad(m):
    np.testing.assert_allclose(srcdiff.hessian(m.sum_map)(X), np.diag(-np.sin(X)), rtol=1e-10, atol=1e-12)
    a, b = 0.4, -1.2  # numbers: the generator is unrolled, and its gradient differentiated again
    second = srcdiff.grad(srcdiff.grad(lambda_free, wrt=0), wrt=0)(a, b)
    assert second == pytest.approx(-np.sin(a) * b, rel=1e-10)


def lambda_free(a, b):
    return sum(map(np.sin, (a, a))) * b / 2.0


@pytest.mark.parametrize("name, line, pattern", [
    ("map_in_a_loop", "for v in map(math.sin, xs):", r"map\(\) is supported as the argument of sum"),
    ("map_bound", "ys = map(math.sin, xs)", r"map\(\) is supported as the argument of sum"),
    ("map_of_a_call", "return sum(map(make(2.0), xs))", r"map\(\) is supported with a function \(a name or a lambda\)"),
])
def test_map_elsewhere_is_refused_at_its_line(m, name, line, pattern):
    with pytest.raises(srcdiff.SrcdiffError, match=pattern) as caught:
        srcdiff.grad(getattr(m, name))(X)
    lineno = next(i for i, text in enumerate(SOURCE.splitlines(), 1) if line in text)
    assert caught.value.lineno == lineno
