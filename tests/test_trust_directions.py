"""A direction must have its parameter's shape (``srcdiff.directions``); a module-level list says what would do.

Before the check, ``jvp`` of array code given a direction of shape (3, 1) for a parameter
of shape (3,) broadcast it into a wrong number, a list direction shorter or longer than
its list parameter was truncated or partly ignored, and ``hvp`` did the same with ``v``.
Each is now a SignatureError at the user's call; directions of the right structure (an
array for a list parameter included) run as before, named or positional.
"""
import math

import numpy as np
import pytest

import srcdiff
from srcdiff.errors import SignatureError
from trust_helpers import assert_user_error

WEIGHTS = np.array([1.0, 2.0, 3.0])
LINE = "        srcdiff.jvp(weighted, wrt=0)(np.ones(3), np.ones((3, 1)))\n"


def weighted(x):
    return np.sum(np.tanh(x) * np.arange(1.0, np.size(x) + 1.0))


def over_items(xs, c):
    acc = 0.0
    for w, k in zip(xs, WEIGHTS):
        acc = acc + math.sin(w) * c * k
    return acc


def indexed(xs):
    acc = 0.0
    for i in range(len(xs)):
        acc = acc + xs[i] * xs[i]
    return acc


def test_a_broadcastable_direction_of_another_shape_is_refused_at_the_call():
    with pytest.raises(SignatureError, match=r"a direction of shape \(3, 1\) was given for a parameter of "
                                                     r"shape \(3,\)") as caught:
        srcdiff.jvp(weighted, wrt=0)(np.ones(3), np.ones((3, 1)))
    assert caught.value.filename == __file__
    assert caught.value.line_text == LINE


@pytest.mark.parametrize("direction", [[1.0, 1.0], [1.0, 1.0, 1.0, 5.0], np.ones(2)])
def test_a_list_direction_of_another_length_is_refused(direction):
    for case in (over_items, indexed):
        args = ([0.3, -1.2, 0.7], 0.5) if case is over_items else ([0.3, -1.2, 0.7],)
        with pytest.raises(SignatureError, match="a direction of shape"):
            srcdiff.jvp(case, wrt=0)(*args, direction)


def test_hvp_refuses_a_v_of_another_shape_and_the_hessian_still_forms():
    with pytest.raises(SignatureError, match=r"shape \(1, 3\) was given for a parameter of shape \(3,\)"):
        srcdiff.hvp(weighted)(np.ones(3), np.ones((1, 3)))
    x = np.array([0.3, -0.4, 1.1])
    hessian = srcdiff.hessian(weighted)(x)
    np.testing.assert_allclose(hessian @ np.array([1.0, 2.0, -1.0]), srcdiff.hvp(weighted)(x, np.array([1.0, 2.0, -1.0])))
    assert srcdiff.hessian(indexed)([0.3, -1.2]) == pytest.approx(2.0 * np.eye(2))


def test_directions_of_the_right_structure_run_as_before():
    x = np.array([0.3, -0.4, 1.1])
    v = np.array([1.0, -2.0, 0.5])
    want = float(np.sum((1 - np.tanh(x) ** 2) * np.arange(1.0, 4.0) * v))
    assert srcdiff.jvp(weighted, wrt=0)(x, v) == pytest.approx(want)
    assert srcdiff.jvp(weighted, wrt=0)(x=x, dot_x=v) == pytest.approx(want)  # named: looked at too
    with pytest.raises(SignatureError):
        srcdiff.jvp(weighted, wrt=0)(x=x, dot_x=v[:2])
    xs = [0.3, -1.2, 0.7]
    want = sum(math.cos(w) * d * 0.5 * d for w, d in zip(xs, [1.0, 2.0, 3.0]))  # the weights k are the directions
    assert srcdiff.jvp(over_items, wrt=0)(xs, 0.5, [1.0, 2.0, 3.0]) == pytest.approx(want)
    assert srcdiff.jvp(over_items, wrt=0)(xs, 0.5, np.array([1.0, 2.0, 3.0])) == pytest.approx(want)  # an array for a list
    assert srcdiff.jvp(over_items, wrt=1)(xs, 0.5, np.float64(2.0)) == pytest.approx(2.0 * sum(math.sin(w) * k for w, k in zip(xs, [1.0, 2.0, 3.0])))


def test_a_function_of_numbers_alone_is_not_wrapped():
    def neuron(w, x):
        return 1.0 / (1.0 + math.exp(-w * x))

    assert not hasattr(srcdiff.jvp(neuron, wrt=0), "__wrapped__")
    assert not hasattr(srcdiff.hvp(neuron, wrt=0), "__wrapped__")


# ---------------------------------------------------------------- a module-level list read by the function

LIST_WEIGHTS = [1.0, 2.0, 3.0]
TUPLE_WEIGHTS = (1.0, 2.0, 3.0)


def reads_a_list(x):
    return x * LIST_WEIGHTS[1]


def reads_a_tuple(x):
    acc = 0.0
    for w in TUPLE_WEIGHTS:
        acc = acc + w * x * x
    return acc


def test_a_module_level_list_is_refused_saying_a_tuple_or_an_array_would_do():
    with pytest.raises(srcdiff.SrcdiffError, match="'LIST_WEIGHTS' is a list, which may change after the gradient is "
                                                   "built: make it a tuple or a NumPy array") as caught:
        srcdiff.grad(reads_a_list)(1.0)
    assert_user_error(caught.value, reads_a_list, "    return x * LIST_WEIGHTS[1]")
    assert srcdiff.grad(reads_a_tuple)(1.5) == pytest.approx(2.0 * 1.5 * 6.0)
