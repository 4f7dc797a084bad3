"""``min(xs, key=f)`` and ``max(xs, key=f)`` (``lower.consumers``): the first item whose key is
smallest or largest, as Python picks it, the keys a comprehension over the items and the item
read at the position they give, which alone carries a gradient.  Before, refused ("min() is
supported with one sequence").  Every path against central differences."""
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
'''

CASES = {"nearest_to_zero": ([3.0, -1.0, 2.0],), "farthest_from": ([0.5, 2.0, -1.0], 0.3),
         "of_a_display": (0.5, -1.2, 0.8), "of_an_array": (np.array([0.5, 2.0, 1.4]),),
         "of_a_generator": ([0.5, -2.0, 1.0],), "first_of_equal_keys": ([2.2, 0.9, 1.1, 1.0],)}


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("extremum_keys"), SOURCE)


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_path_along_the_first_parameter(module, name):
    assert_first_parameter_paths(getattr(module, name), CASES[name])


def test_the_first_of_equal_keys_takes_the_gradient(module):
    """0.9 and 1.1 both round to 1: Python returns the first, and so does the gradient."""
    assert srcdiff.grad(module.first_of_equal_keys)([2.2, 0.9, 1.1, 1.0]) == [0.0, 3.0, 0.0, 0.0]


def test_a_list_of_pairs(module):
    pairs = np.array([[1.0, 2.0], [3.0, 0.5], [2.0, 4.0]])
    gradient = srcdiff.grad(module.of_pairs)(pairs.tolist())
    np.testing.assert_allclose(np.asarray(gradient), fd_grad(module.of_pairs, (pairs,), 0), rtol=1e-7)


def test_the_other_parameter_of_the_key(module):
    gradient = srcdiff.grad(module.farthest_from, wrt=1)([0.5, 2.0, -1.0], 0.3)
    assert gradient == pytest.approx(2.0)  # the item picked, 2.0, times d w / d w


def test_an_empty_sequence_raises_as_python_does(tmp_path):
    module = import_text(tmp_path, "\ndef f(xs, x):\n    return min(xs, key=abs) * x\n")
    with pytest.raises(ValueError, match="empty"):
        module.f([], 1.0)
    with pytest.raises(ValueError, match="empty"):
        srcdiff.grad(module.f, wrt=1)([], 1.0)
