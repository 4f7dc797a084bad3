"""``min(xs, key=f)``, ``max(xs, key=f)`` and ``sorted(xs, key=f)`` (``lower.consumers``,
``lower.sorting.keys_of``): the keys a comprehension over the items, the first item whose key
is smallest or largest, or the items in the stable order of their keys, as Python picks them;
the items read at the positions the keys give carry the gradient, the keys none.  Before,
refused.  Every path against central differences."""
import numpy as np
import pytest

import srcdiff
from conftest import import_text
from trust_helpers import assert_first_parameter_paths, fd_grad

SOURCE = '''
import math

import numpy as np


def nearest_to_zero(xs):
    return min(xs, key=abs) * 2.0 + xs[0]


def farthest_from(xs, w):
    return max(xs, key=lambda v: (v - w) ** 2) * w


def of_a_display(a, b, c):
    return max((a, b * 2.0, c), key=abs) ** 2


def of_pairs(pairs):
    best = min(pairs, key=lambda p: p[1])
    return best[0] * best[1]


def of_an_array(x):
    return max(x, key=math.sin) * np.sum(x)


def of_a_generator(xs):
    return max((x * x for x in xs), key=lambda v: -v)


def first_of_equal_keys(xs):
    return min(xs, key=lambda v: round(v)) * 3.0


def largest_two_in_size(xs):
    s = sorted(xs, key=abs, reverse=True)
    return s[0] * s[1]


def pairs_by_their_second(pairs):
    s = sorted(pairs, key=lambda p: p[1])
    return s[0][0] * 2.0 + s[-1][1]


def display_by_distance(a, b, c):
    s = sorted((a, b, c), key=lambda v: (v - 1.0) ** 2)
    return s[0] * 3.0 + s[2]


def array_by_sine(x):
    s = sorted(x, key=np.sin)
    return s[0] + 2.0 * s[-1]
'''

CASES = {"nearest_to_zero": ([3.0, -1.0, 2.0],), "farthest_from": ([0.5, 2.0, -1.0], 0.3),
         "of_a_display": (0.5, -1.2, 0.8), "of_an_array": (np.array([0.5, 2.0, 1.4]),),
         "of_a_generator": ([0.5, -2.0, 1.0],), "first_of_equal_keys": ([2.2, 0.9, 1.1, 1.0],),
         "largest_two_in_size": ([0.5, -2.0, 1.0],), "display_by_distance": (0.3, 2.5, 1.1),
         "array_by_sine": (np.array([0.3, 2.0, 1.0]),)}


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("key_functions"), SOURCE)


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_path_along_the_first_parameter(module, name):
    assert_first_parameter_paths(getattr(module, name), CASES[name])


def test_the_first_of_equal_keys_takes_the_gradient(module):
    """0.9 and 1.1 both round to 1: Python returns the first, and so does the gradient."""
    assert srcdiff.grad(module.first_of_equal_keys)([2.2, 0.9, 1.1, 1.0]) == [0.0, 3.0, 0.0, 0.0]


@pytest.mark.parametrize("name", ["of_pairs", "pairs_by_their_second"])
def test_a_list_of_pairs(module, name):
    f, pairs = getattr(module, name), np.array([[1.0, 2.0], [3.0, 0.5], [2.0, 4.0]])
    gradient = srcdiff.grad(f)(pairs.tolist())
    np.testing.assert_allclose(np.asarray(gradient), fd_grad(f, (pairs,), 0), rtol=1e-7)


def test_sorted_keeps_equal_keys_in_their_order(module):
    """-2.0 and 2.0 have one size: stable, reversed or not, the earlier comes first."""
    assert srcdiff.grad(module.largest_two_in_size)([-2.0, 2.0, 1.0]) == [2.0, -2.0, 0.0]


def test_the_other_parameter_of_the_key(module):
    gradient = srcdiff.grad(module.farthest_from, wrt=1)([0.5, 2.0, -1.0], 0.3)
    assert gradient == pytest.approx(2.0)  # the item picked, 2.0, times d w / d w


def test_an_empty_sequence_raises_as_python_does(tmp_path):
    module = import_text(tmp_path, "\ndef f(xs, x):\n    return min(xs, key=abs) * x\n")
    with pytest.raises(ValueError, match="empty"):
        module.f([], 1.0)
    with pytest.raises(ValueError, match="empty"):
        srcdiff.grad(module.f, wrt=1)([], 1.0)


DEFAULTS_SOURCE = '''
import numpy as np


def largest_or_zero(xs, w):
    return max((w * x for x in xs), default=0.0) + w


def farthest_or_square(xs, w):
    return max((w * x for x in xs), key=abs, default=w * w)


def smallest_in_size_of_two(a, b):
    return min(a, b, key=abs) * b


def of_a_display_or_not(a, b):
    return max([a * b, b], default=0.0) + min([], default=a)


def of_an_array(x, w):
    return max(x * w, default=-1.0)
'''

DEFAULT_CASES = [("largest_or_zero", ([1.0, -2.0, 3.0], 0.5)), ("largest_or_zero", ([], 0.5)),
                 ("farthest_or_square", ([1.0, -4.0], 0.5)), ("farthest_or_square", ([], 0.5)),
                 ("smallest_in_size_of_two", (1.5, -0.5)), ("smallest_in_size_of_two", (-0.5, 1.5)),
                 ("of_a_display_or_not", (0.3, 2.0))]


@pytest.fixture(scope="module")
def defaults(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("key_defaults"), DEFAULTS_SOURCE)


@pytest.mark.parametrize("name, args", DEFAULT_CASES)
def test_default_and_key_of_several_arguments(defaults, name, args):
    """``max(xs, default=d)`` (``d`` where ``xs`` is empty, its gradient too) and ``min(a, b,
    key=f)`` were refused ("supported with one sequence and key="); every path along the last
    parameter, against central differences."""
    f = getattr(defaults, name)
    last = len(args) - 1
    h = 1e-6
    up, down = list(args), list(args)
    up[last] += h
    down[last] -= h
    expected = (f(*up) - f(*down)) / (2 * h)
    assert srcdiff.grad(f, wrt=last)(*args) == pytest.approx(expected, rel=1e-6)
    value, gradient = srcdiff.value_and_grad(f, wrt=last)(*args)
    assert value == f(*args) and gradient == pytest.approx(expected, rel=1e-6)
    assert srcdiff.jvp(f, wrt=last)(*args, 1.0) == pytest.approx(expected, rel=1e-6)
    assert srcdiff.explain(f, *args).value == pytest.approx(f(*args))


@pytest.mark.parametrize("x", [np.array([1.0, -3.0, 2.0]), np.array([])], ids=["entries", "empty"])
def test_default_of_an_array(defaults, x):
    grad_x, grad_w = srcdiff.grad(defaults.of_an_array, wrt=(0, 1))(x, 0.5)
    if x.size:
        np.testing.assert_array_equal(grad_x, [0.0, 0.0, 0.5])
        assert grad_w == 2.0
    else:
        assert grad_x.shape == (0,) and grad_w == 0.0
