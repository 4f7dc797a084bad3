"""``xs.index(v)`` and ``xs.count(v)`` of a list or tuple: integers, with no gradient, kept as the
calls they are (``lower.arrays.METHODS``; ``rules.arrays.NO_GRADIENT``).  Before, refused ("the
method '.index()' is not supported").  Every path against central differences; an array, which
has neither method, raises Python's own AttributeError, as the function itself does."""
import numpy as np
import pytest

import srcdiff
from conftest import import_text

SOURCE = '''
def position_of_the_largest(xs):
    i = xs.index(max(xs))
    return xs[i] * 2.0 + xs[0] * i


def counted(xs, w):
    return w * xs.count(1.0) + sum(x * x for x in xs)


def of_a_tuple(t):
    return t[t.index(min(t))] ** 2 + t[-1]
'''

CASES = {"position_of_the_largest": ([1.0, 3.0, 2.0],), "counted": ([1.0, 2.0, 1.0], 0.5),
         "of_a_tuple": ((2.0, -1.0, 3.0),)}


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("list_methods"), SOURCE)


def _differences(f, args, v):
    """The derivative of ``f`` along ``v`` of its first argument, which stays a list or tuple."""
    x, kind = np.array(args[0]), type(args[0])
    return (f(kind((x + 1e-6 * v).tolist()), *args[1:]) - f(kind((x - 1e-6 * v).tolist()), *args[1:])) / 2e-6


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_path_along_the_first_parameter(module, name):
    """grad (in the argument's type), value_and_grad, jvp and hvp, the sequence a list or tuple throughout."""
    f, args = getattr(module, name), CASES[name]
    kind, n = type(args[0]), len(args[0])
    gradient = srcdiff.grad(f, wrt=0)(*args)
    assert type(gradient) is kind
    np.testing.assert_allclose(gradient, [_differences(f, args, e) for e in np.eye(n)], rtol=1e-6, atol=1e-8)
    assert srcdiff.value_and_grad(f, wrt=0)(*args)[0] == f(*args)
    v = np.linspace(-0.9, 1.3, n)
    assert srcdiff.jvp(f, wrt=0)(*args, kind(v.tolist())) == pytest.approx(_differences(f, args, v), rel=1e-6)
    grad = srcdiff.grad(f, wrt=0)
    hvp = srcdiff.hvp(f, wrt=0)(*args, kind(v.tolist()))
    expected = [_differences(lambda *a: grad(*a)[k], args, v) for k in range(n)]
    np.testing.assert_allclose(np.asarray(hvp, dtype=float), expected, rtol=1e-5, atol=1e-6)


def test_the_count_scales_the_other_parameter(module):
    assert srcdiff.grad(module.counted, wrt=1)([1.0, 2.0, 1.0], 0.5) == 2.0


def test_an_array_has_no_index_method(module):
    with pytest.raises(AttributeError, match="index"):
        module.position_of_the_largest(np.array([1.0, 3.0, 2.0]))
    with pytest.raises(AttributeError, match="index"):
        srcdiff.grad(module.position_of_the_largest)(np.array([1.0, 3.0, 2.0]))
