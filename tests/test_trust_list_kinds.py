"""A list is specialized as a list of numbers only when every item is one.

The kind of a list argument was judged by its first item: ``[0.5, W, 0.3]`` (a number, a
matrix, a number) ran code that adds each item's gradient up to one number, and returned
one number for ``W``'s gradient, silently.  Each of these calls must now give the generic
code's answer (right, or a clear refusal), before or after the same gradient ran a list of
numbers (the dispatch key tells the two apart).
"""
import numpy as np
import pytest

import srcdiff
from srcdiff.analysis import call_key, kind_of, numbers_alone
from trust_helpers import assert_user_error

W = np.array([[1.0, 2.0], [3.0, -1.0]])
X = np.array([0.2, -0.4])


def indexed_sum(params, x):
    s = 0.0
    for i in range(3):
        s = s + np.sum(params[i] * x)
    return s


def walked_sum(params, x):
    s = 0.0
    for p in params:
        s = s + np.sum(p * x * x)
    return s


@pytest.mark.parametrize("mixed", [
    [0.5, W, 0.3], (0.5, W, 0.3), [0.5, np.float64(2.0), 0.3], [0.5, np.array(2.0), 0.3],
    [0.5, np.array([2.0, 1.0]), 0.3], [0.5, 1 + 2j, 0.3], [0.5, "a", 0.3], [0.5, [1.0], 0.3],
    [0.5, None, 0.3], [W, 0.5], [0.5, W],
])
def test_a_list_holding_anything_but_numbers_has_no_kind(mixed):
    assert not numbers_alone(mixed)
    assert kind_of(mixed) is None
    assert call_key((mixed,)) != call_key(([0.5, 0.1, 0.3],))


@pytest.mark.parametrize("numbers", [[], [0.5], [0.5, 2, 0.3], (1, 2, 3), [0.5, True, 0.3], [1e308, 1e308]])
def test_a_list_of_numbers_alone_keeps_its_kind(numbers):
    assert numbers_alone(numbers) and kind_of(numbers) is not None


@pytest.mark.parametrize("fn", [indexed_sum, walked_sum], ids=lambda f: f.__name__)
@pytest.mark.parametrize("numbers_first", [True, False])
def test_a_mixed_list_is_never_run_through_code_for_numbers(fn, numbers_first):
    g = srcdiff.grad(fn, wrt=0)
    numbers = [0.5, 0.1, 0.3]
    if numbers_first:  # the code for lists of numbers is built and written into the dispatch first
        assert g(numbers, X) == pytest.approx([np.sum(X * (X if fn is walked_sum else 1.0))] * 3)
    try:
        got = g([0.5, W.copy(), 0.3], X)
    except srcdiff.SrcdiffError as err:
        assert_user_error(err, fn)
        return
    expected = X * X if fn is walked_sum else X
    assert got[0] == pytest.approx(np.sum(expected)) and got[2] == pytest.approx(np.sum(expected))
    assert np.shape(got[1]) == W.shape
    assert got[1] == pytest.approx(np.broadcast_to(expected, W.shape))
    if not numbers_first:
        assert g(numbers, X) == pytest.approx([np.sum(expected)] * 3)


def ends_read(params, x):
    s = 0.0
    for i in (0, 2):
        s = s + params[i] * x
    return s


def test_a_list_read_at_its_number_items_alone_is_not_taken_for_numbers():
    """``rt.index_grad`` of a list judged by its two ends gave ``W``'s gradient as 0.0."""
    try:
        got = srcdiff.grad(ends_read, wrt=0)([0.5, W.copy(), 0.3], 2.0)
    except srcdiff.SrcdiffError as err:
        assert_user_error(err, ends_read)
        return
    assert got[0] == got[2] == pytest.approx(2.0) and np.shape(got[1]) == W.shape and not np.any(got[1])


def early_return_in_loop(ys, x):
    """(fuzzer seed 780196's shape) array code reading a list's items in a loop left early."""
    h = x
    for i in reversed(range(3)):
        if np.mean(h) > 5.0:
            return np.sum(h)
        h = h * np.cos(ys[i])
    return np.sum(h * h)


@pytest.mark.parametrize("fn", [indexed_sum, walked_sum, early_return_in_loop], ids=lambda f: f.__name__)
@pytest.mark.parametrize("sequence", [list, tuple])
def test_the_gradient_of_a_list_of_numbers_in_array_code_holds_python_floats(fn, sequence):
    # array rules make each item's adjoint a NumPy scalar (np.sum, np.mean): the returned
    # list was a list of np.float64 where the argument was a list of floats
    numbers = sequence([0.5, 0.1, -0.3])
    got = srcdiff.grad(fn, wrt=0)(numbers, X)
    assert type(got) is sequence and all(type(v) is float for v in got)
    h = 1e-6
    for i in range(3):
        up, down = list(numbers), list(numbers)
        up[i] += h
        down[i] -= h
        assert got[i] == pytest.approx((fn(up, X) - fn(down, X)) / (2 * h), rel=1e-6, abs=1e-8)


C = np.array([0.5, 2.0, -1.0])


def weighted_by_constant(xs):
    s = 0.0
    for i in range(3):
        s = s + C[i] * xs[i] * xs[i]
    return s


def walked_times(xs, w):
    s = 0.0
    for x in xs:
        s = s + x * w
    return s


@pytest.mark.parametrize("fn, args, expected", [
    (weighted_by_constant, ([1.0, 2.0, 3.0],), [1.0, 8.0, -6.0]),  # an array's entries: no NumPy call
    (walked_times, ([1.0, 2.0, 3.0], np.float64(2.0)), [2.0] * 3),  # a NumPy scalar argument
    (walked_times, ([1.0, 2.0, 3.0], np.array(2.0)), [2.0] * 3),
    (walked_times, ([1.0, 2.0, 3.0], 2.0), [2.0] * 3),
], ids=["module array", "np.float64", "0-d array", "float"])
def test_numpy_scalars_from_elsewhere_than_numpy_calls_leave_a_list_of_floats(fn, args, expected):
    got = srcdiff.grad(fn, wrt=0)(*args)
    assert got == expected and all(type(v) is float for v in got)
